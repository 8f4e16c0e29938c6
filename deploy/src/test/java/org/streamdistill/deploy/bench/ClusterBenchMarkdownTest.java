package org.streamdistill.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.deploy.bench.BenchReport.Round;
import org.streamdistill.deploy.bench.BenchReport.ScalePoint;

/** The section of a {@code bench --cluster} run: header, the table of both points, their rounds, as JSON too. */
class ClusterBenchMarkdownTest {

  static ClusterBenchReport fixed() {
    ScalePoint one = new ScalePoint(1, 1, 120.0, 96.0, 0.8, List.of(
        new Round("raw, job", 120.0, 96.0, 100.0, 15.625, 400, 0.8)));
    ScalePoint two = new ScalePoint(2, 1, 230.0, 172.5, 0.75, List.of(
        new Round("raw, job", 230.0, 172.5, 180.0, 8.696, 350, 0.75)));
    ClusterScaleOut.ClusterScale scale = new ClusterScaleOut.ClusterScale(2, 3, 2_000, 32, 1_500,
        List.of(one, two), 172.5 / 96.0, 230.0 / 120.0, 0);
    Map<String, String> loads = new LinkedHashMap<>();
    loads.put("cluster, parallelism 1", "1.50 1.20 1.00");
    loads.put("cluster, parallelism 2", "2.50 1.40 1.10");
    return new ClusterBenchReport("2026-12-03T19:40:00Z", "bin/streamdistill bench --cluster", "cluster",
        BenchReports.MACHINE, loads, 300, scale, List.of());
  }

  @Test
  void shouldRenderBothPointsTheirSpeedUpsAndRounds() {
    String section = BenchMarkdown.render(fixed());

    assertThat(section).startsWith("## Benchmark run 2026-12-03T19:40:00Z (cluster)\n\n"
        + "- Command: `bin/streamdistill bench --cluster`\n");
    assertThat(section).contains("- Load average (1 min) as each measurement started: cluster, parallelism 1 1.50, "
        + "cluster, parallelism 2 2.50\n");
    assertThat(section).contains("### Scale-out on the local Flink cluster\n");
    assertThat(section).contains("| 1 | 1 | 120.0 | 96.0 | 0.800 |\n| 2 | 1 | 230.0 | 172.5 | 0.750 |\n");
    assertThat(section).contains("Parallelism 2 / parallelism 1: job 1.80, raw 1.92. Dead letters: 0.\n");
    assertThat(section).contains("Rounds at parallelism 1:", "Rounds at parallelism 2:",
        "| 1 | raw, job | 230.0 | 172.5 | 180.0 | 0.750 | 8.7 | 350 |\n");
    assertThat(section).doesNotContain("### Notes");
  }

  @Test
  void shouldAppendAfterWhatIsThereAndWriteTheSameFiguresAsJson(@TempDir Path dir) throws Exception {
    Path markdown = dir.resolve("BENCHMARKS.md");
    Files.writeString(markdown, "# Benchmarks\n\nearlier\n");

    BenchMarkdown.append(fixed(), markdown);
    String json = BenchJson.toJson(fixed());

    assertThat(Files.readString(markdown)).isEqualTo("# Benchmarks\n\nearlier\n\n" + BenchMarkdown.render(fixed()));
    assertThat(json).contains("\"cluster_scale\"", "\"job_speedup\" : 1.796875", "\"raw_speedup\" : 1.9166666666666667",
        "\"job_to_raw\" : 0.75");
  }
}
