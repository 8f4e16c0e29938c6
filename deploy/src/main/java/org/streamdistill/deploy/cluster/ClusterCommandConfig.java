package org.streamdistill.deploy.cluster;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.streamdistill.schemas.config.ConfigLoader;

/**
 * Settings of {@code provision} and {@code registry}, loaded like every other command's:
 * defaults, {@code --config FILE}, {@code STREAMDISTILL_*} variables, {@code --key value} flags
 * (their old flags, {@code --bootstrap-servers}, {@code --namespace}, {@code --port}, ... are the
 * short aliases).
 */
final class ClusterCommandConfig {

  static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  static final String NAMESPACE = "topic.namespace";
  static final String REPLICATION_FACTOR = "provision.replication-factor";
  static final String REGISTRY_BIND = "registry.bind-address";
  static final String REGISTRY_PORT = "registry.port";
  static final String REGISTRY_TOPIC = "registry.topic";

  static final ConfigDef PROVISION = new ConfigDef()
      .define(BOOTSTRAP_SERVERS, Type.STRING, "127.0.0.1:9092", new ConfigDef.NonEmptyString(), Importance.HIGH,
          "Kafka bootstrap servers.")
      .define(NAMESPACE, Type.STRING, "", Importance.MEDIUM,
          "Prefix of every topic name, for experiments beside production; empty for none.")
      .define(REPLICATION_FACTOR, Type.INT, 0, Range.between(0, Short.MAX_VALUE), Importance.MEDIUM,
          "Replicas of each partition; 0 for the broker's default.replication.factor. 3 in production.");

  static final ConfigLoader PROVISION_LOADER = new ConfigLoader(PROVISION, "STREAMDISTILL", Map.of(
      "bootstrap-servers", BOOTSTRAP_SERVERS, "namespace", NAMESPACE, "replication-factor", REPLICATION_FACTOR))
      .withKafkaClientSettings();

  static final ConfigDef REGISTRY = new ConfigDef()
      .define(BOOTSTRAP_SERVERS, Type.STRING, "127.0.0.1:9092", new ConfigDef.NonEmptyString(), Importance.HIGH,
          "Kafka bootstrap servers of the cluster that stores the schemas.")
      .define(REGISTRY_BIND, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
          "Address the HTTP endpoint listens on; 0.0.0.0 for every interface (it has no authentication yet: "
              + "put it behind a proxy that has).")
      .define(REGISTRY_PORT, Type.INT, 8081, Range.between(0, 65_535), Importance.HIGH,
          "HTTP port; 0 picks a free one.")
      .define(REGISTRY_TOPIC, Type.STRING, "_schemas", new ConfigDef.NonEmptyString(), Importance.LOW,
          "The compacted topic holding the schemas (created if absent), as Confluent's.");

  static final ConfigLoader REGISTRY_LOADER = new ConfigLoader(REGISTRY, "STREAMDISTILL", Map.of(
      "bootstrap-servers", BOOTSTRAP_SERVERS, "port", REGISTRY_PORT, "topic", REGISTRY_TOPIC, "bind", REGISTRY_BIND))
      .withKafkaClientSettings();

  private ClusterCommandConfig() {}

  static Map<String, Object> provision(List<String> args, Map<String, String> env) {
    return PROVISION_LOADER.load(args, env);
  }

  static Map<String, Object> registry(List<String> args, Map<String, String> env) {
    return REGISTRY_LOADER.load(args, env);
  }
}
