package org.streamdistill.evaluator;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.evaluator.metrics.ModelKey;
import org.streamdistill.evaluator.metrics.TurnOutcome;
import org.streamdistill.evaluator.metrics.WindowTally;
import org.streamdistill.evaluator.promotion.PromotionPolicy;
import org.streamdistill.evaluator.promotion.PromotionProcessor;
import org.streamdistill.evaluator.promotion.PromotionState;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.RollingMetrics;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.kafka.AvroSerde;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;

/**
 * Builds the evaluator's Kafka Streams topology from its configuration and a schema registry
 * client; the caller runs it (a {@code KafkaStreams} in production, a {@code
 * TopologyTestDriver} in tests).
 *
 * <p>Consumes {@code student.predictions} (event time from {@link EventTimeExtractor}) and
 * produces
 *
 * <ul>
 *   <li>{@code evaluator.metrics}: one {@code RollingMetrics} per (model version, role) and
 *       event-time window, published once, when the window's grace period has passed (suppress
 *       until the window closes), keyed by model version. Turns are re-partitioned by model so
 *       that a window counts every partition's turns.
 *   <li>{@code model.promotions}: the {@link PromotionPolicy}'s decisions, keyed by model name.
 *       All turns go through one partition keyed by the model name, because the policy compares
 *       the two models on every paired turn, wherever its conversation lives.
 * </ul>
 *
 * <p>Every processor, store and internal topic is named, so the topology can evolve without
 * orphaning state, and poison records are left to the deserialization exception handler the
 * application configures.
 */
public final class EvaluatorTopology {

  /** Repartition topic (suffix) of the metrics branch. */
  public static final String METRICS_REPARTITION = "metrics-by-model";
  /** Window store of the metrics branch. */
  public static final String METRICS_STORE = "metrics-windows";
  /** Repartition topic (suffix) of the promotion branch. */
  public static final String PROMOTION_REPARTITION = "promotion-by-model-name";
  /** Key-value store of the promotion policy, keyed by model name. */
  public static final String PROMOTION_STORE = "promotion-state";

  private static final Logger LOG = LoggerFactory.getLogger(EvaluatorTopology.class);

  private final EvaluatorConfig config;
  private final Topic<StudentPrediction> predictions;
  private final Topic<RollingMetrics> metrics;
  private final Topic<PromotionEvent> promotions;
  private final Serde<StudentPrediction> predictionSerde;
  private final Serde<RollingMetrics> metricsSerde;
  private final Serde<PromotionEvent> promotionSerde;

  public EvaluatorTopology(EvaluatorConfig config, SchemaRegistryClient registry) {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(registry, "registry");
    this.predictions = config.predictionsTopic();
    this.metrics = config.metricsTopic();
    this.promotions = config.promotionsTopic();
    this.predictionSerde = AvroSerde.forTopic(predictions, registry);
    this.metricsSerde = AvroSerde.forTopic(metrics, registry);
    this.promotionSerde = AvroSerde.forTopic(promotions, registry);
  }

  /**
   * A new topology holding the evaluator, built without application settings. {@link
   * org.streamdistill.evaluator.app.EvaluatorApp#buildTopology} builds it under the app's
   * Kafka Streams properties instead, which also checks that every internal name is explicit.
   */
  public Topology build() {
    StreamsBuilder builder = new StreamsBuilder();
    addTo(builder);
    return builder.build();
  }

  /** Adds the evaluator's sources, processors, stores and sinks to {@code builder}. */
  public void addTo(StreamsBuilder builder) {
    KStream<String, StudentPrediction> turns = builder
        .stream(predictions.name(), Consumed.with(Serdes.String(), predictionSerde)
            .withTimestampExtractor(new EventTimeExtractor())
            .withName("predictions-source"))
        .filter((conversationId, turn) -> {
          if (turn == null) {
            // Not poison (there are no bytes to dead-letter) and not a turn: on a topic that
            // is not compacted a tombstone means nothing, so say so and skip it.
            LOG.warn("skipping a null (tombstone) prediction of conversation {} on {}", conversationId, predictions);
          }
          return turn != null;
        }, Named.as("predictions-skip-tombstones"));
    addMetrics(turns);
    addPromotion(builder, turns);
  }

  private void addMetrics(KStream<String, StudentPrediction> turns) {
    TimeWindows windows = TimeWindows.ofSizeAndGrace(config.windowSize(), config.windowGrace())
        .advanceBy(config.windowAdvance());
    turns
        .flatMap((conversationId, turn) -> outcomesOf(turn), Named.as("metrics-outcome-per-model"))
        .groupByKey(Grouped.with(METRICS_REPARTITION, ModelKey.serde(), TurnOutcome.serde()))
        .windowedBy(windows)
        .aggregate(() -> WindowTally.EMPTY, (key, outcome, tally) -> tally.add(outcome),
            Named.as("metrics-aggregate"),
            Materialized.<ModelKey, WindowTally, WindowStore<Bytes, byte[]>>as(METRICS_STORE)
                .withKeySerde(ModelKey.serde())
                .withValueSerde(WindowTally.serde()))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())
            .withName("metrics-until-window-closes"))
        .toStream(Named.as("metrics-final"))
        .map((window, tally) -> KeyValue.pair(window.key().modelVersion(),
                tally.toRollingMetrics(window.key(), window.window())),
            Named.as("metrics-to-record"))
        .to(metrics.name(), Produced.with(Serdes.String(), metricsSerde).withName("metrics-sink"));
  }

  private void addPromotion(StreamsBuilder builder, KStream<String, StudentPrediction> turns) {
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(PROMOTION_STORE), Serdes.String(), PromotionState.serde()));
    String modelName = config.modelName();
    PromotionPolicy policy = new PromotionPolicy(config.promotionSettings());
    KStream<String, PromotionEvent> events = turns
        .selectKey((conversationId, turn) -> modelName, Named.as("promotion-key-by-model-name"))
        .repartition(Repartitioned.<String, StudentPrediction>as(PROMOTION_REPARTITION)
            .withKeySerde(Serdes.String())
            .withValueSerde(predictionSerde)
            .withNumberOfPartitions(1))
        .process(() -> new PromotionProcessor(policy, PROMOTION_STORE), Named.as("promotion-policy"),
            PROMOTION_STORE);
    events.to(promotions.name(), Produced.with(Serdes.String(), promotionSerde).withName("promotions-sink"));
  }

  private static List<KeyValue<ModelKey, TurnOutcome>> outcomesOf(StudentPrediction turn) {
    List<KeyValue<ModelKey, TurnOutcome>> outcomes = new ArrayList<>(turn.getPredictions().size());
    for (ModelPrediction model : turn.getPredictions()) {
      outcomes.add(KeyValue.pair(new ModelKey(model.getModelVersion(), model.getRole()), TurnOutcome.of(turn, model)));
    }
    return outcomes;
  }
}
