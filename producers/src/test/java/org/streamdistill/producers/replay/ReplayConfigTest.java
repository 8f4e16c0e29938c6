package org.streamdistill.producers.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ReplayConfigTest {

  @Test
  void shouldUseDefaultsThenFlags() {
    ReplayConfig config = ReplayConfig.parse(List.of("--rate", "250", "--passes", "2"), Map.of());

    assertThat(config.ratePerSecond()).isEqualTo(250.0);
    assertThat(config.options()).isEqualTo(new ReplayOptions(2, true, 0.1, 42, 0, 6));
    assertThat(config.data().toString()).endsWith("data_full.json");
  }

  @Test
  void shouldRefuseANegativeRateNamingTheKey() {
    assertThatThrownBy(() -> ReplayConfig.parse(List.of("--rate", "-5"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("replay.rate").hasMessageContaining("-5");
  }
}
