package org.streamdistill.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.teacher.model.EncoderId;
import org.streamdistill.teacher.model.FitReport;
import org.streamdistill.teacher.model.SoftmaxHead;
import org.streamdistill.teacher.model.TeacherBundle;

/**
 * The demo reads the teacher's and the fallback's bundles before it starts anything: a broken one
 * ends it at once, naming the file, instead of restarting the teacher job on it until the demo
 * times out.
 */
class DemoBundleCheckTest {

  @TempDir
  Path tmp;

  private Path bundle(String name) throws IOException {
    float[][] weights = new float[3][384];
    weights[1][7] = 1f;
    Path dir = tmp.resolve(name);
    TeacherBundle.create(EncoderId.ALL_MINILM_L6_V2, 2.0, List.of("balance", "greeting", "oos"),
        new SoftmaxHead(weights, new float[3]), new FitReport(300, 30, 60, 0.9, 0.5, 1.7, 0.66, 0.83, Map.of()),
        Instant.parse("2026-12-05T12:00:00Z")).save(dir);
    return dir;
  }

  private static void cut(Path bundle) throws IOException {
    Path head = bundle.resolve("head.bin");
    Files.write(head, java.util.Arrays.copyOf(Files.readAllBytes(head), 1000));
  }

  private int demo(List<String> args, ByteArrayOutputStream err) {
    return DemoCommand.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void shouldEndAtOnceNamingTheTeachersBrokenHeadBeforeStartingAnything() throws IOException {
    // Given a teacher bundle whose head was cut short
    Path teacher = bundle("teacher");
    cut(teacher);
    Path work = tmp.resolve("work");
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    // When the demo is run with it
    int code = demo(List.of("--teacher-bundle", teacher.toString(), "--work-dir", work.toString()), err);

    // Then it fails with the file named and how to mend it, and made no work directory (started nothing)
    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("demo: a teacher bundle cannot be used: "
        + teacher.resolve("head.bin") + ": holds 1000 bytes").contains("delete " + teacher + " and the demo refits it");
    assertThat(work).doesNotExist();
  }

  @Test
  void shouldEndAtOnceNamingTheFallbacksBrokenHeadToo() throws IOException {
    // Given a sound teacher and a fallback bundle whose head was cut short
    Path teacher = bundle("teacher");
    Path fallback = bundle("fallback");
    cut(fallback);
    Path work = tmp.resolve("work");
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    // When the demo is run with both behind a budget
    int code = demo(List.of("--teacher-bundle", teacher.toString(), "--work-dir", work.toString(),
        "--teacher.selection.policy", "budget", "--teacher.fallback.bundle", fallback.toString()), err);

    // Then the fallback's file is named, and nothing started
    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains(fallback.resolve("head.bin") + ": holds 1000 bytes");
    assertThat(work).doesNotExist();
  }
}
