package org.streamdistill.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientSettingsTest {

  private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
      + "username=\"trainer\" password=\"s3cr3t-jaas\";";

  private static final ConfigDef DEF = new ConfigDef()
      .define("bootstrap.servers", ConfigDef.Type.STRING, "127.0.0.1:9092", ConfigDef.Importance.HIGH, "Kafka.")
      .define("replay.rate", ConfigDef.Type.DOUBLE, 0.0, ConfigDef.Importance.HIGH, "turns/s");

  private final ConfigLoader loader = new ConfigLoader(DEF, "STREAMDISTILL", Map.of()).withKafkaClientSettings();

  @Test
  void shouldCollectKafkaSettingsFromFileEnvironmentAndFlagsWithThePrefixRemoved(@TempDir Path dir) throws Exception {
    // Given a file, an environment variable and a flag, each with a kafka.* setting
    Path file = Files.writeString(dir.resolve("secure.properties"),
        "kafka.security.protocol=SASL_SSL\nkafka.sasl.mechanism=PLAIN\nkafka.linger.ms=1\n");

    // When they are loaded
    Map<String, Object> values = loader.load(List.of("--config", file.toString(), "--kafka.linger.ms", "7"),
        Map.of("STREAMDISTILL_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
            "STREAMDISTILL_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/truststore.p12",
            "OTHER_KAFKA_SASL_MECHANISM", "ignored"));
    KafkaClientSettings kafka = KafkaClientSettings.from(values);

    // Then the environment overrides the file, flags override both, and underscores became dots
    assertThat(kafka.values()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "linger.ms", "7",
        "ssl.truststore.location", "/etc/kafka/truststore.p12"));
    assertThat(values).containsEntry("replay.rate", 0.0);
  }

  @Test
  void shouldRefuseSettingsExactlyOnceDependsOnNamingTheKey() {
    for (String setting : List.of("isolation.level", "enable.idempotence", "transactional.id", "processing.guarantee",
        "enable.auto.commit", "group.id", "acks", "key.serializer", "value.serializer", "key.deserializer",
        "value.deserializer", "bootstrap.servers")) {
      assertThatThrownBy(() -> loader.load(List.of("--kafka." + setting, "x"), Map.of()))
          .as(setting).isInstanceOf(ConfigException.class)
          .hasMessageContaining("'kafka." + setting + "' is refused");
    }
    assertThatThrownBy(() -> loader.load(List.of(), Map.of("STREAMDISTILL_KAFKA_ISOLATION_LEVEL", "read_uncommitted")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'kafka.isolation.level' is refused")
        .hasMessageContaining("read_committed");
    assertThatThrownBy(() -> loader.load(List.of("--kafka.bootstrap.servers", "h:1"), Map.of()))
        .hasMessageContaining("use bootstrap.servers");
  }

  @Test
  void shouldRefuseAKafkaKeyNoClientKnowsWithoutPrintingItsValue() {
    assertThatThrownBy(() -> loader.load(List.of("--kafka.sasl.jass.config", JAAS), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown setting 'kafka.sasl.jass.config'")
        .hasMessageNotContaining("s3cr3t");
  }

  @Test
  void shouldRefuseKafkaKeysInACommandThatOpensNoKafkaClient() {
    ConfigLoader plain = new ConfigLoader(DEF, "STREAMDISTILL", Map.of());
    assertThatThrownBy(() -> plain.load(List.of("--kafka.security.protocol", "SSL"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown setting 'kafka.security.protocol'");
    assertThat(plain.load(List.of(), Map.of("STREAMDISTILL_KAFKA_SECURITY_PROTOCOL", "SSL")))
        .doesNotContainKey("kafka.security.protocol");
  }

  @Test
  void shouldHideSecretsInToStringAndHelp() {
    KafkaClientSettings kafka = KafkaClientSettings.from(Map.of(
        "kafka.sasl.jaas.config", JAAS, "kafka.ssl.truststore.password", "tr-pass-1",
        "kafka.ssl.keystore.password", "ks-pass-2", "kafka.ssl.key.password", "key-pass-3",
        "kafka.security.protocol", "SASL_SSL"));

    assertThat(kafka.toString()).contains("security.protocol=SASL_SSL").contains("sasl.jaas.config=[hidden]")
        .doesNotContain("s3cr3t").doesNotContain("tr-pass-1").doesNotContain("ks-pass-2").doesNotContain("key-pass-3");
    assertThat(kafka.masked()).containsEntry("ssl.truststore.password", "[hidden]")
        .containsEntry("security.protocol", "SASL_SSL");
    assertThat(loader.help()).contains("--kafka.<setting>").contains("isolation.level");
  }

  @Test
  void shouldApplyAfterAClientsOwnSettings() {
    KafkaClientSettings kafka = KafkaClientSettings.from(Map.of("kafka.linger.ms", "50", "other", "x"));
    Properties own = new Properties();
    own.put("linger.ms", 5);
    own.put("bootstrap.servers", "h:1");

    assertThat(kafka.applyTo(own)).containsEntry("linger.ms", "50").containsEntry("bootstrap.servers", "h:1")
        .hasSize(2);
    assertThat(kafka.withOwn(Map.of("linger.ms", 5, "client.id", "c"))).containsEntry("linger.ms", "50")
        .containsEntry("client.id", "c").hasSize(2);
    assertThat(KafkaClientSettings.from(Map.of("other", "x"))).isSameAs(KafkaClientSettings.NONE);
  }

  @Test
  void shouldBeSerializableForFlinkJobConfigs() throws Exception {
    KafkaClientSettings kafka = KafkaClientSettings.from(Map.of("kafka.security.protocol", "SSL"));
    try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
      out.writeObject(kafka);
    }
  }

  @Test
  void shouldLetKafkaReadSecretsFromFilesThroughTheFileConfigProvider(@TempDir Path dir) throws Exception {
    // Given a secrets file and settings that name its key instead of the secret
    Path secrets = Files.writeString(dir.resolve("kafka-secrets.properties"),
        "jaas=" + JAAS.replace("\"", "\\\"") + "\n");
    Map<String, String> settings = new HashMap<>();
    settings.put("kafka.config.providers", "file");
    settings.put("kafka.config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
    settings.put("kafka.sasl.jaas.config", "${file:" + secrets + ":jaas}");
    settings.put("kafka.security.protocol", "SASL_SSL");
    KafkaClientSettings kafka = KafkaClientSettings.from(loader.parse(settings));

    // When a Kafka client reads its configuration
    Map<String, Object> producer = kafka.withOwn(Map.of("bootstrap.servers", "127.0.0.1:9092",
        "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class));
    ProducerConfig config = new ProducerConfig(producer);

    // Then the client sees the secret, while our settings only ever held its address
    assertThat(config.getPassword(SaslConfigs.SASL_JAAS_CONFIG).value()).isEqualTo(JAAS);
    assertThat(kafka.values().get("sasl.jaas.config")).doesNotContain("s3cr3t");
  }
}
