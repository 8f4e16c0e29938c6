package org.streamdistill.schemas.topic;

import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * One Kafka topic of the pipeline: its name, the Avro record its values hold, and how the
 * platform creates it. Keys are always UTF-8 strings (conversation ids or model names), so
 * any Kafka client can read them.
 *
 * @param name the topic name
 * @param valueType the generated Avro class of the values
 * @param partitions partitions to create with
 * @param compacted whether the topic keeps only the newest record per key
 * @param keyDoc what the key holds
 */
public record Topic<V extends SpecificRecord>(
    String name, Class<V> valueType, int partitions, boolean compacted, String keyDoc) {

  /** Suffix of every topic's dead-letter twin. */
  public static final String DEAD_LETTER_SUFFIX = ".dlq";

  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(valueType, "valueType");
    if (partitions < 1) {
      throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1, got " + partitions);
    }
  }

  /** The Avro schema of the values. */
  public Schema valueSchema() {
    return SpecificData.get().getSchema(valueType);
  }

  /** Schema-registry subject of the values ({@code <topic>-value}, Confluent's TopicNameStrategy). */
  public String valueSubject() {
    return name + "-value";
  }

  /** Name of the dead-letter topic that receives this topic's poison records. */
  public String deadLetterTopic() {
    return name + DEAD_LETTER_SUFFIX;
  }

  /**
   * The same topic inside a namespace (experiments run beside production on prefixed
   * topics). An empty prefix returns this topic.
   */
  public Topic<V> inNamespace(String prefix) {
    if (prefix == null || prefix.isEmpty()) {
      return this;
    }
    return new Topic<>(prefix + "." + name, valueType, partitions, compacted, keyDoc);
  }

  @Override
  public String toString() {
    return name;
  }
}
