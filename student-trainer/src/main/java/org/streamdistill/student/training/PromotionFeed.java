package org.streamdistill.student.training;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.schemas.wire.UndecodableRecordException;

/**
 * Reads {@code model.promotions} for the trainer, with its own consumer and no group (nothing is
 * committed; every start reads the compacted topic from its beginning). {@link #poll}
 * returns its events in order, each decoded or with the reason it cannot be.
 */
final class PromotionFeed {


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

  /** Assigns every partition from the beginning: the first polls replay the whole (compacted) topic. */
  void start(Duration timeout) {
    List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), timeout).stream()
        .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    if (partitions.isEmpty()) {
      throw new IllegalStateException("topic " + topic.name() + " does not exist: provision the pipeline's "
          + "topics first (bin/streamdistill provision)");
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
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
