package org.streamdistill.producers.replay;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.registry.RegistryClientSettings;

/** Settings of the CLINC150 replay producer. */
public record ReplayConfig(String bootstrapServers, RegistryClientSettings registry, String namespace, Path data,
                           double ratePerSecond, ReplayOptions options, KafkaClientSettings kafka) {

  public static final String BOOTSTRAP_SERVERS = KafkaClientSettings.BOOTSTRAP_SERVERS;
  public static final String REGISTRY_URL = RegistryClientSettings.URL;
  public static final String NAMESPACE = "topic.namespace";
  public static final String DATA = "replay.data";
  public static final String RATE = "replay.rate";
  public static final String SEED = "replay.seed";
  public static final String LIMIT = "replay.limit";
  public static final String GOLD_FRACTION = "replay.gold-fraction";
  public static final String PASSES = "replay.passes";
  public static final String INCLUDE_TEST = "replay.include-test";
  public static final String MAX_TURNS_PER_CONVERSATION = "replay.max-turns-per-conversation";

  public static final ConfigDef DEFINITION = RegistryClientSettings.define(new ConfigDef()
      .define(KafkaClientSettings.bootstrapServersKey()))
      .define(NAMESPACE, Type.STRING, "", Importance.LOW, "Prefix of every topic (experiments); empty for production.")
      .define(DATA, Type.STRING, Clinc150.DEFAULT_PATH.toString(), Importance.HIGH, "Path of CLINC150's data_full.json.")
      .define(RATE, Type.DOUBLE, 0.0, Range.atLeast(0), Importance.MEDIUM, "Turns per second; 0 for as fast as Kafka takes them.")
      .define(SEED, Type.LONG, 42L, Importance.MEDIUM, "Seed of order, conversation grouping and which turns carry gold labels.")
      .define(LIMIT, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM, "Stop after this many turns; 0 for all.")
      .define(GOLD_FRACTION, Type.DOUBLE, 0.1, Range.between(0, 1), Importance.MEDIUM,
          "Share of training turns that carry their gold label (held-out turns always do).")
      .define(PASSES, Type.INT, 3, Range.atLeast(0), Importance.MEDIUM, "How many times the training split is replayed.")
      .define(INCLUDE_TEST, Type.BOOLEAN, true, Importance.MEDIUM, "Replay the test split, held out, after the training passes.")
      .define(MAX_TURNS_PER_CONVERSATION, Type.INT, 6, Range.atLeast(1), Importance.LOW,
          "Utterances are grouped into conversations of 1 to this many turns.");

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL", Map.of(
      "bootstrap-servers", BOOTSTRAP_SERVERS, "registry", REGISTRY_URL, "data", DATA, "rate", RATE, "seed", SEED,
      "limit", LIMIT, "gold-fraction", GOLD_FRACTION, "passes", PASSES)).withKafkaClientSettings();

  public static ReplayConfig from(Map<String, Object> values) {
    return new ReplayConfig(
        (String) values.get(BOOTSTRAP_SERVERS), RegistryClientSettings.from(values), (String) values.get(NAMESPACE),
        Path.of((String) values.get(DATA)), (Double) values.get(RATE),
        new ReplayOptions((Integer) values.get(PASSES), (Boolean) values.get(INCLUDE_TEST),
            (Double) values.get(GOLD_FRACTION), (Long) values.get(SEED), (Long) values.get(LIMIT),
            (Integer) values.get(MAX_TURNS_PER_CONVERSATION)), KafkaClientSettings.from(values));
  }

  public static ReplayConfig parse(List<String> args, Map<String, String> env) {
    return from(LOADER.load(args, env));
  }

  /** The schema registry's base URL. */
  public String registryUrl() {
    return registry.url();
  }
}
