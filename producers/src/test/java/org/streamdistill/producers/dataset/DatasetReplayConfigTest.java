package org.streamdistill.producers.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class DatasetReplayConfigTest {

  @Test
  void shouldReadTheMappingPaceAndNameFromFlags() {
    DatasetReplayConfig config = DatasetReplayConfig.parse(List.of("--path", "/data/Bank Chats.tsv",
        "--text-column", "utterance", "--timestamp-column", "ts", "--pace", "original", "--speed", "60"), Map.of());

    assertThat(config.format()).isEqualTo(DatasetFormat.CSV);
    assertThat(config.delimiter()).isEqualTo('\t');
    assertThat(config.columns()).isEqualTo(new ColumnMapping("utterance", null, null, "ts", null));
    assertThat(config.originalPace()).isTrue();
    assertThat(config.speed()).isEqualTo(60.0);
    assertThat(config.options().name()).isEqualTo("bank-chats");
    assertThat(config.options().timestampOrder()).isTrue();
    assertThat(config.path()).isEqualTo(Path.of("/data/Bank Chats.tsv"));
  }

  @Test
  void shouldRefuseTheOriginalPaceWithoutATimestampColumn() {
    assertThatThrownBy(() -> DatasetReplayConfig.parse(List.of("--path", "a.jsonl", "--pace", "original"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("replay.pace=original needs dataset.column.timestamp (the column holding each utterance's time)");
  }

  @Test
  void shouldRefuseShuffleWithTheOriginalPaceAndAnUnknownExtension() {
    assertThatThrownBy(() -> DatasetReplayConfig.parse(List.of("--path", "a.jsonl", "--pace", "original",
        "--timestamp-column", "ts", "--replay.shuffle", "true"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("replay.shuffle=true cannot be combined");
    assertThatThrownBy(() -> DatasetReplayConfig.parse(List.of("--path", "a.txt"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("dataset.format: cannot tell the format of a.txt from its extension; set the format to jsonl or csv");
  }

  @Test
  void shouldRequireThePath() {
    assertThatThrownBy(() -> DatasetReplayConfig.parse(List.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("dataset.path");
  }
}
