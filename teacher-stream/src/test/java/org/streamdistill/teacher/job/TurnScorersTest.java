package org.streamdistill.teacher.job;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.teacher.model.EncoderId;
import org.streamdistill.teacher.model.InvalidBundleException;
import org.streamdistill.teacher.model.PrototypeTeachers;

/** The check of the teacher's bundles that the job's entry point runs before it submits the job. */
class TurnScorersTest {

  @TempDir
  Path dir;

  private static TeacherJobConfig config(Path bundle, Path fallback) {
    return TeacherJobConfig.of(fallback == null
        ? Map.of(TeacherJobConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9092", TeacherJobConfig.BUNDLE, bundle.toString())
        : Map.of(TeacherJobConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9092", TeacherJobConfig.BUNDLE, bundle.toString(),
            TeacherJobConfig.SELECTION_POLICY, "budget", TeacherJobConfig.FALLBACK_BUNDLE, fallback.toString()));
  }

  @Test
  void shouldNameABrokenTeacherOrFallbackBundleButLeaveOneItCannotSeeToTheTaskManagers() throws Exception {
    // Given a good bundle and a copy whose head was cut short
    Path good = dir.resolve("good");
    PrototypeTeachers.bundle(EncoderId.ALL_MINILM_L6_V2, 2.0).save(good);
    Path broken = dir.resolve("broken");
    PrototypeTeachers.bundle(EncoderId.ALL_MINILM_L6_V2, 2.0).save(broken);
    Files.write(broken.resolve("head.bin"), new byte[100]);

    // Then a good teacher passes; a broken teacher or fallback is named; an unseen directory passes
    assertThatCode(() -> TurnScorers.checkBundles(config(good, good))).doesNotThrowAnyException();
    assertThatThrownBy(() -> TurnScorers.checkBundles(config(broken, null)))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessageContaining(broken.resolve("head.bin") + ": holds 100 bytes");
    assertThatThrownBy(() -> TurnScorers.checkBundles(config(good, broken)))
        .isInstanceOf(InvalidBundleException.class).hasMessageContaining(broken.resolve("head.bin").toString());
    assertThatCode(() -> TurnScorers.checkBundles(config(dir.resolve("on-the-task-managers"), null)))
        .doesNotThrowAnyException();
  }
}
