package org.streamdistill.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON output's keys and values, on a fixed report (no timing is measured here). */
class BenchJsonTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void shouldWriteEverySectionUnderASnakeCaseKey(@TempDir Path dir) throws Exception {
    // Given a fixed report written as JSON
    Path file = dir.resolve("bench.json");
    BenchJson.write(BenchReports.fixed(), file);

    // When it is read back
    JsonNode json = MAPPER.readTree(Files.readString(file));

    // Then the top level names the run and every section, in order
    assertThat(fieldNames(json)).containsExactly("date", "command", "mode", "machine",
        "load_average_at", "wall_seconds", "teacher_bound", "student_training", "serving", "end_to_end", "scale",
        "quality", "bars", "notes");
    assertThat(fieldNames(json.get("machine"))).containsExactly("processors", "total_memory_bytes", "java_version",
        "java_vm", "os", "load_average_start", "load_average_end");
    assertThat(fieldNames(json.get("teacher_bound"))).containsExactly("teacher_version", "turns", "batch_size",
        "batch_max_wait_millis", "parallelism", "intra_op_threads", "checkpoint_interval_millis",
        "raw_batch1_per_second", "raw_batch_per_second", "job_per_second", "job_scoring_per_second", "dead_letters",
        "ratio", "rounds", "includes");
    assertThat(fieldNames(json.get("teacher_bound").get("rounds").get(0))).containsExactly("order", "raw_per_second",
        "job_per_second", "job_scoring_per_second", "job_seconds", "commit_tail_millis", "ratio");
    assertThat(fieldNames(json.get("student_training"))).containsExactly("model", "batch_size", "steps", "seconds",
        "updates_per_second", "examples_per_second", "predict_and_learn_per_second", "teacher_per_second", "ratio");
    assertThat(fieldNames(json.get("serving"))).containsExactly("turns", "teacher_millis", "student_millis",
        "student_model_millis", "speedup_p50", "speedup_p99");
    assertThat(fieldNames(json.get("serving").get("teacher_millis"))).containsExactly("count", "mean", "p50", "p95",
        "p99", "max");
    assertThat(fieldNames(json.get("end_to_end"))).containsExactly("capacity_per_second", "offered_per_second",
        "warmup_seconds", "measured_seconds", "trainer_commit_every_millis", "runs");
    assertThat(fieldNames(json.get("end_to_end").get("runs").get(0))).containsExactly("checkpoint_interval_millis",
        "turns_measured", "written_per_second", "soft_label_scored", "soft_label_visible", "prediction_made",
        "prediction_visible");
    assertThat(fieldNames(json.get("scale"))).containsExactly("points", "broker");
    assertThat(fieldNames(json.get("scale").get("points").get(0))).containsExactly("parallelism", "intra_op_threads",
        "raw_per_second", "job_per_second", "job_to_raw", "rounds");
    assertThat(fieldNames(json.get("scale").get("broker"))).containsExactly("records", "turn_bytes",
        "turn_produce_per_second", "turn_consume_per_second", "soft_label_bytes", "soft_label_produce_per_second",
        "soft_label_consume_per_second");
    assertThat(fieldNames(json.get("quality"))).containsExactly("accuracy_source", "accuracy_ratio",
        "serving_speedup", "rows");
    assertThat(fieldNames(json.get("quality").get("rows").get(0))).containsExactly("model", "source", "accuracy",
        "test_turns", "of_teacher", "latency_p50_millis", "speedup", "parameters", "onnx_bytes");
    assertThat(fieldNames(json.get("bars").get(0))).containsExactly("name", "value", "threshold", "met", "caveat");
  }

  @Test
  void shouldCarryTheFiguresUnchanged() throws Exception {
    JsonNode json = MAPPER.readTree(BenchJson.toJson(BenchReports.fixed()));

    assertThat(json.get("date").asText()).isEqualTo("2026-11-29T07:00:00Z");
    assertThat(json.get("mode").asText()).isEqualTo("quick");
    assertThat(json.get("machine").get("processors").asInt()).isEqualTo(2);
    assertThat(fieldNames(json.get("load_average_at"))).containsExactly("raw teacher", "job p1");
    assertThat(json.get("load_average_at").get("job p1").asText()).isEqualTo("1.25 0.50 0.31");
    assertThat(json.get("teacher_bound").get("ratio").asDouble()).isEqualTo(0.85);
    assertThat(json.get("teacher_bound").get("rounds")).hasSize(3);
    assertThat(json.get("teacher_bound").get("rounds").get(1).get("order").asText()).isEqualTo("job, raw");
    assertThat(json.get("serving").get("student_millis").get("p99").asDouble()).isEqualTo(0.3);
    assertThat(json.get("end_to_end").get("runs")).hasSize(2);
    assertThat(json.get("end_to_end").get("runs").get(1).get("soft_label_visible").get("p95").asDouble())
        .isEqualTo(2_000.0);
    assertThat(json.get("quality").get("rows").get(2).get("test_turns").isNull()).isTrue();
    assertThat(json.get("bars").get(3).get("met").asBoolean()).isFalse();
    assertThat(json.get("notes").get(0).asText()).isEqualTo("a note");
  }

  @Test
  void shouldWriteAMissingSectionAsNull() throws Exception {
    BenchReport full = BenchReports.fixed();
    BenchReport partial = new BenchReport(full.date(), full.command(), full.mode(), full.machine(),
        full.loadAverageAt(), full.wallSeconds(),
        full.teacherBound(), full.studentTraining(), null, null, null, null, full.bars(), full.notes());

    JsonNode json = MAPPER.readTree(BenchJson.toJson(partial));

    assertThat(json.get("serving").isNull()).isTrue();
    assertThat(json.get("end_to_end").isNull()).isTrue();
    assertThat(json.get("scale").isNull()).isTrue();
    assertThat(json.get("quality").isNull()).isTrue();
  }
}
