package org.streamdistill.evaluator;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.streamdistill.evaluator.metrics.MetricsSettings;
import org.streamdistill.evaluator.promotion.PromotionSettings;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.RollingMetrics;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.metrics.MetricsEndpoint;
import org.streamdistill.schemas.registry.RegistryClientSettings;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;

/**
 * The evaluator's configuration: every key with its type, default, validator and doc, in one
 * {@link ConfigDef}, loaded like every other command's ({@link #LOADER}): defaults, then {@code
 * --config FILE}, then {@code STREAMDISTILL_*} environment variables, then {@code --key value}
 * flags (see {@link #parse}). The keys every command shares have the shared names ({@code
 * bootstrap.servers}, {@code schema.registry.url}, {@code topic.namespace}); the evaluator's old
 * names for them, its {@code --set key=value} flags and its {@code EVALUATOR_*} variables still
 * work for one release, each with a warning that names the new form. An unknown key or an
 * invalid value fails with a {@link ConfigException} that names the key.
 *
 * <p>Keys under {@value #STREAMS_PREFIX} pass through to Kafka Streams with the prefix removed
 * (for example {@code evaluator.streams.commit.interval.ms}); the rest of the suffix must be a
 * Kafka Streams setting or a client setting behind Kafka Streams' {@code consumer.}, {@code
 * producer.}, {@code admin.} (and similar) prefixes.
 */
public final class EvaluatorConfig extends AbstractConfig {

  public static final String BOOTSTRAP_SERVERS = KafkaClientSettings.BOOTSTRAP_SERVERS;
  public static final String SCHEMA_REGISTRY_URL = RegistryClientSettings.URL;
  public static final String APPLICATION_ID = "evaluator.application.id";
  public static final String TOPIC_NAMESPACE = "topic.namespace";

  /** The evaluator's own names of the shared keys, before they were shared: deprecated. */
  public static final Map<String, String> RENAMED = Map.of(
      "evaluator.bootstrap.servers", BOOTSTRAP_SERVERS,
      "evaluator.schema-registry.url", SCHEMA_REGISTRY_URL,
      "evaluator.topic.namespace", TOPIC_NAMESPACE);
  public static final String STATE_DIR = "evaluator.state.dir";
  public static final String WINDOW_SIZE_MS = "evaluator.window.size.ms";
  public static final String WINDOW_ADVANCE_MS = "evaluator.window.advance.ms";
  public static final String WINDOW_GRACE_MS = "evaluator.window.grace.ms";
  public static final String PROMOTION_MODEL_NAME = "evaluator.promotion.model-name";
  public static final String PROMOTION_MIN_PAIRED = "evaluator.promotion.min-paired";
  public static final String PROMOTION_MIN_GOLD_PAIRS = "evaluator.promotion.min-gold-pairs";
  public static final String PROMOTION_MARGIN = "evaluator.promotion.margin";
  public static final String PROMOTION_ALPHA = "evaluator.promotion.alpha";
  public static final String PROMOTION_COOLDOWN_TURNS = "evaluator.promotion.cooldown-turns";
  public static final String PROMOTION_SWITCH_WAIT_TURNS = "evaluator.promotion.switch-wait-turns";
  public static final String PROMOTION_HOLD_EVENTS = "evaluator.promotion.hold-events";
  public static final String PROMOTION_ROLLBACK_MARGIN = "evaluator.promotion.rollback-margin";
  public static final String METRICS_LAST_TURNS = "evaluator.metrics.last-turns";
  public static final String METRICS_LAST_TURNS_EVERY = "evaluator.metrics.last-turns.every";
  public static final String METRICS_LAST_TURNS_RETENTION_MS = "evaluator.metrics.last-turns.retention.ms";
  public static final String METRICS_OOS_LABEL = "evaluator.metrics.oos-label";
  public static final String METRICS_LATENCY_SAMPLE_SIZE = "evaluator.metrics.latency-sample-size";

  /** Prefix of keys handed to Kafka Streams as they are. */
  public static final String STREAMS_PREFIX = "evaluator.streams.";

  /** Kafka Streams settings the evaluator sets from its own keys or owns outright. */
  private static final Map<String, String> OWNED_STREAMS_SETTINGS = Map.of(
      StreamsConfig.APPLICATION_ID_CONFIG, "set " + APPLICATION_ID + " instead",
      StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "set " + BOOTSTRAP_SERVERS + " instead",
      StreamsConfig.STATE_DIR_CONFIG, "set " + STATE_DIR + " instead",
      StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, "the evaluator routes poison records itself",
      "default.deserialization.exception.handler", "the evaluator routes poison records itself");

  private static final List<String> CLIENT_PREFIXES = List.of(
      "consumer.", "main.consumer.", "restore.consumer.", "global.consumer.", "producer.", "admin.", "topic.");

  /** Named validators (not lambdas), so that --help can say what they accept. */
  private static final ConfigDef.Validator NON_BLANK = org.streamdistill.schemas.config.NotBlank.INSTANCE;

  private static final ConfigDef.Validator OPEN_UNIT_INTERVAL = new ConfigDef.Validator() {
    @Override
    public void ensureValid(String name, Object value) {
      double v = ((Number) value).doubleValue();
      if (!(v > 0.0 && v < 1.0)) {
        throw new ConfigException(name, value, "must be > 0 and < 1");
      }
    }

    @Override
    public String toString() {
      return "> 0 and < 1";
    }
  };

  /** The definition of every key: type, default, validator, doc. */
  public static final ConfigDef CONFIG = RegistryClientSettings.define(new ConfigDef()
      .define(KafkaClientSettings.bootstrapServersKey()))
      .define(APPLICATION_ID, Type.STRING, "", Importance.HIGH,
          "Kafka Streams application id: consumer group, prefix of internal topics and state directories. Empty: "
              + Topics.EVALUATOR_APPLICATION_ID + ", prefixed by " + TOPIC_NAMESPACE + " and a dash when there is one"
              + " (exp1-" + Topics.EVALUATOR_APPLICATION_ID + ").")
      .define(TOPIC_NAMESPACE, Type.STRING, "", Importance.MEDIUM,
          "Prefix of every topic read or written (experiments beside production); empty for none.")
      .define(STATE_DIR, Type.STRING, "", Importance.MEDIUM,
          "Directory of the local state stores; empty for Kafka Streams' default (java.io.tmpdir/kafka-streams).")
      .define(WINDOW_SIZE_MS, Type.LONG, 10_000L, Range.atLeast(1), Importance.MEDIUM,
          "Event-time length of a metrics window, milliseconds.")
      .define(WINDOW_ADVANCE_MS, Type.LONG, 10_000L, Range.atLeast(1), Importance.MEDIUM,
          "How far consecutive metrics windows start apart, milliseconds; equal to the size for tumbling windows,"
              + " smaller for hopping ones. At most " + WINDOW_SIZE_MS + ".")
      .define(WINDOW_GRACE_MS, Type.LONG, 5_000L, Range.atLeast(0), Importance.MEDIUM,
          "How long after a window's end late turns are still counted, milliseconds of event time; a window's"
              + " metrics are published once, when the grace period has passed. Later turns are dropped and"
              + " counted (late_dropped_turns of the model's next record, and a log line).")
      .define(METRICS_LAST_TURNS, Type.INT, 1_000, Range.atLeast(0), Importance.MEDIUM,
          "N of the metrics over each model version and role's last N turns (window_type last_turns);"
              + " 0 publishes none.")
      .define(METRICS_LAST_TURNS_EVERY, Type.INT, 200, Range.atLeast(1), Importance.MEDIUM,
          "A last-N-turns record is published every this many turns of a model version and role.")
      .define(METRICS_LAST_TURNS_RETENTION_MS, Type.LONG, 3_600_000L, Range.atLeast(1), Importance.LOW,
          "A model version and role not seen for this long (event time, milliseconds) forgets its last turns.")
      .define(METRICS_OOS_LABEL, Type.STRING, "oos", NON_BLANK, Importance.MEDIUM,
          "Name of the out-of-scope label (predicted_label and gold_label) for out-of-scope precision and recall.")
      .define(METRICS_LATENCY_SAMPLE_SIZE, Type.INT, 512, Range.atLeast(1), Importance.LOW,
          "Turns per window kept for latency percentiles: exact up to this many, a uniform sample of this many"
              + " beyond.")
      .define(PROMOTION_MODEL_NAME, Type.STRING, "student", NON_BLANK, Importance.MEDIUM,
          "Name of the model promoted; the key of its model.promotions events and of its policy state.")
      .define(PROMOTION_MIN_PAIRED, Type.INT, 200, Range.atLeast(1), Importance.MEDIUM,
          "Paired turns per evaluation period: the policy looks at the evidence once per this many paired turns,"
              + " and bootstraps a first champion after this many challenger turns.")
      .define(PROMOTION_MIN_GOLD_PAIRS, Type.INT, 100, Range.atLeast(1), Importance.MEDIUM,
          "Gold-labelled pairs needed before decisions use gold accuracy instead of teacher agreement.")
      .define(PROMOTION_MARGIN, Type.DOUBLE, 0.02, Range.between(0.0, 1.0), Importance.MEDIUM,
          "Smallest challenger-minus-champion score difference that justifies a promotion.")
      .define(PROMOTION_ALPHA, Type.DOUBLE, 0.01, OPEN_UNIT_INTERVAL, Importance.MEDIUM,
          "Significance level of one champion/challenger comparison, spent over its looks as alpha/(k(k+1)).")
      .define(PROMOTION_COOLDOWN_TURNS, Type.INT, 200, Range.atLeast(0), Importance.MEDIUM,
          "Turns after a promotion that are neither counted nor decided on.")
      .define(PROMOTION_SWITCH_WAIT_TURNS, Type.INT, 2_000, Range.atLeast(0), Importance.LOW,
          "After the cooldown, at most this many more turns are skipped while they still carry another champion than"
              + " the one just promoted or rolled back to (the trainer has not switched yet); 0: count them at once.")
      .define(PROMOTION_HOLD_EVENTS, Type.BOOLEAN, true, Importance.LOW,
          "Whether each evaluation that does not promote (or roll back) publishes a HOLD event with its evidence.")
      .define(PROMOTION_ROLLBACK_MARGIN, Type.DOUBLE, 0.0, Range.between(0.0, 1.0), Importance.MEDIUM,
          "Smallest previous-champion-minus-champion score difference that, when significant, rolls a promotion"
              + " back; 0 rolls back on any significant deterioration.");

  /** Prefix of the metrics endpoint's settings: {@code evaluator.metrics.port}, {@code evaluator.metrics.host}. */
  public static final String METRICS_PREFIX = "evaluator.";

  static {
    MetricsEndpoint.define(CONFIG, METRICS_PREFIX);
  }

  /** Flags, file and environment, as every command reads them; Kafka Streams settings pass through. */
  public static final ConfigLoader LOADER = new ConfigLoader(CONFIG, "STREAMDISTILL",
      Map.of("bootstrap-servers", BOOTSTRAP_SERVERS, "registry", SCHEMA_REGISTRY_URL, "namespace", TOPIC_NAMESPACE),
      List.of(STREAMS_PREFIX), RENAMED).withKafkaClientSettings();

  /**
   * Where the evaluator process serves its Prometheus metrics, if at all: {@code
   * evaluator.metrics.port}, {@code .host} and {@code .http.*}. The other {@code evaluator.metrics.*}
   * keys (last turns, out-of-scope label, latency sample) shape the {@code evaluator.metrics}
   * topic; the names share a prefix but no key or environment variable (checked when this was
   * added), and no setting is read by prefix.
   */
  public MetricsEndpoint.Settings metricsEndpoint() {
    return MetricsEndpoint.Settings.from(values(), METRICS_PREFIX);
  }

  public EvaluatorConfig(Map<String, ?> settings) {
    super(CONFIG, checkKeys(settings), false);
    long size = getLong(WINDOW_SIZE_MS);
    long advance = getLong(WINDOW_ADVANCE_MS);
    if (advance > size) {
      throw new ConfigException(WINDOW_ADVANCE_MS, advance,
          "must be at most " + WINDOW_SIZE_MS + " (" + size + "), or windows would leave gaps between them");
    }
  }

  /**
   * Loads the settings from {@code args} ({@code --config FILE}, {@code --key value}), the
   * environment ({@code STREAMDISTILL_*}) and the defaults; hands a warning to {@code warnings}
   * for each deprecated form used (old key names, {@code --set}, {@code EVALUATOR_*} variables).
   */
  public static EvaluatorConfig parse(List<String> args, Map<String, String> environment,
                                      java.util.function.Consumer<String> warnings) {
    return new EvaluatorConfig(LOADER.collect(args, withLegacyEnvironment(environment, warnings), warnings));
  }

  /**
   * The old scheme, kept for one release: {@code EVALUATOR_PROMOTION_MIN_PAIRED} for {@code
   * evaluator.promotion.min-paired}, {@code EVALUATOR_BOOTSTRAP_SERVERS} for what is now {@code
   * bootstrap.servers}. A variable of the new scheme wins over its old twin.
   */
  private static Map<String, String> withLegacyEnvironment(Map<String, String> environment,
                                                           java.util.function.Consumer<String> warnings) {
    Map<String, String> merged = new LinkedHashMap<>(environment);
    Map<String, String> oldNames = new LinkedHashMap<>();
    for (String key : CONFIG.names()) {
      if (key.startsWith("evaluator.")) {
        oldNames.put(legacyEnvironmentName(key), key);
      }
    }
    RENAMED.forEach((oldKey, newKey) -> oldNames.put(legacyEnvironmentName(oldKey), newKey));
    oldNames.forEach((variable, key) -> {
      String value = environment.get(variable);
      if (value != null) {
        String replacement = LOADER.environmentName(key);
        warnings.accept("environment variable " + variable + " is deprecated and will be removed in the next "
            + "release: use " + replacement);
        merged.putIfAbsent(replacement, value);
      }
    });
    return merged;
  }

  private static String legacyEnvironmentName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The environment variable that sets {@code key}. */
  public static String environmentName(String key) {
    return LOADER.environmentName(key);
  }

  public String bootstrapServers() {
    return getString(BOOTSTRAP_SERVERS);
  }

  public String schemaRegistryUrl() {
    return getString(SCHEMA_REGISTRY_URL);
  }

  /**
   * How to reach the schema registry: URL, credentials, TLS.
   *
   * @throws ConfigException naming the setting when the URL is malformed or a store cannot be read
   */
  public RegistryClientSettings registry() {
    return RegistryClientSettings.from(values());
  }

  /** The application id set, or the catalogue's in {@link #topicNamespace()}. */
  public String applicationId() {
    String explicit = getString(APPLICATION_ID).trim();
    return explicit.isEmpty() ? Topics.groupInNamespace(Topics.EVALUATOR_APPLICATION_ID, topicNamespace()) : explicit;
  }

  /** The {@code kafka.*} settings, handed to every client of Kafka Streams. */
  public KafkaClientSettings kafkaClientSettings() {
    return KafkaClientSettings.from(originals());
  }

  public String topicNamespace() {
    return getString(TOPIC_NAMESPACE);
  }

  /** The state directory, empty for Kafka Streams' default. */
  public String stateDir() {
    return getString(STATE_DIR);
  }

  public Duration windowSize() {
    return Duration.ofMillis(getLong(WINDOW_SIZE_MS));
  }

  public Duration windowAdvance() {
    return Duration.ofMillis(getLong(WINDOW_ADVANCE_MS));
  }

  public Duration windowGrace() {
    return Duration.ofMillis(getLong(WINDOW_GRACE_MS));
  }

  public String modelName() {
    return getString(PROMOTION_MODEL_NAME);
  }

  public PromotionSettings promotionSettings() {
    return new PromotionSettings(getInt(PROMOTION_MIN_PAIRED), getInt(PROMOTION_MIN_GOLD_PAIRS),
        getDouble(PROMOTION_MARGIN), getDouble(PROMOTION_ALPHA), getInt(PROMOTION_COOLDOWN_TURNS),
        getBoolean(PROMOTION_HOLD_EVENTS), getDouble(PROMOTION_ROLLBACK_MARGIN), getInt(PROMOTION_SWITCH_WAIT_TURNS));
  }

  public MetricsSettings metricsSettings() {
    return new MetricsSettings(windowSize(), windowAdvance(), windowGrace(), getInt(METRICS_LAST_TURNS),
        getInt(METRICS_LAST_TURNS_EVERY), Duration.ofMillis(getLong(METRICS_LAST_TURNS_RETENTION_MS)),
        getString(METRICS_OOS_LABEL), getInt(METRICS_LATENCY_SAMPLE_SIZE));
  }

  /** The input topic, in this configuration's namespace. */
  public Topic<StudentPrediction> predictionsTopic() {
    return Topics.PREDICTIONS.inNamespace(topicNamespace());
  }

  /** The metrics topic, in this configuration's namespace. */
  public Topic<RollingMetrics> metricsTopic() {
    return Topics.METRICS.inNamespace(topicNamespace());
  }

  /** The promotions topic, in this configuration's namespace. */
  public Topic<PromotionEvent> promotionsTopic() {
    return Topics.PROMOTIONS.inNamespace(topicNamespace());
  }

  /** The {@value #STREAMS_PREFIX} settings with the prefix removed. */
  public Map<String, Object> streamsOverrides() {
    return Collections.unmodifiableMap(new TreeMap<>(originalsWithPrefix(STREAMS_PREFIX, true)));
  }

  private static Map<String, ?> checkKeys(Map<String, ?> settings) {
    Set<String> unknown = new TreeSet<>();
    for (Map.Entry<String, ?> entry : settings.entrySet()) {
      String key = entry.getKey();
      if (CONFIG.names().contains(key)) {
        continue;
      }
      if (key.startsWith(STREAMS_PREFIX)) {
        checkStreamsKey(key, entry.getValue());
        continue;
      }
      if (key.startsWith(KafkaClientSettings.PREFIX)) {
        KafkaClientSettings.from(Map.of(key, String.valueOf(entry.getValue())));
        continue;
      }
      unknown.add(key);
    }
    if (!unknown.isEmpty()) {
      throw new ConfigException("unknown configuration key" + (unknown.size() > 1 ? "s " : " ")
          + String.join(", ", unknown) + "; known keys: " + String.join(", ", new TreeSet<>(CONFIG.names()))
          + ", and Kafka Streams settings under " + STREAMS_PREFIX + ", Kafka client settings under "
          + KafkaClientSettings.PREFIX);
    }
    return settings;
  }

  private static void checkStreamsKey(String key, Object value) {
    String setting = key.substring(STREAMS_PREFIX.length());
    String owned = OWNED_STREAMS_SETTINGS.get(setting);
    if (owned != null) {
      throw new ConfigException(key, shown(setting, value), "the evaluator sets " + setting + " itself: " + owned);
    }
    if (StreamsConfig.configDef().names().contains(setting)) {
      return;
    }
    for (String prefix : CLIENT_PREFIXES) {
      if (setting.startsWith(prefix)) {
        String clientSetting = setting.substring(prefix.length());
        if (prefix.equals("topic.") || ConsumerConfig.configNames().contains(clientSetting)
            || ProducerConfig.configNames().contains(clientSetting)
            || AdminClientConfig.configNames().contains(clientSetting)) {
          return;
        }
      }
    }
    throw new ConfigException(key, shown(setting, value), "'" + setting + "' is not a Kafka Streams setting (nor a "
        + CLIENT_PREFIXES + "-prefixed client setting)");
  }

  /** A value fit for an error message: a secret's is hidden. */
  private static Object shown(String setting, Object value) {
    return KafkaClientSettings.isSecret(setting) ? "[hidden]" : value;
  }
}
