package org.streamdistill.evaluator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.state.DslKeyValueParams;
import org.apache.kafka.streams.state.DslStoreSuppliers;
import org.apache.kafka.streams.state.DslWindowParams;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.streamdistill.evaluator.metrics.EvaluatorMetrics;
import org.streamdistill.evaluator.metrics.LastTurnsMetricsProcessor;
import org.streamdistill.evaluator.metrics.LateTurnCounter;
import org.streamdistill.evaluator.metrics.MetricsSettings;
import org.streamdistill.evaluator.metrics.MetricsTally;
import org.streamdistill.evaluator.metrics.ModelKey;
import org.streamdistill.evaluator.metrics.TimeWindowMetricsProcessor;
import org.streamdistill.evaluator.metrics.TurnOutcome;
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
 *   <li>{@code evaluator.metrics}: {@code RollingMetrics} keyed by model version, per (model
 *       version, role): one per event-time window, published once, when the window's grace
 *       period has passed ({@link TimeWindowMetricsProcessor}, which also counts late turns), and
 *       one every {@code evaluator.metrics.last-turns.every} turns over the last N turns ({@link
 *       LastTurnsMetricsProcessor}). Turns are re-partitioned by model so that a window counts
 *       every partition's turns. The metrics are defined in {@link MetricsTally}.
 *   <li>{@code model.promotions}: the {@link PromotionPolicy}'s decisions, keyed by model name.
 *       All turns go through one partition keyed by the model name, because the policy compares
 *       the two models on every paired turn, wherever its conversation lives.
 * </ul>
 *
 * <p>Every processor, store and internal topic is named, so the topology can evolve without
 * orphaning state, and poison records are left to the deserialization exception handler the
 * application configures. The stores are RocksDB unless the Kafka Streams settings choose other
 * store suppliers for the DSL ({@code evaluator.streams.dsl.store.suppliers.class}, or {@code
 * evaluator.streams.default.dsl.store=in_memory}): the evaluator's own stores follow them too.
 */
public final class EvaluatorTopology {

  /**
   * Repartition topic (suffix) of the metrics branch. Named anew when the outcome format
   * changed (it was {@code metrics-by-model}): an upgraded evaluator then starts on an empty
   * topic instead of failing on records it cannot read.
   */
  public static final String METRICS_REPARTITION = "metrics-outcomes-by-model";
  /** Window store of the time-window metrics: the open windows' tallies. */
  public static final String METRICS_WINDOW_STORE = "metrics-time-windows";
  /** Key-value store of the time-window metrics' stream time and publication progress. */
  public static final String METRICS_PROGRESS_STORE = "metrics-time-progress";
  /** Key-value store of the late turns dropped per model and role since its last record. */
  public static final String METRICS_DROPPED_STORE = "metrics-time-dropped";
  /** Key-value store of each model and role's turn count in the last-turns metrics. */
  public static final String METRICS_LAST_TURNS_HEADS_STORE = "metrics-last-turns-heads";
  /** Key-value store of the last-turns metrics' ring slots. */
  public static final String METRICS_LAST_TURNS_SLOTS_STORE = "metrics-last-turns-slots";
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
  private final LateTurnCounter lateTurns;
  private final DslStoreSuppliers storeSuppliers;
  private final EvaluatorMetrics observed;

  public EvaluatorTopology(EvaluatorConfig config, SchemaRegistryClient registry) {
    this(config, registry, new LateTurnCounter());
  }

  /** A topology whose time-window metrics count the late turns they drop into {@code lateTurns}. */
  public EvaluatorTopology(EvaluatorConfig config, SchemaRegistryClient registry, LateTurnCounter lateTurns) {
    this(config, registry, lateTurns, new EvaluatorMetrics(new PrometheusRegistry()));
  }

  /**
   * A topology that also hands what it consumes and publishes to {@code observed} (the
   * evaluator's Prometheus metrics).
   */
  public EvaluatorTopology(EvaluatorConfig config, SchemaRegistryClient registry, LateTurnCounter lateTurns,
                           EvaluatorMetrics observed) {
    this.observed = Objects.requireNonNull(observed, "observed");
    this.config = Objects.requireNonNull(config, "config");
    this.lateTurns = Objects.requireNonNull(lateTurns, "lateTurns");
    this.storeSuppliers = storeSuppliers(config.streamsOverrides());
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
        }, Named.as("predictions-skip-tombstones"))
        .peek((conversationId, turn) -> observed.stage().consumed(predictions.name()),
            Named.as("predictions-observe"));
    addMetrics(builder, turns);
    addPromotion(builder, turns);
  }

  /** Late turns the time-window metrics dropped, since this topology was built. */
  public LateTurnCounter lateTurns() {
    return lateTurns;
  }

  private void addMetrics(StreamsBuilder builder, KStream<String, StudentPrediction> turns) {
    MetricsSettings settings = config.metricsSettings();
    String oosLabel = settings.oosLabel();
    KStream<ModelKey, TurnOutcome> outcomes = turns
        .flatMap((conversationId, turn) -> outcomesOf(turn, oosLabel), Named.as("metrics-outcome-per-model"))
        .repartition(Repartitioned.<ModelKey, TurnOutcome>as(METRICS_REPARTITION)
            .withKeySerde(ModelKey.serde())
            .withValueSerde(TurnOutcome.serde()));
    Produced<String, RollingMetrics> toMetrics = Produced.with(Serdes.String(), metricsSerde);

    Duration retention = settings.windowSize().plus(settings.windowGrace());
    builder.addStateStore(Stores.windowStoreBuilder(storeSuppliers.windowStore(new DslWindowParams(
                METRICS_WINDOW_STORE, retention, settings.windowSize(), false, EmitStrategy.onWindowUpdate(), false,
                false)),
            ModelKey.serde(), MetricsTally.serde())
        .withCachingEnabled());
    builder.addStateStore(Stores.keyValueStoreBuilder(keyValueStore(METRICS_PROGRESS_STORE), Serdes.String(),
        Serdes.Long()));
    builder.addStateStore(Stores.keyValueStoreBuilder(keyValueStore(METRICS_DROPPED_STORE), ModelKey.serde(),
        Serdes.Long()));
    outcomes
        .process(() -> new TimeWindowMetricsProcessor(settings, METRICS_WINDOW_STORE, METRICS_PROGRESS_STORE,
                METRICS_DROPPED_STORE, lateTurns), Named.as("metrics-time-windows"),
            METRICS_WINDOW_STORE, METRICS_PROGRESS_STORE, METRICS_DROPPED_STORE)
        .peek((model, m) -> observeMetrics(m), Named.as("metrics-observe"))
        .to(metrics.name(), toMetrics.withName("metrics-sink"));

    if (settings.lastTurns() > 0) {
      builder.addStateStore(Stores.keyValueStoreBuilder(keyValueStore(METRICS_LAST_TURNS_HEADS_STORE),
          ModelKey.serde(), LastTurnsMetricsProcessor.Head.serde()));
      builder.addStateStore(Stores.keyValueStoreBuilder(keyValueStore(METRICS_LAST_TURNS_SLOTS_STORE),
              Serdes.Bytes(), Serdes.ByteArray())
          .withCachingEnabled());
      outcomes
          .process(() -> new LastTurnsMetricsProcessor(settings, METRICS_LAST_TURNS_HEADS_STORE,
                  METRICS_LAST_TURNS_SLOTS_STORE), Named.as("metrics-last-turns"),
              METRICS_LAST_TURNS_HEADS_STORE, METRICS_LAST_TURNS_SLOTS_STORE)
          .peek((model, m) -> observeMetrics(m), Named.as("metrics-last-turns-observe"))
          .to(metrics.name(), Produced.with(Serdes.String(), metricsSerde).withName("metrics-last-turns-sink"));
    }
  }

  private void addPromotion(StreamsBuilder builder, KStream<String, StudentPrediction> turns) {
    builder.addStateStore(Stores.keyValueStoreBuilder(keyValueStore(PROMOTION_STORE), Serdes.String(),
        PromotionState.serde()));
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
    events
        .peek((name, event) -> {
          observed.decision(event);
          observed.stage().produced(promotions.name());
        }, Named.as("promotions-observe"))
        .to(promotions.name(), Produced.with(Serdes.String(), promotionSerde).withName("promotions-sink"));
  }

  private void observeMetrics(RollingMetrics m) {
    observed.rollingMetrics(m);
    observed.stage().produced(metrics.name());
  }

  private KeyValueBytesStoreSupplier keyValueStore(String name) {
    return storeSuppliers.keyValueStore(new DslKeyValueParams(name, false));
  }

  /**
   * The store suppliers the Kafka Streams settings choose for the DSL: {@code
   * dsl.store.suppliers.class}, else {@code default.dsl.store}, else RocksDB.
   */
  static DslStoreSuppliers storeSuppliers(Map<String, Object> streamsSettings) {
    Object suppliersClass = streamsSettings.get(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG);
    DslStoreSuppliers suppliers;
    if (suppliersClass != null) {
      try {
        suppliers = suppliersClass instanceof Class<?> type
            ? Utils.newInstance(type.asSubclass(DslStoreSuppliers.class))
            : Utils.newInstance(suppliersClass.toString().trim(), DslStoreSuppliers.class);
      } catch (ClassNotFoundException | RuntimeException e) {
        throw new ConfigException(EvaluatorConfig.STREAMS_PREFIX + StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG,
            suppliersClass, "cannot create the store suppliers: " + e.getMessage());
      }
    } else if (StreamsConfig.IN_MEMORY.equals(streamsSettings.get(StreamsConfig.DEFAULT_DSL_STORE_CONFIG))) {
      suppliers = new BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers();
    } else {
      suppliers = new BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers();
    }
    suppliers.configure(streamsSettings);
    return suppliers;
  }

  private static List<KeyValue<ModelKey, TurnOutcome>> outcomesOf(StudentPrediction turn, String oosLabel) {
    List<KeyValue<ModelKey, TurnOutcome>> outcomes = new ArrayList<>(turn.getPredictions().size());
    for (ModelPrediction model : turn.getPredictions()) {
      outcomes.add(KeyValue.pair(new ModelKey(model.getModelVersion(), model.getRole()),
          TurnOutcome.of(turn, model, oosLabel)));
    }
    return outcomes;
  }
}
