package org.streamdistill.student.training;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.schemas.wire.UndecodableRecordException;

/**
 * Reads {@code model.promotions} for the trainer, with its own consumer and no group (nothing is
 * committed; every start reads the compacted topic from its beginning). {@link #readHistory}
 * reads what the topic holds at start, up to its end; {@link #poll} then returns the events
 * that arrive while the trainer runs, each decoded or with the reason it cannot be.
 */
final class PromotionFeed {

  private static final Logger LOG = LoggerFactory.getLogger(PromotionFeed.class);
  private static final Duration POLL = Duration.ofMillis(200);

  /** One record: its event, or the error that makes it a dead letter. */
  record Received(ConsumerRecord<byte[], byte[]> record, PromotionEvent event, RuntimeException error) {}

  private final Consumer<byte[], byte[]> consumer;
  private final Topic<PromotionEvent> topic;
  private final AvroWireCodec<PromotionEvent> codec;

  PromotionFeed(Consumer<byte[], byte[]> consumer, Topic<PromotionEvent> topic, AvroWireCodec<PromotionEvent> codec) {
    this.consumer = consumer;
    this.topic = topic;
    this.codec = codec;
  }

  /**
   * Assigns every partition and reads from the beginning to the end offsets found now: the
   * history a restart recovers its champion from. Undecodable records are logged and skipped,
   * not dead-lettered again: the run that first read them did that, and every restart would
   * otherwise add a copy. Gives up after {@code timeout} with what it has read.
   */
  List<PromotionEvent> readHistory(Duration timeout) {
    List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), timeout).stream()
        .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    if (partitions.isEmpty()) {
      throw new IllegalStateException("topic " + topic.name() + " does not exist: provision the pipeline's "
          + "topics first (bin/streamdistill provision)");
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
    long deadline = System.nanoTime() + timeout.toNanos();
    List<PromotionEvent> history = new ArrayList<>();
    while (!reached(end)) {
      if (System.nanoTime() - deadline > 0) {
        LOG.warn("{} not read to its end within {}: the champion is recovered from the {} events read", topic.name(),
            timeout, history.size());
        break;
      }
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
        try {
          history.add(codec.decode(record.value()));
        } catch (UndecodableRecordException e) {
          LOG.warn("skipping undecodable promotion {}-{}@{} while recovering the champion: {}", record.topic(),
              record.partition(), record.offset(), e.getMessage());
        }
      }
    }
    return history;
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    for (var entry : end.entrySet()) {
      if (entry.getValue() != null && consumer.position(entry.getKey()) < entry.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** The records that arrived since the last call, in order. */
  List<Received> poll(Duration timeout) {
    List<Received> received = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
      try {
        received.add(new Received(record, codec.decode(record.value()), null));
      } catch (UndecodableRecordException e) {
        received.add(new Received(record, null, e));
      }
    }
    return received;
  }

  void close(Duration timeout) {
    consumer.close(timeout);
  }
}
