package org.streamdistill.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.evaluator.metrics.MetricsSettings;
import org.streamdistill.evaluator.promotion.PromotionSettings;

class EvaluatorConfigTest {

  @TempDir
  Path dir;

  @Test
  void shouldDefaultEveryKey() {
    EvaluatorConfig config = new EvaluatorConfig(Map.of());

    assertThat(config.bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(config.schemaRegistryUrl()).isEqualTo("http://127.0.0.1:8081");
    assertThat(config.applicationId()).isEqualTo("streamdistill-evaluator");
    assertThat(config.topicNamespace()).isEmpty();
    assertThat(config.stateDir()).isEmpty();
    assertThat(config.windowSize()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.windowAdvance()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.windowGrace()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.modelName()).isEqualTo("student");
    assertThat(config.promotionSettings()).isEqualTo(PromotionSettings.defaults());
    assertThat(config.metricsSettings()).isEqualTo(new MetricsSettings(Duration.ofSeconds(10), Duration.ofSeconds(10),
        Duration.ofSeconds(5), 1_000, 200, Duration.ofHours(1), "oos", 512));
    assertThat(config.predictionsTopic().name()).isEqualTo("student.predictions");
    assertThat(config.metricsTopic().name()).isEqualTo("evaluator.metrics");
    assertThat(config.promotionsTopic().name()).isEqualTo("model.promotions");
    assertThat(config.streamsOverrides()).isEmpty();
  }

  @Test
  void shouldParseStringsAndNamespaceTopics() {
    EvaluatorConfig config = new EvaluatorConfig(Map.of(
        EvaluatorConfig.TOPIC_NAMESPACE, "exp1",
        EvaluatorConfig.PROMOTION_MIN_PAIRED, "50",
        EvaluatorConfig.PROMOTION_MARGIN, "0.05",
        EvaluatorConfig.PROMOTION_HOLD_EVENTS, "false",
        EvaluatorConfig.WINDOW_SIZE_MS, "60000",
        EvaluatorConfig.WINDOW_ADVANCE_MS, "15000"));

    assertThat(config.promotionSettings()).isEqualTo(new PromotionSettings(50, 100, 0.05, 0.01, 200, false, 0.0,
        2_000));
    assertThat(config.windowAdvance()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.predictionsTopic().name()).isEqualTo("exp1.student.predictions");
    assertThat(config.predictionsTopic().deadLetterTopic()).isEqualTo("exp1.student.predictions.dlq");
    assertThat(config.metricsTopic().name()).isEqualTo("exp1.evaluator.metrics");
    assertThat(config.promotionsTopic().name()).isEqualTo("exp1.model.promotions");
  }

  @Test
  void shouldParseTheMetricsAndRollbackKeys() {
    EvaluatorConfig config = new EvaluatorConfig(Map.of(
        EvaluatorConfig.METRICS_LAST_TURNS, "500",
        EvaluatorConfig.METRICS_LAST_TURNS_EVERY, "50",
        EvaluatorConfig.METRICS_LAST_TURNS_RETENTION_MS, "60000",
        EvaluatorConfig.METRICS_OOS_LABEL, "out_of_scope",
        EvaluatorConfig.METRICS_LATENCY_SAMPLE_SIZE, "128",
        EvaluatorConfig.PROMOTION_ROLLBACK_MARGIN, "0.01"));

    assertThat(config.metricsSettings()).isEqualTo(new MetricsSettings(Duration.ofSeconds(10), Duration.ofSeconds(10),
        Duration.ofSeconds(5), 500, 50, Duration.ofMinutes(1), "out_of_scope", 128));
    assertThat(config.promotionSettings().rollbackMargin()).isEqualTo(0.01);
    assertThatThrownBy(() -> new EvaluatorConfig(Map.of(EvaluatorConfig.METRICS_OOS_LABEL, " ")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(EvaluatorConfig.METRICS_OOS_LABEL);
    assertThatThrownBy(() -> new EvaluatorConfig(Map.of(EvaluatorConfig.PROMOTION_ROLLBACK_MARGIN, "-0.1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(EvaluatorConfig.PROMOTION_ROLLBACK_MARGIN);
  }

  @Test
  void shouldRejectAnUnknownKeyByName() {
    assertThatThrownBy(() -> new EvaluatorConfig(Map.of("evaluator.promotion.min-pairs", "10")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("unknown configuration key evaluator.promotion.min-pairs; known keys: ");
  }

  @Test
  void shouldRejectAnInvalidValueNamingTheKey() {
    assertThatThrownBy(() -> new EvaluatorConfig(Map.of(EvaluatorConfig.PROMOTION_MIN_PAIRED, "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value 0 for configuration evaluator.promotion.min-paired: Value must be at least 1");
    assertThatThrownBy(() -> new EvaluatorConfig(Map.of(EvaluatorConfig.PROMOTION_ALPHA, "1.5")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value 1.5 for configuration evaluator.promotion.alpha: must be > 0 and < 1");
    assertThatThrownBy(() -> new EvaluatorConfig(Map.of(EvaluatorConfig.WINDOW_SIZE_MS, "ten seconds")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("evaluator.window.size.ms");
  }

  @Test
  void shouldRejectAnAdvanceLongerThanTheWindow() {
    assertThatThrownBy(() -> new EvaluatorConfig(Map.of(
        EvaluatorConfig.WINDOW_SIZE_MS, 10_000L, EvaluatorConfig.WINDOW_ADVANCE_MS, 20_000L)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value 20000 for configuration evaluator.window.advance.ms: must be at most"
            + " evaluator.window.size.ms (10000), or windows would leave gaps between them");
  }

  @Test
  void shouldPassKafkaStreamsSettingsThroughWithoutThePrefix() {
    EvaluatorConfig config = new EvaluatorConfig(Map.of(
        "evaluator.streams.commit.interval.ms", "200",
        "evaluator.streams.num.stream.threads", "2",
        "evaluator.streams.producer.linger.ms", "5"));

    assertThat(config.streamsOverrides()).containsExactly(
        Map.entry("commit.interval.ms", "200"),
        Map.entry("num.stream.threads", "2"),
        Map.entry("producer.linger.ms", "5"));
  }

  @Test
  void shouldRejectUnknownOrOwnedKafkaStreamsSettings() {
    assertThatThrownBy(() -> new EvaluatorConfig(Map.of("evaluator.streams.comit.interval.ms", "200")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Invalid value 200 for configuration evaluator.streams.comit.interval.ms:"
            + " 'comit.interval.ms' is not a Kafka Streams setting");
    assertThatThrownBy(() -> new EvaluatorConfig(Map.of("evaluator.streams.application.id", "other")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value other for configuration evaluator.streams.application.id: the evaluator sets"
            + " application.id itself: set evaluator.application.id instead");
  }

  @Test
  void shouldLetEnvironmentOverrideTheFileAndFlagsOverrideBothWithOldVariablesStillRead() throws IOException {
    Path file = dir.resolve("evaluator.properties");
    Files.writeString(file, String.join("\n",
        "evaluator.promotion.min-paired = 300",
        "evaluator.promotion.cooldown-turns = 50",
        "evaluator.application.id = from-file"));
    Map<String, String> environment = Map.of(
        "STREAMDISTILL_EVALUATOR_PROMOTION_MIN_PAIRED", "400",
        "EVALUATOR_APPLICATION_ID", "from-old-env",
        "EVALUATOR_BOOTSTRAP_SERVERS", "old:9092",
        "UNRELATED_VARIABLE", "ignored");
    java.util.List<String> warnings = new java.util.ArrayList<>();

    EvaluatorConfig config = EvaluatorConfig.parse(java.util.List.of("--config", file.toString(),
        "--evaluator.promotion.cooldown-turns", "60"), environment, warnings::add);

    assertThat(config.promotionSettings().minPaired()).isEqualTo(400);
    assertThat(config.promotionSettings().cooldownTurns()).isEqualTo(60);
    assertThat(config.applicationId()).isEqualTo("from-old-env");
    assertThat(config.bootstrapServers()).isEqualTo("old:9092");
    assertThat(warnings).containsExactlyInAnyOrder(
        "environment variable EVALUATOR_APPLICATION_ID is deprecated and will be removed in the next release: use "
            + "STREAMDISTILL_EVALUATOR_APPLICATION_ID",
        "environment variable EVALUATOR_BOOTSTRAP_SERVERS is deprecated and will be removed in the next release: use "
            + "STREAMDISTILL_BOOTSTRAP_SERVERS");
  }

  @Test
  void shouldNameAMissingConfigurationFile() {
    Path missing = dir.resolve("absent.properties");
    assertThatThrownBy(() -> EvaluatorConfig.parse(java.util.List.of("--config", missing.toString()), Map.of(),
        w -> { }))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("cannot read config file " + missing);
  }

  @Test
  void shouldTakeTheApplicationIdFromTheCatalogueInTheNamespaceUnlessSet() {
    assertThat(EvaluatorConfig.parse(java.util.List.of("--topic.namespace", "exp1"), Map.of(), w -> { })
        .applicationId()).isEqualTo("exp1-streamdistill-evaluator");
    assertThat(EvaluatorConfig.parse(java.util.List.of("--topic.namespace", "exp1", "--evaluator.application.id",
        "mine"), Map.of(), w -> { }).applicationId()).isEqualTo("mine");
  }

  @Test
  void shouldHandKafkaClientSettingsToEveryStreamsClientAndRefuseProcessingGuarantee() {
    EvaluatorConfig config = EvaluatorConfig.parse(java.util.List.of("--kafka.security.protocol", "SASL_SSL",
        "--kafka.sasl.mechanism", "SCRAM-SHA-512"), Map.of(), w -> { });
    java.util.Properties props = org.streamdistill.evaluator.app.EvaluatorApp.streamsProperties(config,
        new org.streamdistill.evaluator.deadletter.DeadLetterCounter());

    assertThat(props).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("processing.guarantee", "exactly_once_v2");
    assertThatThrownBy(() -> EvaluatorConfig.parse(java.util.List.of("--kafka.processing.guarantee", "at_least_once"),
        Map.of(), w -> { })).hasMessageContaining("'kafka.processing.guarantee' is refused");
  }
}
