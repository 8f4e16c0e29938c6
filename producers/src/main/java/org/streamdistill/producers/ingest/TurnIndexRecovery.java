package org.streamdistill.producers.ingest;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.schemas.wire.UndecodableRecordException;

/**
 * Finds where each conversation's numbering stands by reading the turns topic from the
 * beginning to its current end: the next index is one past the highest {@code turn_index}
 * seen. Reads with {@code assign()} and no consumer group, so it commits nothing.
 *
 * <p>Its cost grows with the topic's retained size (it decodes every record once); the
 * topic's retention bounds it. A conversation whose turns have all expired starts again at
 * 0, which is why turn ids, not (conversation, index), identify turns.
 */
public final class TurnIndexRecovery {

  private static final Logger LOG = LoggerFactory.getLogger(TurnIndexRecovery.class);

  private TurnIndexRecovery() {}

  /** Conversation id to the index its next turn should get. */
  public static Map<String, Integer> nextIndexes(String bootstrapServers, KafkaClientSettings kafka,
                                                 SchemaRegistryClient registry, Topic<DialogueTurn> topic,
                                                 Duration timeout) {
    AvroWireCodec<DialogueTurn> codec = new AvroWireCodec<>(registry, topic.valueSubject(), DialogueTurn.class);
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "live-chat-index-recovery");
    kafka.applyTo(props);
    Map<String, Integer> next = new HashMap<>();
    long records = 0;
    long undecodable = 0;
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> consumer =
             new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), timeout).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      if (partitions.isEmpty()) {
        throw new IllegalStateException("topic " + topic.name() + " does not exist; create it first");
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading " + topic.name() + " to recover turn indexes took longer than "
              + timeout.toSeconds() + " s; raise the timeout or set ingest.recover-indexes=false");
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.offset() >= end.get(new TopicPartition(record.topic(), record.partition()))) {
            continue;
          }
          records++;
          try {
            DialogueTurn turn = codec.decode(record.value());
            next.merge(turn.getConversationId(), turn.getTurnIndex() + 1, Math::max);
          } catch (UndecodableRecordException e) {
            undecodable++; // the pipeline's dead-letter handling deals with it; it holds no index
          }
        }
      }
    }
    LOG.info("recovered turn indexes of {} conversations from {} records of {} ({} undecodable)",
        next.size(), records, topic.name(), undecodable);
    return next;
  }
}
