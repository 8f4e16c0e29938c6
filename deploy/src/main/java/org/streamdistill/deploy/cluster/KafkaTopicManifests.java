package org.streamdistill.deploy.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.TopicConfig;
import org.streamdistill.deploy.platform.TopicProvisioner;
import org.streamdistill.deploy.platform.TopicProvisioner.TopicSpec;

/**
 * Strimzi {@code KafkaTopic} resources for every topic {@code provision} creates (the catalogue's
 * topics, their dead-letter twins) and the schema registry's topic, generated rather than written
 * by hand so that {@code deploy/k8s/kafka-topics.yaml} cannot drift from {@code Topics}: a test
 * compares the committed file with {@link #render}.
 */
public final class KafkaTopicManifests {

  /** The Strimzi {@code Kafka} resource the topics belong to ({@code strimzi.io/cluster}). */
  public static final String KAFKA_CLUSTER = "streamdistill";
  /** Replicas of every partition on a production cluster (min ISR 2 is set on the cluster). */
  public static final int REPLICAS = 3;

  private KafkaTopicManifests() {}

  /** Every topic of a Strimzi-managed production cluster, in data-flow order. */
  public static List<TopicSpec> topics() {
    List<TopicSpec> topics = new ArrayList<>(TopicProvisioner.plan(""));
    // The registry creates its topic itself when absent, with the broker's default replication; declared
    // here it gets the cluster's replication and the registry's user needs no right to create topics.
    topics.add(new TopicSpec(registryTopic(), 1, TopicConfig.CLEANUP_POLICY_COMPACT,
        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
    return List.copyOf(topics);
  }

  /** The schema registry's topic, {@code registry.topic}'s default. */
  public static String registryTopic() {
    return (String) ClusterCommandConfig.REGISTRY.defaultValues().get(ClusterCommandConfig.REGISTRY_TOPIC);
  }

  /** The YAML of {@code deploy/k8s/kafka-topics.yaml}. */
  public static String render() {
    StringBuilder yaml = new StringBuilder()
        .append("# GENERATED from the topic catalogue (schemas: Topics) by `bin/streamdistill k8s-topics`: do not\n")
        .append("# edit. KubernetesManifestsTest fails when this file differs from what the catalogue generates.\n");
    for (TopicSpec topic : topics()) {
      yaml.append("---\n")
          .append("apiVersion: kafka.strimzi.io/v1beta2\n")
          .append("kind: KafkaTopic\n")
          .append("metadata:\n")
          .append("  name: ").append(resourceName(topic.name())).append('\n')
          .append("  labels:\n")
          .append("    strimzi.io/cluster: ").append(KAFKA_CLUSTER).append('\n')
          .append("spec:\n")
          .append("  topicName: \"").append(topic.name()).append("\"\n")
          .append("  partitions: ").append(topic.partitions()).append('\n')
          .append("  replicas: ").append(REPLICAS).append('\n')
          .append("  config:\n");
      new TreeMap<>(topic.configs()).forEach((key, value) ->
          yaml.append("    ").append(key).append(": \"").append(value).append("\"\n"));
    }
    return yaml.toString();
  }

  /**
   * A Kubernetes resource name for {@code topic}: lower case, dots and dashes kept, anything else
   * (the registry's leading underscore) dropped; the topic's real name is in {@code spec.topicName}.
   */
  static String resourceName(String topic) {
    String name = topic.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "").replaceAll("^[.-]+", "");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("topic '" + topic + "' has no character a Kubernetes name can hold");
    }
    return name;
  }

  /** {@code bin/streamdistill k8s-topics}: prints the YAML. */
  public static int run(List<String> args, java.io.PrintStream out, java.io.PrintStream err) {
    if (!args.isEmpty()) {
      err.println("k8s-topics takes no arguments; it prints the KafkaTopic resources of the catalogue:\n"
          + "  bin/streamdistill k8s-topics > deploy/k8s/kafka-topics.yaml");
      return 2;
    }
    out.print(render());
    out.flush();
    return 0;
  }
}
