package org.streamdistill.evaluator.lag;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.schemas.config.KafkaClientSettings;

/**
 * Watches the lag of consumer groups: for every configured group and partition, the committed
 * offset ({@code Admin.listConsumerGroupOffsets}), the last stable offset ({@code
 * Admin.listOffsets} with {@link OffsetSpec#latest()} under {@link IsolationLevel#READ_COMMITTED}),
 * the offset lag and the time lag (now minus the timestamp of the oldest record not consumed
 * yet, read by an {@link OldestRecordReader}). Each sample goes into a sliding window of the
 * last {@link Settings#windowSamples()} samples per group and partition, and {@link
 * LagEvaluator} turns the windows into statuses.
 *
 * <p>Sampling runs on one thread, every {@link Settings#interval()} after {@link #start()}, or
 * on demand with {@link #sampleNow()}; {@link #latest()} is safe from any thread. A failed
 * sample (broker unreachable, a timeout) is logged, counted ({@link #sampleFailures()}) and
 * retried at the next interval; the previous snapshot stays visible meanwhile.
 *
 * <p>The monitor owns an Admin client and a plain read-committed consumer that never joins a
 * group and never commits; {@link #close()} stops sampling and closes both.
 */
public final class ConsumerLagMonitor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConsumerLagMonitor.class);

  /**
   * What to watch and how.
   *
   * @param bootstrapServers Kafka bootstrap servers
   * @param groups the groups to watch, in report order
   * @param interval time between samples
   * @param windowSamples samples per sliding window, at least 2
   * @param stopAfter how long a committed offset may stay unchanged, with lag, before STOP
   * @param timeout bound of every Admin call and of the search for the oldest unconsumed records
   * @param kafka {@code kafka.*} settings for the monitor's admin client and consumer (security, say)
   */
  public record Settings(String bootstrapServers, List<MonitoredGroup> groups, Duration interval, int windowSamples,
                         Duration stopAfter, Duration timeout, KafkaClientSettings kafka) {

    /** Settings for a cluster that needs no client settings beyond its address. */
    public Settings(String bootstrapServers, List<MonitoredGroup> groups, Duration interval, int windowSamples,
                    Duration stopAfter, Duration timeout) {
      this(bootstrapServers, groups, interval, windowSamples, stopAfter, timeout, KafkaClientSettings.NONE);
    }

    public Settings {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(kafka, "kafka");
      groups = List.copyOf(groups);
      if (groups.isEmpty()) {
        throw new IllegalArgumentException("at least one consumer group must be watched");
      }
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("interval must be > 0, got " + interval);
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be > 0, got " + timeout);
      }
      new LagEvaluator(windowSamples, stopAfter); // validates both
    }
  }

  /** A group on a partition: the key of one sliding window. */
  private record GroupPartition(String group, TopicPartition partition) {}

  private final Settings settings;
  private final Admin admin;
  private final OldestRecordReader oldestRecords;
  private final LagEvaluator evaluator;
  private final Clock clock;
  private final Map<GroupPartition, Deque<LagSample>> windows = new HashMap<>();
  private final Set<String> missingTopicsLogged = new HashSet<>();
  private final AtomicReference<LagSnapshot> latest = new AtomicReference<>(LagSnapshot.EMPTY);
  private final AtomicLong failures = new AtomicLong();
  private final ScheduledExecutorService scheduler;
  private volatile boolean started;
  private volatile boolean closed;

  /**
   * Connects to the cluster of {@code settings} (lazily: nothing is sent before the first sample).
   *
   * @throws org.apache.kafka.common.KafkaException when the bootstrap servers are malformed
   */
  public ConsumerLagMonitor(Settings settings) {
    this(settings, Admin.create(adminConfig(settings)), Clock.systemUTC());
  }

  private ConsumerLagMonitor(Settings settings, Admin admin, Clock clock) {
    this(settings, admin, consumerOrClose(settings, admin), clock);
  }

  /** The reader's consumer; closes {@code admin} when the consumer cannot be created. */
  private static Consumer<byte[], byte[]> consumerOrClose(Settings settings, Admin admin) {
    try {
      return new KafkaConsumer<>(consumerConfig(settings));
    } catch (RuntimeException e) {
      admin.close(Duration.ZERO);
      throw e;
    }
  }

  /** With given clients (both then owned by the monitor) and clock. */
  ConsumerLagMonitor(Settings settings, Admin admin, Consumer<byte[], byte[]> consumer, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.admin = Objects.requireNonNull(admin, "admin");
    this.oldestRecords = new OldestRecordReader(consumer, settings.timeout());
    this.evaluator = new LagEvaluator(settings.windowSamples(), settings.stopAfter());
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "consumer-lag-monitor");
      thread.setDaemon(true);
      return thread;
    });
  }

  static Map<String, Object> adminConfig(Settings settings) {
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis());
    return settings.kafka().withOwn(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
        AdminClientConfig.CLIENT_ID_CONFIG, "streamdistill-lag-monitor-admin",
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs));
  }

  static Map<String, Object> consumerConfig(Settings settings) {
    // No group.id: the consumer is only assigned partitions, never joins a group, never commits.
    return settings.kafka().withOwn(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
        ConsumerConfig.CLIENT_ID_CONFIG, "streamdistill-lag-monitor-reader",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        // One record per partition is all that is read: keep fetches small.
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
  }

  public Settings settings() {
    return settings;
  }

  /** Starts sampling every {@link Settings#interval()}, the first sample right away. */
  public synchronized void start() {
    if (started) {
      return;
    }
    started = true;
    long intervalMs = settings.interval().toMillis();
    scheduler.scheduleWithFixedDelay(this::sampleQuietly, 0, intervalMs, TimeUnit.MILLISECONDS);
    LOG.info("Watching the lag of {} every {} ms (window {} samples, stop after {} ms)",
        settings.groups().stream().map(MonitoredGroup::groupId).toList(), intervalMs, settings.windowSamples(),
        settings.stopAfter().toMillis());
  }

  /** The latest snapshot; {@link LagSnapshot#EMPTY} before the first successful sample. */
  public LagSnapshot latest() {
    return latest.get();
  }

  /** Samples that failed since the monitor was created. */
  public long sampleFailures() {
    return failures.get();
  }

  private void sampleQuietly() {
    if (closed) {
      return;
    }
    try {
      sampleNow();
    } catch (RuntimeException e) {
      if (closed) {
        return; // interrupted by close()
      }
      failures.incrementAndGet();
      if (e instanceof LagSamplingException) {
        LOG.warn("Lag sample failed, retrying in {} ms: {}", settings.interval().toMillis(), e.getMessage());
      } else {
        LOG.warn("Lag sample failed, retrying in {} ms", settings.interval().toMillis(), e);
      }
    }
  }

  /**
   * Takes one sample of every group now, adds it to the windows and returns the new snapshot.
   *
   * @throws LagSamplingException when the cluster does not answer within the timeout
   */
  public synchronized LagSnapshot sampleNow() {
    long now = clock.millis();
    Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = committedOffsets();
    Map<String, Set<TopicPartition>> partitionsByGroup = partitionsByGroup(committed);
    Set<TopicPartition> all = new LinkedHashSet<>();
    partitionsByGroup.values().forEach(all::addAll);
    Map<TopicPartition, Long> lastStable = offsets(all, OffsetSpec.latest(), IsolationLevel.READ_COMMITTED);
    Map<TopicPartition, Long> logStart = offsets(lastStable.keySet(), OffsetSpec.earliest(),
        IsolationLevel.READ_UNCOMMITTED);

    // Which (partition, range) needs its oldest unconsumed record read.
    Map<GroupPartition, OldestRecordReader.Request> requests = new LinkedHashMap<>();
    for (var entry : partitionsByGroup.entrySet()) {
      for (TopicPartition partition : entry.getValue()) {
        if (!lastStable.containsKey(partition) || !logStart.containsKey(partition)) {
          continue;
        }
        long position = LagSample.consumerPosition(committedOffset(committed.get(entry.getKey()), partition),
            logStart.get(partition));
        if (position < lastStable.get(partition)) {
          requests.put(new GroupPartition(entry.getKey(), partition),
              new OldestRecordReader.Request(partition, position, lastStable.get(partition)));
        }
      }
    }
    Map<OldestRecordReader.Request, OldestUnconsumed> oldest = oldestRecords.read(requests.values());

    Set<GroupPartition> seen = new HashSet<>();
    List<GroupLag> groups = new ArrayList<>();
    for (var entry : partitionsByGroup.entrySet()) {
      String group = entry.getKey();
      List<PartitionLag> rows = new ArrayList<>();
      for (TopicPartition partition : entry.getValue()) {
        if (!lastStable.containsKey(partition) || !logStart.containsKey(partition)) {
          continue;
        }
        GroupPartition key = new GroupPartition(group, partition);
        seen.add(key);
        OldestRecordReader.Request request = requests.get(key);
        Deque<LagSample> window = windows.computeIfAbsent(key, k -> new ArrayDeque<>());
        LagSample sample = LagSample.measure(now, committedOffset(committed.get(group), partition),
            logStart.get(partition), lastStable.get(partition),
            request == null ? OldestUnconsumed.ONLY_MARKERS : oldest.get(request), window.peekLast());
        window.addLast(sample);
        while (window.size() > settings.windowSamples()) {
          window.removeFirst();
        }
        ConsumerStatus status = evaluator.partitionStatus(List.copyOf(window));
        rows.add(PartitionLag.of(partition.topic(), partition.partition(), sample, status));
      }
      rows.sort(Comparator.comparing(PartitionLag::topic).thenComparingInt(PartitionLag::partition));
      groups.add(new GroupLag(group, LagEvaluator.groupStatus(rows.stream().map(PartitionLag::status).toList()),
          rows));
    }
    windows.keySet().retainAll(seen);
    LagSnapshot snapshot = new LagSnapshot(Instant.ofEpochMilli(now), groups);
    latest.set(snapshot);
    if (LOG.isDebugEnabled()) {
      groups.forEach(g -> LOG.debug("Group {}: {}, lag {} records, oldest {} ms", g.group(), g.status(),
          g.totalLag(), g.maxTimeLagMs()));
    }
    return snapshot;
  }

  private static long committedOffset(Map<TopicPartition, OffsetAndMetadata> offsets, TopicPartition partition) {
    OffsetAndMetadata offset = offsets == null ? null : offsets.get(partition);
    return offset == null ? LagSample.NO_OFFSET : offset.offset();
  }

  private Map<String, Map<TopicPartition, OffsetAndMetadata>> committedOffsets() {
    Map<String, ListConsumerGroupOffsetsSpec> specs = new LinkedHashMap<>();
    settings.groups().forEach(g -> specs.put(g.groupId(), new ListConsumerGroupOffsetsSpec()));
    ListConsumerGroupOffsetsResult result = admin.listConsumerGroupOffsets(specs);
    Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new LinkedHashMap<>();
    for (MonitoredGroup group : settings.groups()) {
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      Map<TopicPartition, OffsetAndMetadata> answer;
      try {
        answer = await(result.partitionsToOffsetAndMetadata(group.groupId()),
            "the committed offsets of group " + group.groupId());
      } catch (LagSamplingException e) {
        if (!(e.getCause() instanceof GroupIdNotFoundException)) {
          throw e;
        }
        answer = Map.of(); // a group that never committed is a group without offsets
      }
      answer.forEach((partition, offset) -> {
        if (offset != null) {
          offsets.put(partition, offset);
        }
      });
      committed.put(group.groupId(), offsets);
    }
    return committed;
  }

  /** Every partition to report per group: its committed ones plus those of its expected topics. */
  private Map<String, Set<TopicPartition>> partitionsByGroup(Map<String, Map<TopicPartition, OffsetAndMetadata>> committed) {
    Set<String> expected = new LinkedHashSet<>();
    settings.groups().forEach(g -> expected.addAll(g.expectedTopics()));
    Map<String, List<TopicPartition>> expectedPartitions = describe(expected);
    Map<String, Set<TopicPartition>> byGroup = new LinkedHashMap<>();
    for (MonitoredGroup group : settings.groups()) {
      Set<TopicPartition> partitions = new LinkedHashSet<>(committed.get(group.groupId()).keySet());
      group.expectedTopics().forEach(topic -> partitions.addAll(expectedPartitions.getOrDefault(topic, List.of())));
      byGroup.put(group.groupId(), partitions);
    }
    return byGroup;
  }

  private Map<String, List<TopicPartition>> describe(Set<String> topics) {
    Map<String, List<TopicPartition>> partitions = new HashMap<>();
    if (topics.isEmpty()) {
      return partitions;
    }
    Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(topics).topicNameValues();
    for (var entry : futures.entrySet()) {
      try {
        TopicDescription description = entry.getValue().get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        partitions.put(entry.getKey(), description.partitions().stream()
            .map(p -> new TopicPartition(entry.getKey(), p.partition())).toList());
        missingTopicsLogged.remove(entry.getKey());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          if (missingTopicsLogged.add(entry.getKey())) {
            LOG.warn("Topic {} does not exist (yet): its groups are reported from their commits only", entry.getKey());
          }
        } else {
          throw new LagSamplingException("cannot describe topic " + entry.getKey() + ": " + e.getCause().getMessage(),
              e.getCause());
        }
      } catch (TimeoutException e) {
        throw new LagSamplingException("no description of topic " + entry.getKey() + " within "
            + settings.timeout().toMillis() + " ms", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LagSamplingException("interrupted while describing topic " + entry.getKey(), e);
      }
    }
    return partitions;
  }

  /** Offsets of every partition that answers; a partition whose topic vanished is left out. */
  private Map<TopicPartition, Long> offsets(Set<TopicPartition> partitions, OffsetSpec spec, IsolationLevel isolation) {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    if (partitions.isEmpty()) {
      return offsets;
    }
    Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
    partitions.forEach(p -> request.put(p, spec));
    ListOffsetsResult result = admin.listOffsets(request, new ListOffsetsOptions(isolation));
    for (TopicPartition partition : partitions) {
      try {
        offsets.put(partition, result.partitionResult(partition).get(settings.timeout().toMillis(),
            TimeUnit.MILLISECONDS).offset());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          LOG.debug("Partition {} is gone: not reported", partition);
        } else {
          throw new LagSamplingException("cannot list the offsets of " + partition + ": " + e.getCause().getMessage(),
              e.getCause());
        }
      } catch (TimeoutException e) {
        throw new LagSamplingException("no offsets of " + partition + " within " + settings.timeout().toMillis()
            + " ms", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LagSamplingException("interrupted while listing the offsets of " + partition, e);
      }
    }
    return offsets;
  }

  private <T> T await(KafkaFuture<T> future, String what) {
    try {
      return future.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new LagSamplingException("cannot read " + what + " from " + settings.bootstrapServers() + ": "
          + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new LagSamplingException("no answer from " + settings.bootstrapServers() + " within "
          + settings.timeout().toMillis() + " ms while reading " + what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LagSamplingException("interrupted while reading " + what, e);
    }
  }

  /** Stops sampling, waits for a sample in progress, and closes the clients. */
  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    try {
      if (!scheduler.awaitTermination(settings.timeout().toMillis() * 2, TimeUnit.MILLISECONDS)) {
        LOG.warn("A lag sample was still running after {} ms; closing the clients anyway",
            settings.timeout().toMillis() * 2);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      try {
        oldestRecords.close();
      } finally {
        admin.close(Duration.ofSeconds(5));
      }
    }
  }
}
