package org.streamdistill.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class BenchConfigTest {

  @Test
  void shouldMeasureTheWholeTestSplitAndThreeCheckpointIntervalsByDefault() {
    BenchConfig config = BenchConfig.parse(List.of(), Map.of());

    assertThat(config.quick()).isFalse();
    assertThat(config.turns()).isEqualTo(5_500);
    assertThat(config.rounds()).isEqualTo(3);
    assertThat(config.checkpointIntervalsMillis()).containsExactly(500L, 2_000L, 5_000L);
    assertThat(config.markdown()).isEqualTo(Path.of("BENCHMARKS.md"));
    assertThat(config.json()).isNull();
    assertThat(config.demoSummary()).isNull();
    // the job's own defaults
    assertThat(config.batchMaxSize()).isEqualTo(32);
    assertThat(config.batchMaxWaitMillis()).isEqualTo(50L);
    assertThat(config.checkpointIntervalMillis()).isEqualTo(2_000L);
  }

  @Test
  void shouldShrinkTheSizesWithQuickButKeepWhatIsGivenExplicitly() {
    BenchConfig config = BenchConfig.parse(List.of("--quick", "--turns", "200", "--json", "out/b.json"),
        Map.of("STREAMDISTILL_BENCH_E2E_SECONDS", "7"));

    assertThat(config.quick()).isTrue();
    assertThat(config.turns()).isEqualTo(200);
    assertThat(config.rounds()).isEqualTo(1);
    assertThat(config.e2eSeconds()).isEqualTo(7.0);
    assertThat(config.checkpointIntervalsMillis()).containsExactly(1_000L);
    assertThat(config.servingTurns()).isEqualTo(150);
    assertThat(config.qualityTestTurns()).isEqualTo(500);
    assertThat(config.json()).isEqualTo(Path.of("out/b.json"));
  }

  @Test
  void shouldRunOnlyTheClusterScaleOutWithClusterOnTheLocalClustersDefaultPort() {
    BenchConfig plain = BenchConfig.parse(List.of(), Map.of());
    BenchConfig cluster = BenchConfig.parse(List.of("--cluster", "--quick", "--bench.cluster.job-jar", "job.jar"),
        Map.of());

    assertThat(plain.cluster()).isFalse();
    assertThat(cluster.cluster()).isTrue();
    assertThat(cluster.quick()).isTrue();
    assertThat(cluster.rounds()).isEqualTo(1);
    assertThat(cluster.clusterBasePort()).isEqualTo(29_090);
    assertThat(cluster.clusterJobJar()).isEqualTo("job.jar");
  }

  @Test
  void shouldRejectACheckpointIntervalThatIsNotANumberNamingTheKey() {
    assertThatThrownBy(() -> BenchConfig.parse(List.of("--checkpoint-intervals-ms", "500,fast"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bench.e2e.checkpoint-intervals-ms")
        .hasMessageContaining("fast");
  }

  @Test
  void shouldRejectTooFewTurnsNamingTheKey() {
    assertThatThrownBy(() -> BenchConfig.parse(List.of("--turns", "3"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bench.turns");
  }

  @Test
  void shouldTakeTheMiddleValueAsTheMedian() {
    assertThat(BenchCommand.median(new double[] {0.9, 0.5, 0.7})).isEqualTo(0.7);
    assertThat(BenchCommand.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    assertThat(BenchCommand.median(new double[] {0.48})).isEqualTo(0.48);
    assertThat(BenchCommand.median(new double[0])).isNaN();
  }

  @Test
  void shouldCallRoundsThatDisagreeByMoreThanAQuarterUnreliable() {
    assertThat(BenchCommand.spreadCaveat(new double[] {0.831, 0.848, 0.952})).isNull();
    assertThat(BenchCommand.spreadCaveat(new double[] {0.729, 1.269, 1.653}))
        .isEqualTo("the rounds disagree (job / raw from 0.729 to 1.653): the machine's load changed during them; "
            + "rerun on a quieter machine");
    assertThat(BenchCommand.spreadCaveat(new double[] {0.5})).isNull();
  }

  @Test
  void shouldRecordTheCommandLineWithTheBenchVariablesThatChangedSettings() {
    String line = BenchCommand.commandLine(List.of("--quick", "--json", "my file.json"),
        Map.of("STREAMDISTILL_BENCH_E2E_SECONDS", "7", "HOME", "/root"));

    assertThat(line)
        .isEqualTo("STREAMDISTILL_BENCH_E2E_SECONDS=7 bin/streamdistill bench --quick --json 'my file.json'");
  }
}
