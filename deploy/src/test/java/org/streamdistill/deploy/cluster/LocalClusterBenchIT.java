package org.streamdistill.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
import org.streamdistill.deploy.bench.BenchCommand;
import org.streamdistill.deploy.teacher.SmallTeacherBundle;

/**
 * {@code bench --cluster}, seeded and shrunk: the local cluster comes up without the stages, the job
 * is measured at parallelism 1, rescaled to 2 through a savepoint and measured again, against raw
 * teachers; the JSON and the Markdown section hold the figures, every ratio is the quotient of the
 * figures beside it, and nothing of the cluster is left running. Asserts structure and arithmetic,
 * never a speed.
 */
class LocalClusterBenchIT {

  @Test
  void shouldMeasureTheJobOnTheClusterAtParallelismOneAndTwoAndStopTheCluster(@TempDir Path dir) throws Exception {
    // Given a small real teacher and a BENCHMARKS.md that already holds a section
    Path data = SmallTeacherBundle.clinc150Path();
    Path bundle = dir.resolve("bundle");
    SmallTeacherBundle.fitAndSave(Clinc150.read(data), data, 2, bundle);
    Path markdown = dir.resolve("BENCHMARKS.md");
    String existing = "# Benchmarks\n\n## An earlier run\n\nkept as it is\n";
    Files.writeString(markdown, existing);
    Path json = dir.resolve("cluster.json");
    Path work = dir.resolve("work");

    // When bench --cluster runs with tiny sizes and a fixed seed
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = BenchCommand.run(List.of("--cluster", "--quick", "--data", data.toString(), "--teacher-bundle",
            bundle.toString(), "--work-dir", work.toString(), "--json", json.toString(), "--markdown",
            markdown.toString(), "--turns", "80", "--seed", "7", "--bench.warmup-turns", "16",
            "--bench.cluster.base-port", Integer.toString(LocalClusterFailuresIT.freeBasePort()),
            "--bench.cluster.job-jar", LocalClusterFailuresIT.jobJar().toString(),
            "--bench.teacher.checkpoint.interval-ms", "500", "--bench.cluster.jvm-flags", LocalClusterFailuresIT.QUICK_JIT),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

    // Then it succeeds with both points measured on the cluster
    assertThat(code).as("exit code; stdout:\n%s\nstderr:\n%s", out, err).isZero();
    JsonNode report = new ObjectMapper().readTree(json.toFile());
    assertThat(report.get("mode").asText()).isEqualTo("cluster, quick");
    assertThat(report.get("command").asText()).startsWith("bin/streamdistill bench --cluster --quick");
    assertThat(report.get("notes")).as("failures are notes").noneMatch(n -> n.asText().contains("failed"));
    JsonNode scale = report.get("cluster_scale");
    assertThat(scale.get("turns").asInt()).isEqualTo(80);
    assertThat(scale.get("task_managers").asInt()).isEqualTo(2);
    assertThat(scale.get("kafka_nodes").asInt()).isEqualTo(3);
    assertThat(scale.get("checkpoint_interval_millis").asLong()).isEqualTo(500);
    assertThat(scale.get("dead_letters").asLong()).isZero();
    JsonNode points = scale.get("points");
    assertThat(points).extracting(p -> p.get("parallelism").asInt()).containsExactly(1, 2);
    assertThat(points).extracting(p -> p.get("intra_op_threads").asInt()).containsExactly(1, 1);
    for (JsonNode point : points) {
      assertThat(point.get("rounds")).hasSize(1);
      JsonNode round = point.get("rounds").get(0);
      assertThat(round.get("order").asText()).isEqualTo("raw, job");
      assertThat(round.get("raw_per_second").asDouble()).isPositive();
      assertThat(round.get("job_per_second").asDouble()).isPositive();
      assertThat(round.get("ratio").asDouble()).isCloseTo(
          round.get("job_per_second").asDouble() / round.get("raw_per_second").asDouble(), within(1e-9));
      assertThat(point.get("job_to_raw").asDouble()).isEqualTo(round.get("ratio").asDouble());
    }
    assertThat(scale.get("job_speedup").asDouble()).isCloseTo(points.get(1).get("job_per_second").asDouble()
        / points.get(0).get("job_per_second").asDouble(), within(1e-9));
    assertThat(scale.get("raw_speedup").asDouble()).isCloseTo(points.get(1).get("raw_per_second").asDouble()
        / points.get(0).get("raw_per_second").asDouble(), within(1e-9));
    assertThat(BenchJsonKeys.of(report.get("load_average_at")))
        .containsExactly("cluster, parallelism 1", "cluster, parallelism 2");

    // and one Markdown section is appended after what was there
    String written = Files.readString(markdown);
    assertThat(written).startsWith(existing);
    String section = written.substring(existing.length());
    assertThat(section).contains("## Benchmark run ", "(cluster, quick)", "- Command: `bin/streamdistill bench",
        "- Machine: ", "### Scale-out on the local Flink cluster", "Rounds at parallelism 1", "Rounds at parallelism 2");
    assertThat(section.split("## Benchmark run ", -1)).as("one section appended").hasSize(2);

    // and the cluster is down: no process it recorded still runs
    ClusterState state = ClusterState.read(work.resolve("cluster")).orElseThrow();
    assertThat(state.processes()).containsKeys("kafka-1", "kafka-2", "kafka-3", "registry", "jobmanager",
        "taskmanager-1", "taskmanager-2").doesNotContainKeys("trainer", "evaluator", "ingest");
    assertThat(state.processes().values()).allSatisfy(p ->
        assertThat(LocalCluster.alive(p)).as("pid " + p.pid()).isEmpty());
  }

  /** Field names of a JSON object, in order. */
  private static final class BenchJsonKeys {
    static List<String> of(JsonNode node) {
      List<String> names = new java.util.ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      return names;
    }
  }
}
