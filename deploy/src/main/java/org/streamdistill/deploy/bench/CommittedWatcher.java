package org.streamdistill.deploy.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Notes when each record of some topics becomes visible to a {@code read_committed} consumer:
 * a thread polls all their partitions from the beginning and stamps every record with the
 * wall-clock and monotonic time its poll returned. Values are kept undecoded, so that watching
 * costs the measured pipeline as little CPU as possible; decode them after the timing.
 *
 * <p>{@code fetch.max.wait.ms} is 100 ms: a fetch that finds nothing new returns within 100 ms,
 * so a record is stamped at most about that long after it became visible.
 */
final class CommittedWatcher implements AutoCloseable {

  /** One record as it was seen. */
  record Seen(String topic, long seenMillis, long seenNanos, byte[] key, byte[] value) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private final Map<String, List<Seen>> seen = new HashMap<>();
  private long total;

  CommittedWatcher(String bootstrapServers, List<String> topics) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-watcher");
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics) {
      seen.put(topic, new ArrayList<>());
      consumer.partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    thread = new Thread(this::poll, "bench-watcher");
    thread.setDaemon(true);
    thread.start();
  }

  private void poll() {
    try {
      while (running.get()) {
        var records = consumer.poll(Duration.ofMillis(50));
        if (records.isEmpty()) {
          continue;
        }
        long millis = System.currentTimeMillis();
        long nanos = System.nanoTime();
        synchronized (this) {
          for (ConsumerRecord<byte[], byte[]> r : records) {
            seen.get(r.topic()).add(new Seen(r.topic(), millis, nanos, r.key(), r.value()));
            total++;
          }
          notifyAll();
        }
      }
    } catch (org.apache.kafka.common.errors.WakeupException e) {
      // close() woke the consumer up
    } catch (RuntimeException e) {
      failure.set(e);
      synchronized (this) {
        notifyAll();
      }
    } finally {
      consumer.close();
    }
  }

  /** Records of all watched topics seen so far. */
  synchronized long total() {
    return total;
  }

  /** The records of {@code topic} seen so far, in the order they were seen. */
  synchronized List<Seen> records(String topic) {
    return List.copyOf(seen.get(topic));
  }

  /**
   * Waits until at least {@code count} records of all watched topics have been seen, running
   * {@code health} about every second (it throws to give up early).
   *
   * @return the monotonic time at which the {@code count}-th record was seen
   */
  long awaitTotal(long count, Duration timeout, HealthCheck health) throws Exception {
    awaitCount(null, count, timeout, health);
    synchronized (this) {
      return nanosOfRecord(count);
    }
  }

  /**
   * Waits until the watched {@code topics} together (all watched topics when null) hold at
   * least {@code count} records, running {@code health} about every second.
   */
  void awaitCount(List<String> topics, long count, Duration timeout, HealthCheck health) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextCheck = System.nanoTime() + 1_000_000_000L;
    while (true) {
      synchronized (this) {
        if (count(topics) >= count) {
          return;
        }
        if (failure.get() != null) {
          throw failure.get();
        }
        wait(100);
      }
      long now = System.nanoTime();
      if (now >= nextCheck) {
        health.check();
        nextCheck = now + 1_000_000_000L;
      }
      if (now >= deadline) {
        synchronized (this) {
          throw new TimeoutException("saw " + count(topics) + " of " + count + " records of "
              + (topics == null ? seen.keySet() : topics) + " within " + timeout.toSeconds() + " s");
        }
      }
    }
  }

  private long count(List<String> topics) {
    if (topics == null) {
      return total;
    }
    long n = 0;
    for (String topic : topics) {
      n += seen.get(topic).size();
    }
    return n;
  }

  /** When the {@code n}-th record (1-based, over all topics) was seen; records arrive in batches. */
  private long nanosOfRecord(long n) {
    // Records of one poll share a stamp, so the latest stamp among the first n records is exact.
    long latest = Long.MIN_VALUE;
    long counted = 0;
    List<Seen> all = new ArrayList<>();
    seen.values().forEach(all::addAll);
    all.sort(java.util.Comparator.comparingLong(Seen::seenNanos));
    for (Seen s : all) {
      latest = s.seenNanos();
      if (++counted >= n) {
        break;
      }
    }
    return latest;
  }

  /** Throws when what is being watched can no longer make progress. */
  interface HealthCheck {
    void check() throws Exception;
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    consumer.wakeup();
    thread.join(10_000);
  }
}
