package org.streamdistill.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  private static final ConfigDef DEF = new ConfigDef()
      .define("replay.rate", ConfigDef.Type.DOUBLE, 0.0, ConfigDef.Range.atLeast(0), ConfigDef.Importance.HIGH, "turns/s")
      .define("replay.seed", ConfigDef.Type.LONG, 42L, ConfigDef.Importance.LOW, "seed")
      .define("replay.source", ConfigDef.Type.STRING, "clinc150", ConfigDef.Importance.LOW, "source");

  private final ConfigLoader loader = new ConfigLoader(DEF, "SD", Map.of("rate", "replay.rate"));

  @Test
  void shouldApplyFileThenEnvironmentThenFlags(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("app.properties"), "replay.rate=1\nreplay.seed=1\nreplay.source=file\n");

    Map<String, Object> config = loader.load(
        List.of("--config", file.toString(), "--rate", "3"),
        Map.of("SD_REPLAY_SEED", "2", "SD_REPLAY_RATE", "2"));

    assertThat(config).containsEntry("replay.rate", 3.0).containsEntry("replay.seed", 2L)
        .containsEntry("replay.source", "file");
  }

  @Test
  void shouldListTheGivenSettingsInKeyOrderWithEverySecretHidden(@TempDir Path dir) throws Exception {
    // Given a loader with a password and Kafka client settings, a file, the environment and a flag
    ConfigDef def = new ConfigDef(DEF).define("replay.token", ConfigDef.Type.PASSWORD, null,
        ConfigDef.Importance.LOW, "token");
    ConfigLoader kafkaLoader = new ConfigLoader(def, "SD", Map.of("rate", "replay.rate")).withKafkaClientSettings();
    Path file = dir.resolve("replay.properties");
    Files.writeString(file, "replay.seed=7\nkafka.sasl.jaas.config=org.Login required password=\"s3cret\";\n");

    String given = kafkaLoader.given(List.of("--config", file.toString(), "--rate", "45"),
        Map.of("SD_REPLAY_TOKEN", "t0ken", "SD_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"));

    // Then the line holds what was given, not the defaults, and no secret
    assertThat(given).isEqualTo("kafka.sasl.jaas.config=[hidden], kafka.security.protocol=SASL_SSL, "
        + "replay.rate=45, replay.seed=7, replay.token=[hidden]");
    assertThat(loader.given(List.of(), Map.of())).isEqualTo("none (every setting at its default)");
  }

  @Test
  void shouldFillDefaults() {
    assertThat(loader.load(List.of(), Map.of()))
        .containsEntry("replay.rate", 0.0).containsEntry("replay.seed", 42L).containsEntry("replay.source", "clinc150");
  }

  @Test
  void shouldNameTheKeyOfAnInvalidValue() {
    assertThatThrownBy(() -> loader.load(List.of("--rate=-5"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("replay.rate").hasMessageContaining("-5");
  }

  @Test
  void shouldRefuseUnknownKeysAndDanglingFlags() {
    assertThatThrownBy(() -> loader.load(List.of("--rat", "5"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown setting 'rat'");
    assertThatThrownBy(() -> loader.load(List.of("--rate"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("--rate needs a value");
    assertThatThrownBy(() -> loader.load(List.of("rate"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unexpected argument 'rate'");
  }

  @Test
  void shouldAcceptOldNamesAndSetFlagsWithAWarningNamingTheNewKey() {
    ConfigLoader renaming = new ConfigLoader(DEF, "SD", Map.of(), List.of("replay.extra."),
        Map.of("old.rate", "replay.rate", "old.seed", "replay.seed"));
    List<String> warnings = new java.util.ArrayList<>();

    Map<String, String> raw = renaming.collect(List.of("--old.rate", "5", "--set", "replay.extra.x = 1",
        "--old.seed", "9", "--replay.seed", "10"), Map.of(), warnings::add);

    assertThat(raw).containsExactlyInAnyOrderEntriesOf(Map.of("replay.rate", "5", "replay.extra.x", "1",
        "replay.seed", "10"));
    assertThat(warnings).containsExactlyInAnyOrder(
        "--set is deprecated and will be removed in the next release: use --replay.extra.x 1",
        "setting 'old.rate' is deprecated and will be removed in the next release: use 'replay.rate'",
        "setting 'old.seed' is deprecated and will be removed in the next release: use 'replay.seed'");
    assertThatThrownBy(() -> renaming.collect(List.of("--replay.other", "1"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown setting 'replay.other'").hasMessageContaining("settings under [replay.extra.]");
    assertThatThrownBy(() -> renaming.collect(List.of("--set", "no-equals"), Map.of()))
        .hasMessage("--set expects key=value, got 'no-equals'");
  }

  @Test
  void shouldDescribeValidValuesInHelpButNotAnonymousValidators() {
    ConfigDef def = new ConfigDef()
        .define("a.range", ConfigDef.Type.INT, 1, ConfigDef.Range.between(1, 9), ConfigDef.Importance.HIGH, "a")
        .define("a.lambda", ConfigDef.Type.STRING, "x", (name, value) -> { }, ConfigDef.Importance.HIGH, "b");

    String help = new ConfigLoader(def, "SD", Map.of()).help();

    assertThat(help).contains("--a.range  [int, default 1, valid: [1,...,9]]").contains("--a.lambda  [string, default x]");
    // And it says where settings come from, the environment variable of a key included
    assertThat(help.lines().findFirst().orElseThrow()).contains("--config FILE").contains("SD_A_LAMBDA for a.lambda");
  }

  @Test
  void shouldReadSeveralConfigFilesInOrderTheLaterWinning(@TempDir Path dir) throws Exception {
    Path stage = Files.writeString(dir.resolve("stage.properties"), "replay.rate=1\nreplay.seed=1\n");
    Path shared = Files.writeString(dir.resolve("shared.properties"), "replay.seed=2\n");

    Map<String, Object> config = loader.load(List.of("--config", stage.toString(), "--config", shared.toString()),
        Map.of());

    assertThat(config).containsEntry("replay.rate", 1.0).containsEntry("replay.seed", 2L);
  }
}
