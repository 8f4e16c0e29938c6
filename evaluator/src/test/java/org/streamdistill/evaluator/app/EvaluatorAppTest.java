package org.streamdistill.evaluator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.evaluator.deadletter.DeadLetterCounter;
import org.streamdistill.evaluator.deadletter.DeadLetterDeserializationHandler;
import org.streamdistill.schemas.registry.InMemorySchemaRegistryClient;

class EvaluatorAppTest {

  @TempDir
  Path stateDir;

  @Test
  void shouldConfigureKafkaStreamsForExactlyOnceAndDeadLetters() {
    // Given
    EvaluatorConfig config = new EvaluatorConfig(Map.of(
        EvaluatorConfig.BOOTSTRAP_SERVERS, "broker:9092",
        EvaluatorConfig.APPLICATION_ID, "evaluator-exp1",
        EvaluatorConfig.STATE_DIR, stateDir.toString(),
        "evaluator.streams.commit.interval.ms", "250"));
    DeadLetterCounter counter = new DeadLetterCounter();

    // When
    Properties props = EvaluatorApp.streamsProperties(config, counter);

    // Then
    assertThat(props).containsExactlyInAnyOrderEntriesOf(Map.of(
        StreamsConfig.APPLICATION_ID_CONFIG, "evaluator-exp1",
        StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092",
        StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2,
        "consumer.isolation.level", "read_committed",
        StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true,
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class,
        DeadLetterDeserializationHandler.STAGE_CONFIG, "evaluator",
        DeadLetterDeserializationHandler.COUNTER_CONFIG, counter,
        StreamsConfig.STATE_DIR_CONFIG, stateDir.toString(),
        StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "250"));
  }

  @Test
  void shouldBuildWithoutABrokerAndCloseBeforeStarting() {
    // Given / When: constructing connects to nothing
    try (EvaluatorApp app = new EvaluatorApp(
        new EvaluatorConfig(Map.of(EvaluatorConfig.STATE_DIR, stateDir.toString())),
        new InMemorySchemaRegistryClient())) {

      // Then
      assertThat(app.state()).isEqualTo(KafkaStreams.State.CREATED);
      assertThat(app.deadLetterCount()).isZero();
      assertThat(app.topology().describe().subtopologies()).hasSize(3);
      assertThat(app.replacedStreamThreads()).isZero();
      assertThat(org.streamdistill.schemas.metrics.PrometheusText.value(
          org.streamdistill.schemas.metrics.PrometheusText.parse(
              new String(scrape(app), java.nio.charset.StandardCharsets.UTF_8)),
          "streamdistill_evaluator_stream_thread_replacements_total", Map.of())).isEqualTo(0.0);
    }
  }

  private static byte[] scrape(EvaluatorApp app) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create()
          .write(out, app.metricsRegistry().scrape());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Test
  void shouldFailAtConstructionNamingAnUnknownSetting() {
    assertThatThrownBy(() -> new EvaluatorApp(Map.of("evaluator.window.sise.ms", 1000)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("unknown configuration key evaluator.window.sise.ms;");
  }
}
