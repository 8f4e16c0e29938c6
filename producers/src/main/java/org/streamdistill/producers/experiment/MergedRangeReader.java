package org.streamdistill.producers.experiment;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a {@link ReplayRange} as one sequence in (timestamp, partition, offset) order: a
 * k-way merge of the partitions, each read in offset order. The order depends only on the
 * records in the range, not on how fetches happen to interleave, which is what makes a
 * replay repeatable. Partitions keep their own order even when their timestamps are not
 * monotonic (the merge only ever takes a partition's head).
 *
 * <p>Uses {@code assign()} and seeks, never a consumer group: nothing is committed. Memory is
 * bounded: a partition with {@code maxBuffered} records waiting is paused until the merge
 * has taken some.
 */
public final class MergedRangeReader {

  /** The merge order. */
  public static final Comparator<ConsumerRecord<?, ?>> ORDER = Comparator
      .comparingLong((ConsumerRecord<?, ?> r) -> r.timestamp())
      .thenComparingInt(ConsumerRecord::partition)
      .thenComparingLong(ConsumerRecord::offset);

  private final Consumer<byte[], byte[]> consumer;
  private final Duration stallTimeout;
  private final int maxBuffered;
  private final Map<TopicPartition, Long> ends = new HashMap<>();
  private final Map<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> buffers = new HashMap<>();
  private final Set<TopicPartition> fetchedAll = new HashSet<>();
  private final List<TopicPartition> active = new ArrayList<>();

  public MergedRangeReader(Consumer<byte[], byte[]> consumer, ReplayRange range, Duration stallTimeout,
                           int maxBuffered) {
    this.consumer = consumer;
    this.stallTimeout = stallTimeout;
    this.maxBuffered = maxBuffered;
    for (ReplayRange.PartitionRange p : range.partitions()) {
      if (p.size() > 0) {
        TopicPartition tp = new TopicPartition(range.topic(), p.partition());
        active.add(tp);
        ends.put(tp, p.end());
        buffers.put(tp, new ArrayDeque<>());
      }
    }
    consumer.assign(active);
    for (ReplayRange.PartitionRange p : range.partitions()) {
      if (p.size() > 0) {
        consumer.seek(new TopicPartition(range.topic(), p.partition()), p.start());
      }
    }
  }

  /** The next record of the range in merge order, or {@code null} when the range is done. */
  public ConsumerRecord<byte[], byte[]> next() {
    long stalledSince = System.nanoTime();
    while (true) {
      boolean needMore = false;
      TopicPartition best = null;
      for (TopicPartition tp : active) {
        ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = buffers.get(tp);
        if (buffer.isEmpty()) {
          if (!fetchedAll.contains(tp)) {
            needMore = true; // this partition's head is unknown: it may come first
          }
        } else if (best == null || ORDER.compare(buffer.peekFirst(), buffers.get(best).peekFirst()) < 0) {
          best = tp;
        }
      }
      if (!needMore) {
        return best == null ? null : buffers.get(best).pollFirst();
      }
      if (fetch()) {
        stalledSince = System.nanoTime();
      } else if (System.nanoTime() - stalledSince > stallTimeout.toNanos()) {
        List<TopicPartition> waiting = active.stream()
            .filter(tp -> buffers.get(tp).isEmpty() && !fetchedAll.contains(tp)).toList();
        throw new IllegalStateException("no records from " + waiting + " within " + stallTimeout.toSeconds()
            + " s although the range is not done; is the cluster reachable?");
      }
    }
  }

  /** One poll; true when it made progress. */
  private boolean fetch() {
    List<TopicPartition> pause = new ArrayList<>();
    List<TopicPartition> resume = new ArrayList<>();
    for (TopicPartition tp : active) {
      if (fetchedAll.contains(tp) || buffers.get(tp).size() >= maxBuffered) {
        pause.add(tp);
      } else {
        resume.add(tp);
      }
    }
    consumer.pause(pause);
    consumer.resume(resume);
    boolean progress = false;
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
      TopicPartition tp = new TopicPartition(record.topic(), record.partition());
      Long end = ends.get(tp);
      if (end != null && record.offset() < end && !fetchedAll.contains(tp)) {
        buffers.get(tp).addLast(record);
        progress = true;
      }
    }
    for (TopicPartition tp : resume) {
      if (consumer.position(tp) >= ends.get(tp)) {
        progress |= fetchedAll.add(tp);
      }
    }
    return progress;
  }
}
