package org.streamdistill.producers.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TopicReplayConfigTest {

  @Test
  void shouldReadTheNamespaceAndATimeRange() {
    TopicReplayConfig config = TopicReplayConfig.parse(List.of("--experiment", "exp1", "--from-time",
        "2024-05-01T12:00:00Z", "--to-time", "1714568400000", "--sample-fraction", "0.5"), Map.of());

    assertThat(config.experimentNamespace()).isEqualTo("exp1");
    assertThat(config.sourceNamespace()).isEmpty();
    assertThat(config.fromTime()).isEqualTo(Instant.parse("2024-05-01T12:00:00Z"));
    assertThat(config.toTime()).isEqualTo(Instant.parse("2024-05-01T13:00:00Z"));
    assertThat(config.fromOffsets().isPresent()).isFalse();
    assertThat(config.sampleFraction()).isEqualTo(0.5);
  }

  @Test
  void shouldRefuseAMissingOrInvalidNamespaceAndTheSourceAsTarget() {
    assertThatThrownBy(() -> TopicReplayConfig.parse(List.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("experiment.namespace");
    assertThatThrownBy(() -> TopicReplayConfig.parse(List.of("--experiment", "Exp 1"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("experiment.namespace");
    assertThatThrownBy(() -> TopicReplayConfig.parse(List.of("--experiment", "a", "--source", "a"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("must differ");
  }

  @Test
  void shouldRefuseBothOffsetsAndTimesForOneEndAndAnInvertedTimeRange() {
    assertThatThrownBy(() -> TopicReplayConfig.parse(List.of("--experiment", "a", "--from-offsets", "0",
        "--from-time", "0"), Map.of()))
        .hasMessage("give either replay.from-offsets or replay.from-time, not both");
    assertThatThrownBy(() -> TopicReplayConfig.parse(List.of("--experiment", "a", "--from-time", "2000",
        "--to-time", "1000"), Map.of()))
        .hasMessage("replay.from-time (1970-01-01T00:00:02Z) must be before replay.to-time (1970-01-01T00:00:01Z)");
    assertThatThrownBy(() -> TopicReplayConfig.parse(List.of("--experiment", "a", "--to-offsets", "0:x"), Map.of()))
        .hasMessage("replay.to-offsets: 'x' is not an offset");
  }
}
