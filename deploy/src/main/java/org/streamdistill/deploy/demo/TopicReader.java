package org.streamdistill.deploy.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.wire.AvroWireCodec;

/**
 * Reads a whole topic as it stands now, committed records only ({@code read_committed}),
 * without a consumer group: for summaries and for tests that check what a stage wrote.
 */
public final class TopicReader {

  private final KafkaClientSettings kafka;
  private final String bootstrapServers;
  private final SchemaRegistryClient registry;

  public TopicReader(String bootstrapServers, SchemaRegistryClient registry) {
    this(bootstrapServers, KafkaClientSettings.NONE, registry);
  }

  /** @param kafka {@code kafka.*} settings of the reader's consumer (security, say) */
  public TopicReader(String bootstrapServers, KafkaClientSettings kafka, SchemaRegistryClient registry) {
    this.kafka = kafka;
    this.bootstrapServers = bootstrapServers;
    this.registry = registry;
  }

  /** Decodes every committed value of {@code topic}, in partition order, and hands it to {@code sink}. */
  public <V extends SpecificRecord> long forEach(Topic<V> topic, Consumer<V> sink) {
    AvroWireCodec<V> codec = new AvroWireCodec<>(registry, topic.valueSubject(), topic.valueType());
    return forEachRaw(topic.name(), record -> sink.accept(codec.decode(record.value())));
  }

  /** All committed values of {@code topic}. */
  public <V extends SpecificRecord> List<V> readAll(Topic<V> topic) {
    List<V> values = new ArrayList<>();
    forEach(topic, values::add);
    return values;
  }

  /** Hands every committed record of the named topic to {@code sink}, undecoded. */
  public long forEachRaw(String topic, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    kafka.applyTo(props);
    long count = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
             new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // For read_committed consumers the end offset is the last stable offset.
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
            sink.accept(record);
            count++;
          }
        }
      }
    }
    return count;
  }
}
