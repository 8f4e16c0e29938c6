package org.streamdistill.evaluator.lag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class LagConfigTest {

  @Test
  void shouldWatchThePipelineGroupsOnTheirCatalogueTopicsByDefault() {
    LagConfig config = LagConfig.parse(List.of(), Map.of());

    assertThat(config.monitor()).isEqualTo(new ConsumerLagMonitor.Settings("127.0.0.1:9092", List.of(
        new MonitoredGroup("teacher-stream", Set.of("dialogue.turns")),
        new MonitoredGroup("student-trainer", Set.of("teacher.soft-labels")),
        new MonitoredGroup("streamdistill-evaluator", Set.of("student.predictions"))),
        Duration.ofSeconds(2), 10, Duration.ofMinutes(1), Duration.ofSeconds(10)));
    assertThat(config.once()).isFalse();
    assertThat(config.httpPort()).isEqualTo(-1);
    assertThat(config.httpHost()).isEqualTo("127.0.0.1");
    assertThat(config.printInterval()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void shouldTakeShortFlagsABareOnceAndTheEnvironment() {
    LagConfig config = LagConfig.parse(List.of("--groups", "student-trainer, other", "--interval", "200",
        "--window", "4", "--stop-after=1500", "--namespace", "exp1", "--once"),
        Map.of("STREAMDISTILL_BOOTSTRAP_SERVERS", "broker:9093"));

    assertThat(config.monitor()).isEqualTo(new ConsumerLagMonitor.Settings("broker:9093", List.of(
        new MonitoredGroup("student-trainer", Set.of("exp1.teacher.soft-labels")),
        new MonitoredGroup("other", Set.of())),
        Duration.ofMillis(200), 4, Duration.ofMillis(1500), Duration.ofSeconds(10)));
    assertThat(config.once()).isTrue();
  }

  @Test
  void shouldWatchTheNamespacesOwnGroupsWhenNoGroupsAreGiven() {
    LagConfig config = LagConfig.parse(List.of("--namespace", "exp1"), Map.of());

    assertThat(config.monitor().groups()).containsExactly(
        new MonitoredGroup("exp1-teacher-stream", Set.of("exp1.dialogue.turns")),
        new MonitoredGroup("exp1-student-trainer", Set.of("exp1.teacher.soft-labels")),
        new MonitoredGroup("exp1-streamdistill-evaluator", Set.of("exp1.student.predictions")));
  }

  @Test
  void shouldStillTakeTheOldKeyNamesWithAWarning() {
    List<String> warnings = new java.util.ArrayList<>();

    LagConfig config = LagConfig.parse(List.of("--lag.bootstrap.servers", "old:9092"), Map.of(), warnings::add);

    assertThat(config.monitor().bootstrapServers()).isEqualTo("old:9092");
    assertThat(warnings).containsExactly("setting 'lag.bootstrap.servers' is deprecated and will be removed in the "
        + "next release: use 'bootstrap.servers'");
  }

  @Test
  void shouldNameTheFlagOfAnInvalidValue() {
    assertThatThrownBy(() -> LagConfig.parse(List.of("--interval", "-5"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value -5 for --interval (lag.interval.ms): Value must be at least 10");
  }

  @Test
  void shouldNameAnUnknownFlag() {
    assertThatThrownBy(() -> LagConfig.parse(List.of("--intervall", "200"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("unknown setting 'intervall'; known settings: [");
  }

  @Test
  void shouldRefuseOnceTogetherWithAnHttpPort() {
    assertThatThrownBy(() -> LagConfig.parse(List.of("--once", "--http-port", "9308"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--once prints one table and exits, --http-port serves until Ctrl-C: give one of them");
  }

  @Test
  void shouldRefuseAnEmptyGroupList() {
    assertThatThrownBy(() -> LagConfig.parse(List.of("--groups", ","), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Invalid value")
        .hasMessageContaining("for --groups (lag.groups): must name at least one consumer group");
  }
}
