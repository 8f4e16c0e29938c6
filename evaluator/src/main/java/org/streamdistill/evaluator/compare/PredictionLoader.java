package org.streamdistill.evaluator.compare;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;

/**
 * Reads a namespace's {@code student.predictions} from the start to the end it has when the
 * read starts, {@code read_committed} (what the trainer committed), without a consumer group.
 */
public final class PredictionLoader {

  private static final Duration POLL = Duration.ofMillis(500);

  private final String bootstrapServers;
  private final KafkaClientSettings kafka;
  private final SchemaRegistryClient registry;
  private final Duration timeout;

  public PredictionLoader(String bootstrapServers, KafkaClientSettings kafka, SchemaRegistryClient registry,
      Duration timeout) {
    this.bootstrapServers = bootstrapServers;
    this.kafka = kafka;
    this.registry = registry;
    this.timeout = timeout;
  }

  /**
   * @param progress told the records read so far, every few thousand
   * @throws IllegalStateException when the topic does not exist, or a record cannot be decoded
   */
  public NamespacePredictions load(String namespace, String modelLine, LongConsumer progress) {
    Topic<StudentPrediction> topic = Topics.PREDICTIONS.inNamespace(namespace);
    AvroWireCodec<StudentPrediction> codec = new AvroWireCodec<>(registry, topic.valueSubject(),
        StudentPrediction.class);
    NamespacePredictions.Builder builder = new NamespacePredictions.Builder(namespace, modelLine);
    Properties props = kafka.applyTo(new Properties());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamdistill-compare");
    try (KafkaConsumer<byte[], byte[]> consumer =
             new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      var info = consumer.partitionsFor(topic.name(), timeout);
      if (info == null || info.isEmpty()) {
        throw new IllegalStateException("topic " + topic.name() + " does not exist: is '"
            + (namespace.isEmpty() ? CompareConfig.PRODUCTION : namespace) + "' a namespace that ran?");
      }
      List<TopicPartition> partitions = info.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
      end.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
      long read = 0;
      while (!end.isEmpty()) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          Long stop = end.get(new TopicPartition(record.topic(), record.partition()));
          if (stop == null || record.offset() >= stop) {
            continue;
          }
          try {
            builder.add(codec.decode(record.value()));
          } catch (RuntimeException e) {
            throw new IllegalStateException("cannot decode " + record.topic() + "-" + record.partition() + "@"
                + record.offset() + ": " + e.getMessage(), e);
          }
          if (++read % 5_000 == 0) {
            progress.accept(read);
          }
        }
        // read_committed: the position passes transaction markers and aborted records too
        end.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
      }
    }
    return builder.build();
  }
}
