package org.streamdistill.evaluator.console;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.evaluator.lag.LagSnapshot;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.RollingMetrics;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentCheckpoint;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.metrics.StageMetrics;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.schemas.wire.DeadLetters;
import org.streamdistill.schemas.wire.UndecodableRecordException;

/**
 * Reads the pipeline's topics and fills a {@link ConsoleState}, on a thread of its own, until
 * closed. One consumer without a group (it never commits, so it moves no offset and creates no
 * group) and {@code read_committed} (only what the stages committed), assigned to every
 * partition of the soft labels, predictions, rolling metrics, decisions, checkpoints and every
 * dead-letter topic, starting {@code lookback} ago. Each refresh interval it takes a sample:
 * records per second appended to the turns, soft-labels and predictions topics (from their end
 * offsets), the lag monitor's latest snapshot, and the median and 95th percentile latency since
 * the previous sample of the teacher (soft label's {@code scored_at} minus the Kafka timestamp of
 * the turn's record, which every downstream record carries) and of the student (prediction's
 * {@code predicted_at} minus the same), from at most {@link #LATENCY_SAMPLES_PER_REFRESH} records
 * of each per interval. Undecodable records are skipped and counted in the log;
 * the console is a viewer, not a stage.
 */
public final class PipelineWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PipelineWatcher.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration REFRESH_ASSIGNMENT = Duration.ofSeconds(5);
  /**
   * Soft labels and predictions decoded per refresh interval for the latency percentiles. Decoding
   * is the console's main cost (a soft label holds token ids and 151 logits) and the percentiles
   * need a sample, not every record: at 1,000 turns a second the rest are skipped undecoded.
   */
  static final int LATENCY_SAMPLES_PER_REFRESH = 500;

  private final ConsoleConfig config;
  private final ConsoleState state;
  private final Supplier<LagSnapshot> lag;
  private final LongSupplier clock;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Topic<?> turns;
  private final Topic<SoftLabel> softLabels;
  private final Topic<StudentPrediction> predictions;
  private final Topic<RollingMetrics> metrics;
  private final Topic<PromotionEvent> promotions;
  private final Topic<StudentCheckpoint> checkpoints;
  private final Map<String, String> deadLetterSources = new HashMap<>();
  private final AvroWireCodec<SoftLabel> softLabelCodec;
  private final AvroWireCodec<StudentPrediction> predictionCodec;
  private final AvroWireCodec<RollingMetrics> metricsCodec;
  private final AvroWireCodec<PromotionEvent> promotionCodec;
  private final AvroWireCodec<StudentCheckpoint> checkpointCodec;
  private final Thread thread;
  private volatile boolean running = true;

  private final Set<TopicPartition> assigned = new HashSet<>();
  /** Each partition's end offset when it was assigned: records below it are history, the rest arrive live. */
  private final Map<TopicPartition, Long> backlogEnd = new HashMap<>();
  private final List<Long> teacherLatencies = new ArrayList<>();
  private final List<Long> studentLatencies = new ArrayList<>();
  private Map<String, Long> previousEnds = Map.of();
  private long previousSampleMillis;
  private long undecodable;

  /**
   * @param lag the lag monitor's latest snapshot
   * @param clock milliseconds since the epoch
   */
  public PipelineWatcher(ConsoleConfig config, SchemaRegistryClient registry, ConsoleState state,
                         Supplier<LagSnapshot> lag, LongSupplier clock) {
    this.config = config;
    this.state = state;
    this.lag = lag;
    this.clock = clock;
    String ns = config.namespace();
    turns = Topics.TURNS.inNamespace(ns);
    softLabels = Topics.SOFT_LABELS.inNamespace(ns);
    predictions = Topics.PREDICTIONS.inNamespace(ns);
    metrics = Topics.METRICS.inNamespace(ns);
    promotions = Topics.PROMOTIONS.inNamespace(ns);
    checkpoints = Topics.CHECKPOINTS.inNamespace(ns);
    for (Topic<?> topic : Topics.ALL) {
      Topic<?> named = topic.inNamespace(ns);
      deadLetterSources.put(named.deadLetterTopic(), named.name());
    }
    softLabelCodec = new AvroWireCodec<>(registry, softLabels.valueSubject(), SoftLabel.class);
    predictionCodec = new AvroWireCodec<>(registry, predictions.valueSubject(), StudentPrediction.class);
    metricsCodec = new AvroWireCodec<>(registry, metrics.valueSubject(), RollingMetrics.class);
    promotionCodec = new AvroWireCodec<>(registry, promotions.valueSubject(), PromotionEvent.class);
    checkpointCodec = new AvroWireCodec<>(registry, checkpoints.valueSubject(), StudentCheckpoint.class);
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamdistill-console");
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    thread = new Thread(this::run, "console-watcher");
    thread.setDaemon(true);
  }

  public void start() {
    previousSampleMillis = clock.getAsLong();
    thread.start();
  }

  private List<String> watchedTopics() {
    List<String> names = new ArrayList<>(List.of(softLabels.name(), predictions.name(), metrics.name(),
        promotions.name(), checkpoints.name()));
    names.addAll(deadLetterSources.keySet());
    return names;
  }

  private void run() {
    long nextAssignment = 0;
    long nextSample = clock.getAsLong() + config.refresh().toMillis();
    while (running) {
      try {
        long now = clock.getAsLong();
        if (now >= nextAssignment) {
          assignNewPartitions();
          nextAssignment = now + REFRESH_ASSIGNMENT.toMillis();
        }
        if (!assigned.isEmpty()) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
            take(record);
          }
        } else {
          Thread.sleep(POLL.toMillis());
        }
        if (clock.getAsLong() >= nextSample) {
          sample();
          nextSample = clock.getAsLong() + config.refresh().toMillis();
        }
      } catch (InterruptedException | InterruptException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (KafkaException e) {
        if (!running) {
          return;
        }
        LOG.warn("console: reading the topics failed, retrying: {}", e.getMessage());
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  /** Assigns the partitions of watched topics that exist now and were not assigned yet, seeking {@code lookback} back. */
  private void assignNewPartitions() {
    Map<String, List<PartitionInfo>> existing = consumer.listTopics(Duration.ofSeconds(5));
    List<TopicPartition> fresh = new ArrayList<>();
    for (String topic : watchedTopics()) {
      for (PartitionInfo p : existing.getOrDefault(topic, List.of())) {
        TopicPartition tp = new TopicPartition(topic, p.partition());
        if (!assigned.contains(tp)) {
          fresh.add(tp);
        }
      }
    }
    if (fresh.isEmpty()) {
      return;
    }
    assigned.addAll(fresh);
    consumer.assign(assigned);
    backlogEnd.putAll(consumer.endOffsets(fresh, Duration.ofSeconds(10)));
    long from = clock.getAsLong() - config.lookback().toMillis();
    Map<TopicPartition, Long> times = new HashMap<>();
    fresh.forEach(tp -> times.put(tp, from));
    Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times, Duration.ofSeconds(10));
    List<TopicPartition> toEnd = new ArrayList<>();
    for (TopicPartition tp : fresh) {
      OffsetAndTimestamp at = offsets.get(tp);
      if (at != null) {
        consumer.seek(tp, at.offset());
      } else {
        toEnd.add(tp);
      }
    }
    consumer.seekToEnd(toEnd);
  }

  /**
   * Milliseconds from a soft label's record time (its turn's) to the teacher's score; null for a
   * gold-only record, which the teacher did not score (its {@code scored_at} is when the gate
   * forwarded it, and would pass the skip path's speed off as the teacher's).
   */
  static Long teacherLatencyMillis(SoftLabel label, long recordTimestamp) {
    return label.getTeacherScored() ? label.getScoredAt().toEpochMilli() - recordTimestamp : null;
  }

  private void take(ConsumerRecord<byte[], byte[]> record) {
    String topic = record.topic();
    if (record.value() == null && !deadLetterSources.containsKey(topic)) {
      return; // a tombstone: no figure in it
    }
    try {
      if (topic.equals(softLabels.name())) {
        if (record.timestamp() >= 0 && teacherLatencies.size() < LATENCY_SAMPLES_PER_REFRESH) {
          Long latency = teacherLatencyMillis(softLabelCodec.decode(record.value()), record.timestamp());
          if (latency != null) {
            teacherLatencies.add(latency);
          }
        }
      } else if (topic.equals(predictions.name())) {
        if (record.timestamp() >= 0 && studentLatencies.size() < LATENCY_SAMPLES_PER_REFRESH) {
          StudentPrediction prediction = predictionCodec.decode(record.value());
          studentLatencies.add(prediction.getPredictedAt().toEpochMilli() - record.timestamp());
        }
      } else if (topic.equals(metrics.name())) {
        state.rollingMetrics(plotTime(record), metricsCodec.decode(record.value()));
      } else if (topic.equals(promotions.name())) {
        state.decision(plotTime(record), promotionCodec.decode(record.value()));
      } else if (topic.equals(checkpoints.name())) {
        state.checkpoint(checkpointCodec.decode(record.value()));
      } else if (deadLetterSources.containsKey(topic)) {
        String source = DeadLetters.header(record.headers(), DeadLetters.HEADER_SOURCE_TOPIC);
        String exception = DeadLetters.header(record.headers(), DeadLetters.HEADER_EXCEPTION);
        state.deadLetter(source != null ? source : deadLetterSources.get(topic), StageMetrics.reason(exception));
      }
    } catch (UndecodableRecordException e) {
      // poison the stages dead-letter themselves: not the console's to handle
      if (++undecodable == 1 || undecodable % 1_000 == 0) {
        LOG.warn("console: skipped {} records it cannot read, latest {}-{}@{}: {}", undecodable, topic,
            record.partition(), record.offset(), e.getMessage());
      }
    }
  }

  /**
   * Where a rolling-metrics record or a decision goes on the time axis: when the console read it
   * if it arrived live, else its record timestamp. Every record the pipeline writes carries the
   * timestamp of the turn behind it (when that turn entered Kafka), so a replay published faster
   * than the pipeline runs would bunch a whole run's curve into the first seconds.
   */
  private long plotTime(ConsumerRecord<byte[], byte[]> record) {
    long end = backlogEnd.getOrDefault(new TopicPartition(record.topic(), record.partition()), 0L);
    return record.offset() < end && record.timestamp() >= 0 ? record.timestamp() : clock.getAsLong();
  }

  private void sample() {
    long now = clock.getAsLong();
    Map<String, Long> ends = endOffsets(List.of(turns.name(), softLabels.name(), predictions.name()));
    Map<String, Double> rates = new LinkedHashMap<>();
    double seconds = Math.max(1e-3, (now - previousSampleMillis) / 1000.0);
    for (Map.Entry<String, Long> end : ends.entrySet()) {
      Long before = previousEnds.get(end.getKey());
      rates.put(end.getKey(), before == null ? 0.0 : Math.max(0, end.getValue() - before) / seconds);
    }
    previousEnds = ends;
    previousSampleMillis = now;
    state.sample(new ConsoleState.Sample(now, rates, lag.get(), percentile(teacherLatencies, 0.5),
        percentile(teacherLatencies, 0.95), percentile(studentLatencies, 0.5), percentile(studentLatencies, 0.95)));
    teacherLatencies.clear();
    studentLatencies.clear();
  }

  /** The end offset, summed over partitions, of each topic that exists. */
  private Map<String, Long> endOffsets(Collection<String> topics) {
    Map<String, List<PartitionInfo>> existing = consumer.listTopics(Duration.ofSeconds(5));
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics) {
      for (PartitionInfo p : existing.getOrDefault(topic, List.of())) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
    }
    Map<String, Long> ends = new LinkedHashMap<>();
    consumer.endOffsets(partitions, Duration.ofSeconds(5)).forEach((tp, end) -> ends.merge(tp.topic(), end, Long::sum));
    return ends;
  }

  /** Nearest-rank percentile, NaN for none. */
  static double percentile(List<Long> values, double q) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close(Duration.ofSeconds(5));
  }
}
