package org.streamdistill.schemas.config;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The Kafka client settings every command hands to every Kafka client it opens: each setting
 * {@code kafka.<client setting>} (from {@code --config FILE}, {@code STREAMDISTILL_KAFKA_*}
 * variables or {@code --kafka.x value} flags) with the prefix removed, for example {@code
 * kafka.security.protocol=SASL_SSL}, {@code kafka.sasl.jaas.config=...}, {@code
 * kafka.ssl.truststore.location=...}. This is how a command reaches a secured cluster.
 *
 * <p>Each setting must be a producer, consumer or admin client setting, or a config provider
 * ({@code kafka.config.providers=file}, {@code kafka.config.providers.file.class=...}), so that
 * secrets can be read from files with {@code ${file:/path:key}}. Settings that exactly-once
 * delivery or a stage's own bookkeeping depends on ({@link #RESERVED}) are refused with a
 * message naming the key: the stages set those themselves.
 *
 * <p>Values of secret settings ({@code sasl.jaas.config}, {@code *.password}, every setting a
 * Kafka client declares as a password) never appear in {@link #toString()} nor in an error.
 * Applied after a client's own settings, so a tuning setting ({@code kafka.linger.ms}) wins.
 */
public final class KafkaClientSettings implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Prefix of the keys passed to every Kafka client. */
  public static final String PREFIX = "kafka.";

  /** The key every command names its Kafka cluster by, outside the {@code kafka.} prefix. */
  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";

  /**
   * {@code bootstrap.servers} as every command defines it: one default, one validator, one doc,
   * so {@code --help} reads the same everywhere.
   */
  public static ConfigDef.ConfigKey bootstrapServersKey() {
    return new ConfigDef.ConfigKey(BOOTSTRAP_SERVERS, ConfigDef.Type.STRING, "127.0.0.1:9092", NotBlank.INSTANCE,
        ConfigDef.Importance.HIGH, "Kafka bootstrap servers, host:port[,host:port...].", null, -1,
        ConfigDef.Width.NONE, BOOTSTRAP_SERVERS, java.util.List.of(), null, false);
  }

  /** Settings of no command's Kafka clients: what a command without {@code kafka.*} keys uses. */
  public static final KafkaClientSettings NONE = new KafkaClientSettings(Map.of());

  /** Client settings the stages set themselves, with what to do instead. */
  public static final Map<String, String> RESERVED = reserved();

  private static final String CONFIG_PROVIDERS = "config.providers";

  private static final Set<String> CLIENT_SETTINGS = Stream.of(
          ProducerConfig.configNames(), ConsumerConfig.configNames(), AdminClientConfig.configNames())
      .flatMap(Set::stream).collect(Collectors.toUnmodifiableSet());

  private static final Set<String> PASSWORD_SETTINGS = Stream.of(
          ProducerConfig.configDef(), ConsumerConfig.configDef(), AdminClientConfig.configDef())
      .flatMap(def -> def.configKeys().values().stream())
      .filter(key -> key.type == ConfigDef.Type.PASSWORD)
      .map(key -> key.name)
      .collect(Collectors.toUnmodifiableSet());

  /** Ordered (TreeMap) so that what is logged and compared is stable; serializable for Flink. */
  private final TreeMap<String, String> settings;

  private KafkaClientSettings(Map<String, String> settings) {
    this.settings = new TreeMap<>(settings);
  }

  /**
   * The {@code kafka.*} entries of {@code settings} (other keys are ignored), prefix removed.
   *
   * @throws ConfigException naming the key of a setting no Kafka client knows or one the stages set
   *     themselves; the message never holds the value
   */
  public static KafkaClientSettings from(Map<String, ?> settings) {
    Map<String, String> picked = new LinkedHashMap<>();
    for (Map.Entry<String, ?> entry : settings.entrySet()) {
      if (!entry.getKey().startsWith(PREFIX)) {
        continue;
      }
      String key = entry.getKey();
      String setting = key.substring(PREFIX.length());
      check(key, setting);
      Object value = entry.getValue();
      picked.put(setting, value == null ? "" : value.toString().trim());
    }
    return picked.isEmpty() ? NONE : new KafkaClientSettings(picked);
  }

  /** Checks one {@code kafka.*} key without its value; for the loader, which checks every key at start. */
  static void check(String key) {
    check(key, key.substring(PREFIX.length()));
  }

  private static void check(String key, String setting) {
    String instead = RESERVED.get(setting);
    if (instead != null) {
      throw new ConfigException("setting '" + key + "' is refused: the stages set " + setting
          + " themselves, because " + instead);
    }
    if (!CLIENT_SETTINGS.contains(setting) && !setting.equals(CONFIG_PROVIDERS)
        && !setting.startsWith(CONFIG_PROVIDERS + ".")) {
      throw new ConfigException("unknown setting '" + key + "': '" + setting + "' is not a Kafka producer, consumer "
          + "or admin client setting (see https://kafka.apache.org/documentation/#configuration), nor "
          + CONFIG_PROVIDERS + "*");
    }
  }

  /** The settings, prefix removed, in key order; values of secrets included: hand them only to clients. */
  public Map<String, String> values() {
    return Collections.unmodifiableMap(settings);
  }

  public boolean isEmpty() {
    return settings.isEmpty();
  }

  /**
   * Adds the settings to a client's own ({@code Properties} or a map), replacing those of the same
   * name, and returns it.
   */
  public <M extends Map<Object, Object>> M applyTo(M clientProperties) {
    clientProperties.putAll(settings);
    return clientProperties;
  }

  /** A copy of {@code own} with the settings added, for clients configured through a {@code Map<String, Object>}. */
  public Map<String, Object> withOwn(Map<String, ?> own) {
    Map<String, Object> merged = new LinkedHashMap<>(own);
    merged.putAll(settings);
    return merged;
  }

  /** The settings with every secret value replaced by {@code [hidden]}: safe to log. */
  public Map<String, String> masked() {
    Map<String, String> masked = new TreeMap<>();
    settings.forEach((key, value) -> masked.put(key, isSecret(key) ? "[hidden]" : value));
    return masked;
  }

  /** Whether the value of {@code setting} (prefix removed or not) must never be shown. */
  public static boolean isSecret(String setting) {
    String name = setting.startsWith(PREFIX) ? setting.substring(PREFIX.length()) : setting;
    String lower = name.toLowerCase(Locale.ROOT);
    return PASSWORD_SETTINGS.contains(name) || lower.contains("password") || lower.contains("jaas")
        || lower.contains("secret") || lower.contains("token") || lower.endsWith(".key")
        || lower.contains("credential");
  }

  /** The line --help shows for the pass-through keys (no values). */
  public static String help() {
    return String.format("  --%s<setting>  [any Kafka producer, consumer or admin client setting]%n"
        + "      Handed to every Kafka client of the command, e.g. kafka.security.protocol=SASL_SSL, "
        + "kafka.sasl.mechanism, kafka.sasl.jaas.config, kafka.ssl.truststore.location; secrets can come from files "
        + "with kafka.config.providers=file. Refused: %s.", PREFIX, new TreeSet<>(RESERVED.keySet()));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KafkaClientSettings other && settings.equals(other.settings);
  }

  @Override
  public int hashCode() {
    return settings.hashCode();
  }

  /** The settings with secrets hidden. */
  @Override
  public String toString() {
    return "KafkaClientSettings" + masked();
  }

  private static Map<String, String> reserved() {
    Map<String, String> r = new TreeMap<>();
    String exactlyOnce = "exactly-once delivery depends on it";
    r.put("bootstrap.servers", "it is a setting of its own: use bootstrap.servers (--bootstrap-servers)");
    r.put("isolation.level", "consumers read read_committed for " + exactlyOnce);
    r.put("enable.idempotence", exactlyOnce);
    r.put("transactional.id", exactlyOnce + "; transactional ids come from the topic catalogue and the stage's "
        + "settings");
    r.put("transaction.timeout.ms", "the stages size their transactions (trainer.transaction.timeout-ms)");
    r.put("processing.guarantee", exactlyOnce);
    r.put("enable.auto.commit", "offsets are committed with the output, for " + exactlyOnce);
    r.put("group.id", "group ids come from the topic catalogue and the stage's settings (topic.namespace, "
        + "*.group-id, evaluator.application.id)");
    r.put("group.instance.id", "the trainer derives it from its transactional id");
    r.put("acks", exactlyOnce + " (acks=all)");
    r.put("auto.offset.reset", "each stage chooses where a new group starts");
    r.put("client.id", "each client names itself, so that logs and quotas tell them apart");
    for (String serde : new String[] {"key.serializer", "value.serializer", "key.deserializer", "value.deserializer"}) {
      r.put(serde, "records are written and read in the pipeline's own wire format");
    }
    return Collections.unmodifiableMap(r);
  }
}
