package org.streamdistill.evaluator.app;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.evaluator.EvaluatorTopology;
import org.streamdistill.evaluator.deadletter.DeadLetterCounter;
import org.streamdistill.evaluator.deadletter.DeadLetterDeserializationHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.streamdistill.evaluator.metrics.EvaluatorMetrics;
import org.streamdistill.evaluator.metrics.LateTurnCounter;
import org.streamdistill.schemas.metrics.StageMetrics;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.registry.SchemaRegistryClient;

/**
 * The evaluator as a running Kafka Streams application: builds the {@link EvaluatorTopology}
 * and the {@link KafkaStreams} instance in the constructor, starts it in {@link #start()},
 * closes it in {@link #close()}. Reads {@code student.predictions}, writes {@code
 * evaluator.metrics}, {@code model.promotions} and {@code student.predictions.dlq} (all in the
 * configured namespace); those topics must exist, as must the dead-letter one when the broker
 * does not create topics on demand.
 *
 * <pre>{@code
 * try (EvaluatorApp evaluator = new EvaluatorApp(Map.of(
 *     EvaluatorConfig.BOOTSTRAP_SERVERS, "localhost:9092",
 *     EvaluatorConfig.SCHEMA_REGISTRY_URL, "http://localhost:8081"))) {
 *   evaluator.start();
 *   ...
 * }
 * }</pre>
 */
public final class EvaluatorApp implements AutoCloseable {

  /** How long {@link #close()} waits for the stream threads to finish. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(EvaluatorApp.class);

  private final EvaluatorConfig config;
  private final DeadLetterCounter deadLetters = new DeadLetterCounter();
  private final LateTurnCounter lateTurns = new LateTurnCounter();
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final EvaluatorMetrics metrics = new EvaluatorMetrics(registry);
  private final Topology topology;
  private final KafkaStreams streams;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CountDownLatch closing = new CountDownLatch(1);
  private final StreamThreadFailureHandler failureHandler;
  private volatile Throwable failure;

  /**
   * An evaluator configured by {@code settings} (keys of {@link EvaluatorConfig}), talking to
   * the REST schema registry at {@link EvaluatorConfig#SCHEMA_REGISTRY_URL}.
   *
   * @throws org.apache.kafka.common.config.ConfigException naming the key of an unknown or invalid setting
   */
  public EvaluatorApp(Map<String, ?> settings) {
    this(new EvaluatorConfig(settings));
  }

  /**
   * An evaluator talking to the REST schema registry at {@link EvaluatorConfig#SCHEMA_REGISTRY_URL},
   * with the credentials and TLS of its {@code schema.registry.*} settings.
   */
  public EvaluatorApp(EvaluatorConfig config) {
    this(config, new org.streamdistill.schemas.registry.RetryingSchemaRegistryClient(
        new RestSchemaRegistryClient(config.registry())));
  }

  /** An evaluator with a schema registry client of the caller's choosing. */
  public EvaluatorApp(EvaluatorConfig config, SchemaRegistryClient registry) {
    this.config = Objects.requireNonNull(config, "config");
    Properties props = streamsProperties(config, deadLetters);
    deadLetters.onDeadLetter((topic, exceptionClass) ->
        metrics.stage().deadLetter(topic, StageMetrics.reason(exceptionClass)));
    this.topology = buildTopology(config, registry, props, lateTurns, metrics);
    this.streams = new KafkaStreams(topology, props);
    // A dying stream thread is replaced after a bounded, growing pause, unless a restart cannot fix
    // what killed it; then the application stops loudly and keeps the error for its exit message
    // (see StreamThreadFailureHandler). The pause ends early on close().
    this.failureHandler = new StreamThreadFailureHandler(config.applicationId(),
        millis -> closing.await(millis, TimeUnit.MILLISECONDS), System::currentTimeMillis);
    io.prometheus.metrics.core.metrics.CounterWithCallback.builder()
        .name("streamdistill_evaluator_stream_thread_replacements")
        .help("Stream threads replaced after a failure a restart can fix (the broker or registry away, say)")
        .callback(callback -> callback.call(failureHandler.replacedThreads())).register(this.registry);
    streams.setUncaughtExceptionHandler(error -> {
      StreamThreadExceptionResponse response = failureHandler.handle(error);
      if (response != StreamThreadExceptionResponse.REPLACE_THREAD) {
        failure = error;
      }
      return response;
    });
    streams.setStateListener((newState, oldState) -> {
      LOG.info("evaluator {}: {} -> {}", config.applicationId(), oldState, newState);
      if (newState == KafkaStreams.State.NOT_RUNNING || newState == KafkaStreams.State.ERROR) {
        stopped.countDown();
      }
    });
  }

  /**
   * The Kafka Streams properties of {@code config}: exactly-once v2, read-committed consumers,
   * explicit names for internal resources, poison records to dead-letter topics counted into
   * {@code deadLetters}, then the {@code kafka.*} client settings (for every client of Kafka
   * Streams: its consumers, producers and admin client), then the {@code evaluator.streams.*}
   * overrides.
   */
  public static Properties streamsProperties(EvaluatorConfig config, DeadLetterCounter deadLetters) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class);
    props.put(DeadLetterDeserializationHandler.STAGE_CONFIG, DeadLetterDeserializationHandler.DEFAULT_STAGE);
    props.put(DeadLetterDeserializationHandler.COUNTER_CONFIG, deadLetters);
    if (!config.stateDir().isEmpty()) {
      props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
    }
    config.kafkaClientSettings().applyTo(props);
    props.putAll(config.streamsOverrides());
    return props;
  }

  /**
   * The evaluator's topology built under {@code streamsProperties}, so that topology-level
   * settings apply while building, notably the check that every internal topic and store is
   * explicitly named (a plain {@code StreamsBuilder} skips it).
   */
  public static Topology buildTopology(EvaluatorConfig config, SchemaRegistryClient registry,
      Properties streamsProperties) {
    return buildTopology(config, registry, streamsProperties, new LateTurnCounter());
  }

  /**
   * As {@link #buildTopology(EvaluatorConfig, SchemaRegistryClient, Properties)}, counting the
   * late turns the metrics drop into {@code lateTurns}.
   */
  public static Topology buildTopology(EvaluatorConfig config, SchemaRegistryClient registry,
      Properties streamsProperties, LateTurnCounter lateTurns) {
    return buildTopology(config, registry, streamsProperties, lateTurns, new EvaluatorMetrics(new PrometheusRegistry()));
  }

  /** As above, feeding {@code metrics} with what the topology consumes and publishes. */
  public static Topology buildTopology(EvaluatorConfig config, SchemaRegistryClient registry,
      Properties streamsProperties, LateTurnCounter lateTurns, EvaluatorMetrics metrics) {
    StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(streamsProperties)));
    new EvaluatorTopology(config, registry, lateTurns, metrics).addTo(builder);
    return builder.build(streamsProperties);
  }

  /** Starts processing; returns at once. */
  public void start() {
    LOG.info("starting evaluator {}: {} -> {}, {} (bootstrap {})", config.applicationId(), config.predictionsTopic(),
        config.metricsTopic(), config.promotionsTopic(), config.bootstrapServers());
    streams.start();
  }

  /** This evaluator's Prometheus metrics ({@link EvaluatorMetrics}), for its metrics endpoint. */
  public PrometheusRegistry metricsRegistry() {
    return registry;
  }

  /** The Kafka Streams state (CREATED, REBALANCING, RUNNING, ..., NOT_RUNNING, ERROR). */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Poison records sent to dead-letter topics since construction. */
  public long deadLetterCount() {
    return deadLetters.total();
  }

  /**
   * Model predictions the time-window metrics dropped since construction because they arrived
   * after their windows' grace period (each also counted in its model's next metrics record).
   */
  public long lateDroppedTurnCount() {
    return lateTurns.total();
  }

  /** Stream threads replaced after an outage (the broker or registry away) since construction. */
  public int replacedStreamThreads() {
    return failureHandler.replacedThreads();
  }

  /** The topology this app runs (for logs and {@code describe()}). */
  public Topology topology() {
    return topology;
  }

  public EvaluatorConfig config() {
    return config;
  }

  /** The error that stopped the stream threads, or null while none did. */
  public Throwable failure() {
    return failure;
  }

  /**
   * Waits until the application stopped (closed, or failed); true if it did within {@code timeout}.
   */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    LOG.info("closing evaluator {}", config.applicationId());
    closing.countDown();
    if (!streams.close(CLOSE_TIMEOUT)) {
      LOG.warn("evaluator {} did not stop within {}", config.applicationId(), CLOSE_TIMEOUT);
    }
  }
}
