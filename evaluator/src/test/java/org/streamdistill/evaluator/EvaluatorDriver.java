package org.streamdistill.evaluator;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.streamdistill.evaluator.app.EvaluatorApp;
import org.streamdistill.evaluator.deadletter.DeadLetterCounter;
import org.streamdistill.evaluator.metrics.LateTurnCounter;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.RollingMetrics;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.kafka.AvroSerde;
import org.streamdistill.schemas.registry.InMemorySchemaRegistryClient;

/**
 * Test fixture: the evaluator's topology, built exactly as the app builds it, in a {@link
 * TopologyTestDriver}, with tumbling 10 s windows, 5 s grace, looks every 10 pairs and the
 * last-turns metrics off unless the test's settings say otherwise.
 */
public final class EvaluatorDriver implements AutoCloseable {

  public final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
  public final DeadLetterCounter deadLetters = new DeadLetterCounter();
  public final LateTurnCounter lateTurns = new LateTurnCounter();
  public final EvaluatorConfig config;
  public final TopologyTestDriver driver;
  public final TestInputTopic<String, StudentPrediction> predictions;
  public final TestOutputTopic<String, RollingMetrics> metrics;
  public final TestOutputTopic<String, PromotionEvent> promotions;

  public EvaluatorDriver(Path stateDir, Map<String, Object> overrides) {
    Map<String, Object> settings = new HashMap<>();
    settings.put(EvaluatorConfig.WINDOW_SIZE_MS, 10_000L);
    settings.put(EvaluatorConfig.WINDOW_ADVANCE_MS, 10_000L);
    settings.put(EvaluatorConfig.WINDOW_GRACE_MS, 5_000L);
    settings.put(EvaluatorConfig.METRICS_LAST_TURNS, 0);
    settings.put(EvaluatorConfig.PROMOTION_MIN_PAIRED, 10);
    settings.put(EvaluatorConfig.STATE_DIR, stateDir.toString());
    settings.putAll(overrides);
    config = new EvaluatorConfig(settings);
    Properties props = EvaluatorApp.streamsProperties(config, deadLetters);
    driver = new TopologyTestDriver(EvaluatorApp.buildTopology(config, registry, props, lateTurns), props);
    predictions = driver.createInputTopic(config.predictionsTopic().name(), new StringSerializer(),
        AvroSerde.forTopic(config.predictionsTopic(), registry).serializer());
    metrics = driver.createOutputTopic(config.metricsTopic().name(), new StringDeserializer(),
        AvroSerde.forTopic(config.metricsTopic(), registry).deserializer());
    promotions = driver.createOutputTopic(config.promotionsTopic().name(), new StringDeserializer(),
        AvroSerde.forTopic(config.promotionsTopic(), registry).deserializer());
  }

  /** Pipes one turn, keyed by its conversation. */
  public void pipe(StudentPrediction turn) {
    predictions.pipeInput(turn.getConversationId(), turn);
  }

  @Override
  public void close() {
    driver.close();
  }
}
