package org.streamdistill.producers.experiment;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.producers.time.EventTimeParser;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.schemas.config.KafkaClientSettings;

/**
 * Settings of {@code replay topic}: which range of which turns topic goes into which
 * experiment namespace.
 *
 * @param fromTime start time or {@code null}; resolved per partition with {@code offsetsForTimes}
 * @param toTime end time (exclusive) or {@code null}
 */
public record TopicReplayConfig(String bootstrapServers, String sourceNamespace, String experimentNamespace,
                                OffsetBound fromOffsets, OffsetBound toOffsets, Instant fromTime, Instant toTime,
                                long seed, double sampleFraction, double ratePerSecond, boolean allowNonEmpty,
                                KafkaClientSettings kafka) {

  public static final String BOOTSTRAP_SERVERS = KafkaClientSettings.BOOTSTRAP_SERVERS;
  public static final String SOURCE_NAMESPACE = "replay.source-namespace";
  public static final String EXPERIMENT_NAMESPACE = "experiment.namespace";
  public static final String FROM_OFFSETS = "replay.from-offsets";
  public static final String TO_OFFSETS = "replay.to-offsets";
  public static final String FROM_TIME = "replay.from-time";
  public static final String TO_TIME = "replay.to-time";
  public static final String SEED = "replay.seed";
  public static final String SAMPLE_FRACTION = "replay.sample-fraction";
  public static final String RATE = "replay.rate";
  public static final String ALLOW_NON_EMPTY = "replay.allow-non-empty";

  /** Namespaces become topic name prefixes: keep them short and plain. */
  public static final String NAMESPACE_PATTERN = "[a-z0-9][a-z0-9_-]{0,47}";

  public static final ConfigDef DEFINITION = new ConfigDef()
      .define(KafkaClientSettings.bootstrapServersKey())
      .define(SOURCE_NAMESPACE, Type.STRING, "", Importance.LOW,
          "Namespace of the turns topic to copy from; empty for production's dialogue.turns.")
      .define(EXPERIMENT_NAMESPACE, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
          "Namespace to copy into (topics <namespace>.dialogue.turns and so on; created if missing).")
      .define(FROM_OFFSETS, Type.STRING, "", Importance.MEDIUM,
          "First offset to copy: one number for every partition or partition:offset,...; empty: the earliest.")
      .define(TO_OFFSETS, Type.STRING, "", Importance.MEDIUM,
          "Offset to stop before, same forms; empty: the end of the topic when the replay starts.")
      .define(FROM_TIME, Type.STRING, "", Importance.MEDIUM,
          "Copy from the first record at or after this time (ISO-8601 or epoch millis); not with from-offsets.")
      .define(TO_TIME, Type.STRING, "", Importance.MEDIUM,
          "Stop before the first record at or after this time; not with to-offsets.")
      .define(SEED, Type.LONG, 42L, Importance.MEDIUM, "Seed of the conversation sample.")
      .define(SAMPLE_FRACTION, Type.DOUBLE, 1.0, Range.between(0, 1), Importance.MEDIUM,
          "Share of conversations to copy, chosen by the seed (a kept conversation keeps all its turns).")
      .define(RATE, Type.DOUBLE, 0.0, Range.atLeast(0), Importance.LOW, "Records per second; 0 for as fast as possible.")
      .define(ALLOW_NON_EMPTY, Type.BOOLEAN, false, Importance.LOW,
          "Append to an experiment turns topic that already holds records (the copy is then no longer exactly the range).");

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL", Map.of(
      "bootstrap-servers", BOOTSTRAP_SERVERS, "experiment", EXPERIMENT_NAMESPACE, "source", SOURCE_NAMESPACE,
      "from-offsets", FROM_OFFSETS, "to-offsets", TO_OFFSETS, "from-time", FROM_TIME, "to-time", TO_TIME,
      "seed", SEED, "sample-fraction", SAMPLE_FRACTION, "rate", RATE)).withKafkaClientSettings();

  public TopicReplayConfig {
    if (experimentNamespace == null || !experimentNamespace.matches(NAMESPACE_PATTERN)) {
      throw new ConfigException(EXPERIMENT_NAMESPACE, experimentNamespace,
          "must be 1 to 48 lower-case letters, digits, '-' or '_', starting with a letter or digit");
    }
    if (experimentNamespace.equals(sourceNamespace)) {
      throw new ConfigException(EXPERIMENT_NAMESPACE + " must differ from " + SOURCE_NAMESPACE + " ('"
          + sourceNamespace + "'): a replay never writes into the topic it reads");
    }
    if (fromOffsets.isPresent() && fromTime != null) {
      throw new ConfigException("give either " + FROM_OFFSETS + " or " + FROM_TIME + ", not both");
    }
    if (toOffsets.isPresent() && toTime != null) {
      throw new ConfigException("give either " + TO_OFFSETS + " or " + TO_TIME + ", not both");
    }
    if (fromTime != null && toTime != null && !fromTime.isBefore(toTime)) {
      throw new ConfigException(FROM_TIME + " (" + fromTime + ") must be before " + TO_TIME + " (" + toTime + ")");
    }
  }

  public static TopicReplayConfig from(Map<String, Object> v) {
    return new TopicReplayConfig((String) v.get(BOOTSTRAP_SERVERS), (String) v.get(SOURCE_NAMESPACE),
        (String) v.get(EXPERIMENT_NAMESPACE), offsets(FROM_OFFSETS, v), offsets(TO_OFFSETS, v), time(FROM_TIME, v),
        time(TO_TIME, v), (Long) v.get(SEED), (Double) v.get(SAMPLE_FRACTION), (Double) v.get(RATE),
        (Boolean) v.get(ALLOW_NON_EMPTY), KafkaClientSettings.from(v));
  }

  public static TopicReplayConfig parse(List<String> args, Map<String, String> env) {
    return from(LOADER.load(args, env));
  }

  /** Settings given as strings (keys of {@link #DEFINITION}). */
  public static TopicReplayConfig of(Map<String, String> settings) {
    return from(LOADER.parse(settings));
  }

  private static OffsetBound offsets(String key, Map<String, Object> v) {
    try {
      return OffsetBound.parse((String) v.get(key));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + ": " + e.getMessage());
    }
  }

  private static Instant time(String key, Map<String, Object> v) {
    String text = (String) v.get(key);
    if (text.isBlank()) {
      return null;
    }
    try {
      return EventTimeParser.lenient().parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + ": " + e.getMessage());
    }
  }
}
