package org.streamdistill.student.training;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A {@link MockConsumer} over an append-only log per partition, as a broker keeps it: every
 * poll returns the records from the consumer's position on, so a seek back replays them (a
 * plain MockConsumer forgets a record once it returned it). Before each poll it runs the next
 * step of a script, which may append records, rebalance or stop the trainer. Committed offsets
 * come from a supplier: the test's stand-in for the group coordinator (offsets committed in the
 * trainer's transactions).
 */
final class LogConsumer extends MockConsumer<byte[], byte[]> {

  private static final Node NODE = new Node(0, "localhost", 9092);

  private final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> log = new HashMap<>();
  private final Queue<Runnable> script = new ArrayDeque<>();
  private Supplier<Map<TopicPartition, OffsetAndMetadata>> groupOffsets = Map::of;
  private int polls;

  LogConsumer() {
    super("earliest");
  }

  /** Declares a topic of {@code partitions} empty partitions. */
  LogConsumer withTopic(String topic, int partitions) {
    List<PartitionInfo> infos = new ArrayList<>();
    Map<TopicPartition, Long> beginning = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      infos.add(new PartitionInfo(topic, p, NODE, new Node[] {NODE}, new Node[] {NODE}));
      TopicPartition tp = new TopicPartition(topic, p);
      log.put(tp, new ArrayList<>());
      beginning.put(tp, 0L);
    }
    updatePartitions(topic, infos);
    updateBeginningOffsets(beginning);
    return this;
  }

  /** Where committed offsets come from. */
  LogConsumer withGroupOffsets(Supplier<Map<TopicPartition, OffsetAndMetadata>> offsets) {
    this.groupOffsets = offsets;
    return this;
  }

  /** Appends a record (timestamp 1000 + offset); returns its offset. */
  synchronized long append(TopicPartition tp, byte[] key, byte[] value) {
    List<ConsumerRecord<byte[], byte[]>> records = log.get(tp);
    long offset = records.size();
    records.add(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, 1_000 + offset, TimestampType.CREATE_TIME,
        key == null ? -1 : key.length, value.length, key, value, new RecordHeaders(), Optional.empty()));
    return offset;
  }

  /** Steps run one per poll, before it, in order; polls after the last step run none. */
  LogConsumer then(Runnable... steps) {
    script.addAll(List.of(steps));
    return this;
  }

  int polls() {
    return polls;
  }

  @Override
  public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
    polls++;
    Runnable step = script.poll();
    if (step != null) {
      step.run();
    }
    for (TopicPartition tp : assignment()) {
      long position = position(tp);
      List<ConsumerRecord<byte[], byte[]>> records = log.getOrDefault(tp, List.of());
      for (int i = (int) position; i < records.size(); i++) {
        addRecord(records.get(i));
      }
    }
    return super.poll(Duration.ZERO);
  }

  @Override
  public synchronized Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions, Duration timeout) {
    Map<TopicPartition, Long> end = new HashMap<>();
    partitions.forEach(tp -> end.put(tp, (long) log.getOrDefault(tp, List.of()).size()));
    return end;
  }

  @Override
  public synchronized Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions,
                                                                      Duration timeout) {
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    groupOffsets.get().forEach((tp, offset) -> {
      if (partitions.contains(tp)) {
        committed.put(tp, offset);
      }
    });
    return committed;
  }
}
