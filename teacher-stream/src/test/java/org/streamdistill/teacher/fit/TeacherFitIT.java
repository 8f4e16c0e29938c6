package org.streamdistill.teacher.fit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.dataset.Clinc150.Example;
import org.streamdistill.teacher.model.MiniLmEncoder;
import org.streamdistill.teacher.model.Teacher;
import org.streamdistill.teacher.model.TeacherScore;

/**
 * Fits a teacher on a CLINC150 subset (20 training utterances per label, 151 labels) with the
 * real encoder, then opens the saved bundle the way the Flink job does. The full fit takes a
 * couple of minutes and is run by hand (see {@link FitCommand}); this takes under a minute.
 */
class TeacherFitIT {

  @TempDir
  Path tmp;

  @Test
  void shouldFitAUsefulTeacherOnTwentyExamplesPerLabel() throws IOException, UsageException {
    // Given
    Clinc150 data = Clinc150.read(TestData.clinc150());
    List<Example> calibration = new ArrayList<>(data.split("val"));
    calibration.addAll(data.split("oos_val"));
    List<Example> test = new ArrayList<>(firstPerLabel(data.split("test"), 10));
    test.addAll(data.split("oos_test").subList(0, 200));
    TeacherFit.Splits splits = new TeacherFit.Splits(firstPerLabel(data.trainWithOos(), 20),
        firstPerLabel(calibration, 5), test, data.labels());
    FitOptions options = FitOptions.parse(List.of("--threads", "2"));
    List<String> status = new ArrayList<>();

    // When
    TeacherFit.Result result;
    try (MiniLmEncoder encoder = new MiniLmEncoder(options.threads())) {
      result = new TeacherFit(encoder, options, status::add).fit(splits, Instant.now());
    }
    Path dir = tmp.resolve("bundle");
    result.bundle().save(dir);

    // Then: measured 0.897 in-scope accuracy, 0.475 oos recall and 1.82 nats at T=2 on this
    // subset (seed 42); the bounds leave room for ONNX Runtime's thread-dependent rounding
    assertThat(splits.train()).hasSize(151 * 20);
    assertThat(result.test().inScopeExamples()).isEqualTo(1500);
    assertThat(result.test().oosExamples()).isEqualTo(200);
    assertThat(result.test().inScopeAccuracy()).isGreaterThan(0.85);
    assertThat(result.test().oosRecall()).isGreaterThan(0.30);
    assertThat(result.test().meanEntropyNats()).isBetween(1.0, 2.6);
    assertThat(status).filteredOn(line -> line.startsWith("epoch ")).hasSize(options.epochs());
    try (Teacher teacher = Teacher.open(dir, 1)) {
      List<TeacherScore> scores = teacher.score(List.of("what's the weather like in boston today",
          "please transfer 200 dollars from checking to savings"));
      assertThat(scores).extracting(s -> teacher.labels().get(s.topIndex())).containsExactly("weather", "transfer");
      assertThat(teacher.version()).isEqualTo(result.bundle().teacherVersion());
    }
  }

  private static List<Example> firstPerLabel(List<Example> examples, int perLabel) {
    Map<String, Integer> taken = new HashMap<>();
    List<Example> subset = new ArrayList<>();
    for (Example example : examples) {
      if (taken.merge(example.label(), 1, Integer::sum) <= perLabel) {
        subset.add(example);
      }
    }
    return subset;
  }
}
