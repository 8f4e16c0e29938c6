package org.streamdistill.evaluator.lag;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the oldest record a group has not consumed yet, to time its lag: assigns the
 * partitions to a read-committed consumer of its own (no group id: it never joins a group
 * and never commits), seeks to each group's position and polls until a record of the
 * partition arrives or the consumer's position passes the last stable offset without one.
 * The consumer skips commit markers and aborted records by itself and moves its position past
 * them, which is how a gap of only markers is told apart from real lag.
 *
 * <p>Records never change once below the last stable offset, so answers are cached per
 * (partition, start offset) between calls: a group that stays behind on the same offset costs
 * no fetch after the first; entries not asked for in a call are dropped.
 *
 * <p>Not thread-safe, like the consumer it wraps.
 */
final class OldestRecordReader implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OldestRecordReader.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final Consumer<byte[], byte[]> consumer;
  private final Duration timeout;
  private Map<Key, Cached> cache = new HashMap<>();

  /**
   * @param consumer a consumer with {@code isolation.level=read_committed} and no group id;
   *     this reader owns and closes it
   * @param timeout how long one call may poll for the records of one round of partitions
   */
  OldestRecordReader(Consumer<byte[], byte[]> consumer, Duration timeout) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * The oldest consumable record in {@code [fromOffset, untilOffset)} of a partition.
   *
   * @param partition the partition
   * @param fromOffset the group's position
   * @param untilOffset the last stable offset
   */
  record Request(TopicPartition partition, long fromOffset, long untilOffset) {
    Request {
      if (fromOffset >= untilOffset) {
        throw new IllegalArgumentException(partition + ": empty range [" + fromOffset + ", " + untilOffset + ")");
      }
    }
  }

  /** A cached answer is valid for any range starting at the same offset. */
  private record Key(TopicPartition partition, long fromOffset) {
    static Key of(Request request) {
      return new Key(request.partition(), request.fromOffset());
    }
  }

  /** What a scan from a key's offset found: the first record, or nothing up to {@code scannedUntil}. */
  private record Cached(OldestUnconsumed.Found found, long scannedUntil) {}

  /** Answers every request; requests that time out answer {@link OldestUnconsumed#UNKNOWN}. */
  Map<Request, OldestUnconsumed> read(Collection<Request> requests) {
    Map<Request, OldestUnconsumed> answers = new LinkedHashMap<>();
    Map<Key, Cached> nextCache = new HashMap<>();
    // What still has to be fetched, and from where: the cached scan may cover a prefix.
    Map<Request, Long> toFetch = new LinkedHashMap<>();
    for (Request request : requests) {
      Key key = Key.of(request);
      Cached cached = cache.get(key);
      if (cached != null && cached.found() != null) {
        nextCache.put(key, cached);
        answers.put(request, cached.found().offset() < request.untilOffset() ? cached.found()
            : OldestUnconsumed.ONLY_MARKERS);
      } else if (cached != null && cached.scannedUntil() >= request.untilOffset()) {
        nextCache.put(key, cached);
        answers.put(request, OldestUnconsumed.ONLY_MARKERS);
      } else {
        toFetch.put(request, cached == null ? request.fromOffset() : cached.scannedUntil());
      }
    }
    // One consumer has one position per partition: requests for the same partition (two
    // groups on one topic) go into separate rounds.
    while (!toFetch.isEmpty()) {
      Map<TopicPartition, Request> round = new LinkedHashMap<>();
      for (Request request : toFetch.keySet()) {
        round.putIfAbsent(request.partition(), request);
      }
      Map<TopicPartition, OldestUnconsumed> found = fetchRound(round, toFetch);
      for (Request request : round.values()) {
        OldestUnconsumed answer = found.get(request.partition());
        answers.put(request, answer);
        Key key = Key.of(request);
        if (answer instanceof OldestUnconsumed.Found f) {
          nextCache.put(key, new Cached(f, f.offset() + 1));
        } else if (answer instanceof OldestUnconsumed.OnlyMarkers) {
          nextCache.put(key, new Cached(null, request.untilOffset()));
        }
        toFetch.remove(request);
      }
    }
    cache = nextCache;
    Map<Request, OldestUnconsumed> ordered = new LinkedHashMap<>();
    requests.forEach(r -> ordered.put(r, answers.get(r)));
    return ordered;
  }

  private Map<TopicPartition, OldestUnconsumed> fetchRound(Map<TopicPartition, Request> round,
                                                           Map<Request, Long> startOffsets) {
    Map<TopicPartition, OldestUnconsumed> found = new HashMap<>();
    consumer.assign(round.keySet());
    try {
      for (Request request : round.values()) {
        consumer.seek(request.partition(), startOffsets.get(request));
      }
      Set<TopicPartition> pending = new HashSet<>(round.keySet());
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!pending.isEmpty() && System.nanoTime() < deadline) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        List<TopicPartition> resolved = new ArrayList<>();
        for (TopicPartition partition : pending) {
          Request request = round.get(partition);
          List<ConsumerRecord<byte[], byte[]>> fetched = records.records(partition);
          if (!fetched.isEmpty()) {
            ConsumerRecord<byte[], byte[]> first = fetched.get(0);
            found.put(partition, first.offset() < request.untilOffset()
                ? new OldestUnconsumed.Found(first.offset(), first.timestamp()) : OldestUnconsumed.ONLY_MARKERS);
            resolved.add(partition);
          } else if (consumer.position(partition) >= request.untilOffset()) {
            // The fetch moved past markers / aborted records without returning any.
            found.put(partition, OldestUnconsumed.ONLY_MARKERS);
            resolved.add(partition);
          }
        }
        resolved.forEach(pending::remove);
        consumer.pause(resolved);
      }
      for (TopicPartition partition : pending) {
        LOG.warn("No record of {} between offsets {} and {} within {} ms: time lag unknown this sample",
            partition, startOffsets.get(round.get(partition)), round.get(partition).untilOffset(), timeout.toMillis());
        found.put(partition, OldestUnconsumed.UNKNOWN);
      }
    } finally {
      consumer.assign(List.of());
    }
    return found;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
