package org.streamdistill.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.teacher.SmallTeacherBundle;

/**
 * {@code bench --quick}, shrunk further, from end to end: every section runs for real (teacher,
 * Flink job, broker, student, whole pipeline) and the outputs have their format. Asserts keys
 * and structure only, never a timing.
 */
class BenchCommandIT {

  @Test
  void shouldWriteEverySectionToJsonAndAppendOneMarkdownSection(@TempDir Path dir) throws Exception {
    // Given a small real teacher and a BENCHMARKS.md that already holds another section
    Path data = SmallTeacherBundle.clinc150Path();
    Path bundle = dir.resolve("bundle");
    SmallTeacherBundle.fitAndSave(Clinc150.read(data), data, 2, bundle);
    Path markdown = dir.resolve("BENCHMARKS.md");
    String existing = "# Benchmarks\n\n## Someone else's section\n\nkept as it is\n";
    Files.writeString(markdown, existing);
    Path json = dir.resolve("bench.json");

    // When bench --quick runs with tiny sizes
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = BenchCommand.run(List.of("--quick", "--data", data.toString(), "--teacher-bundle", bundle.toString(),
            "--work-dir", dir.resolve("work").toString(), "--json", json.toString(), "--markdown", markdown.toString(),
            "--turns", "96", "--bench.warmup-turns", "16", "--bench.serving.turns", "20",
            "--bench.training.seconds", "0.5", "--bench.e2e.warmup-seconds", "1", "--bench.e2e.seconds", "3",
            "--bench.e2e.rate", "30", "--bench.quality.test-turns", "40", "--bench.broker.records", "200",
            "--bench.teacher.checkpoint.interval-ms", "500"),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

    // Then it succeeds, and the JSON holds every section with its figures
    assertThat(code).as("exit code; stdout:\n%s\nstderr:\n%s", out, err).isZero();
    JsonNode report = new ObjectMapper().readTree(json.toFile());
    assertThat(report.get("mode").asText()).isEqualTo("quick");
    assertThat(report.get("notes")).as("sections that failed").isEmpty();
    assertThat(BenchJsonTest.fieldNames(report)).containsExactly("date", "command", "mode", "machine",
        "load_average_at", "wall_seconds", "teacher_bound", "student_training", "serving", "end_to_end", "scale",
        "quality", "bars", "notes");
    assertThat(BenchJsonTest.fieldNames(report.get("load_average_at"))).containsExactly("raw teacher batch 1",
        "rounds at parallelism 1", "rounds at parallelism 2", "broker", "student training", "serving",
        "end to end 1000 ms");
    assertThat(report.get("teacher_bound").get("turns").asInt()).isEqualTo(96);
    assertThat(report.get("teacher_bound").get("dead_letters").asLong()).isZero();
    for (String key : List.of("raw_batch1_per_second", "raw_batch_per_second", "job_per_second", "ratio")) {
      assertThat(report.get("teacher_bound").get(key).isNumber()).as(key).isTrue();
    }
    assertThat(report.get("teacher_bound").get("rounds")).hasSize(1);
    assertThat(report.get("teacher_bound").get("rounds").get(0).get("order").asText()).isEqualTo("raw, job");
    assertThat(report.get("student_training").get("ratio").isNumber()).isTrue();
    assertThat(report.get("serving").get("turns").asInt()).isEqualTo(20);
    assertThat(report.get("serving").get("student_millis").get("count").asInt()).isEqualTo(20);
    JsonNode runs = report.get("end_to_end").get("runs");
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).get("checkpoint_interval_millis").asLong()).isEqualTo(1_000L);
    assertThat(runs.get(0).get("turns_measured").asLong()).isPositive();
    assertThat(runs.get(0).get("prediction_visible").get("p99").isNumber()).isTrue();
    assertThat(report.get("scale").get("points")).hasSize(2);
    assertThat(report.get("scale").get("broker").get("records").asLong()).isEqualTo(200);
    assertThat(report.get("quality").get("rows").get(0).get("test_turns").asLong()).isPositive();
    assertThat(report.get("quality").get("rows").get(1).get("onnx_bytes").asLong()).isPositive();
    assertThat(report.get("bars")).extracting(b -> b.get("name").asText()).containsExactly(
        "in-pipeline / raw teacher throughput (issue 3)", "student turns learned / teacher turns scored (issue 7)",
        "student serving speed-up, p50 (issue 4)");

    // And BENCHMARKS.md is the old content followed by exactly one new section
    String text = Files.readString(markdown);
    assertThat(text).startsWith(existing + "\n## Benchmark run ");
    assertThat(text.split("\n## Benchmark run ", -1)).hasSize(2);
    assertThat(text).contains("- Command: `bin/streamdistill bench --quick --data ");
    assertThat(text).contains("### 6. Quality per cost");
  }
}
