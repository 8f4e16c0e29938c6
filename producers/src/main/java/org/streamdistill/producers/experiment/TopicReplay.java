package org.streamdistill.producers.experiment;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.producers.publish.RateLimiter;
import org.streamdistill.producers.publish.TurnPublisher;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;

/**
 * Copies a range of a turns topic into an experiment namespace's turns topic, record for
 * record: key, value bytes (the Confluent wire format, so the same schema ids), timestamp
 * and headers, plus three provenance headers ({@value #HEADER_SOURCE_TOPIC}, {@value
 * #HEADER_SOURCE_PARTITION}, {@value #HEADER_SOURCE_OFFSET}). A record goes to the
 * partition it came from when both topics have as many partitions (the catalogue's), else
 * to its key's partition; either way a conversation stays on one partition, in order.
 *
 * <p>Times select by record timestamp: when a turn entered the topic (publishers and
 * the live endpoint stamp records with the send time), not the {@code event_time} in the
 * value. The range is resolved once, at the start, against the topic's current end, so turns
 * produced while the replay runs are not part of it. The source is read with {@code
 * assign()} and {@code read_committed} and no group id: no consumer group is created and no
 * production offset moves. Records are written in {@link MergedRangeReader#ORDER}, so into
 * a fresh topic the same range and seed give the same records at the same offsets.
 */
public final class TopicReplay {

  public static final String HEADER_SOURCE_TOPIC = "replay.source.topic";
  public static final String HEADER_SOURCE_PARTITION = "replay.source.partition";
  public static final String HEADER_SOURCE_OFFSET = "replay.source.offset";

  private static final Logger LOG = LoggerFactory.getLogger(TopicReplay.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /**
   * What a replay did.
   *
   * @param range the resolved range
   * @param read records read from the range
   * @param written records written (and acknowledged) into the experiment topic
   * @param sampledOut records left out by the conversation sample
   * @param target the experiment turns topic
   */
  public record Report(ReplayRange range, long read, long written, long sampledOut, String target) {}

  private TopicReplay() {}

  /**
   * Provisions the namespace, resolves the range, copies it.
   *
   * @param progress given the resolved range, returns what is told the count of records read so far
   * @throws IllegalStateException when the experiment topic already holds records (unless
   *     allowed), a bound is invalid for the topic, or a write fails
   */
  public static Report run(TopicReplayConfig config, NamespaceProvisioner provisioner,
                           Function<ReplayRange, TurnPublisher.Progress> progressOf) throws InterruptedException {
    Topic<DialogueTurn> source = Topics.TURNS.inNamespace(config.sourceNamespace());
    Topic<DialogueTurn> target = Topics.TURNS.inNamespace(config.experimentNamespace());
    provisioner.provision(config.bootstrapServers(), config.kafka(), config.experimentNamespace());

    try (KafkaConsumer<byte[], byte[]> consumer = consumer(config.bootstrapServers(), config.kafka());
         KafkaProducer<byte[], byte[]> producer = producer(config.bootstrapServers(), config.kafka(), config.experimentNamespace())) {
      int targetPartitions = partitions(consumer, target.name()).size();
      checkEmpty(consumer, target.name(), config.allowNonEmpty());
      ReplayRange range = resolve(consumer, source.name(), config);
      boolean samePartitions = targetPartitions == range.partitions().size();
      LOG.info("replaying {} records of {} into {} ({}), sample {} with seed {}", range.size(), source.name(),
          target.name(), range.asFlags(), config.sampleFraction(), config.seed());

      TurnPublisher.Progress progress = progressOf.apply(range);
      ConversationSample sample = new ConversationSample(config.seed(), config.sampleFraction());
      RateLimiter limiter = new RateLimiter(config.ratePerSecond());
      MergedRangeReader reader = new MergedRangeReader(consumer, range, TIMEOUT, 10_000);
      AtomicLong acknowledged = new AtomicLong();
      AtomicReference<Exception> failure = new AtomicReference<>();
      long read = 0;
      long sampledOut = 0;
      ConsumerRecord<byte[], byte[]> record;
      while (failure.get() == null && (record = reader.next()) != null) {
        read++;
        if (!sample.keeps(record.key())) {
          sampledOut++;
        } else {
          limiter.acquire();
          producer.send(copy(record, target.name(), samePartitions), (metadata, exception) -> {
            if (exception != null) {
              failure.compareAndSet(null, exception);
            } else {
              acknowledged.incrementAndGet();
            }
          });
        }
        progress.acknowledged(read);
      }
      producer.flush();
      if (failure.get() != null) {
        throw new IllegalStateException("writing to " + target.name() + " failed after " + acknowledged.get()
            + " records; the experiment topic is incomplete: delete the namespace's topics and replay again: "
            + failure.get().getMessage(), failure.get());
      }
      Report report = new Report(range, read, acknowledged.get(), sampledOut, target.name());
      LOG.info("replay into {} done: {}", target.name(), report);
      return report;
    }
  }

  static ProducerRecord<byte[], byte[]> copy(ConsumerRecord<byte[], byte[]> record, String target,
                                             boolean samePartition) {
    Headers headers = new RecordHeaders(record.headers().toArray());
    headers.remove(HEADER_SOURCE_TOPIC);
    headers.remove(HEADER_SOURCE_PARTITION);
    headers.remove(HEADER_SOURCE_OFFSET);
    headers.add(HEADER_SOURCE_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
    headers.add(HEADER_SOURCE_PARTITION, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
    headers.add(HEADER_SOURCE_OFFSET, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(target, samePartition ? record.partition() : null, record.timestamp(), record.key(),
        record.value(), headers);
  }

  private static ReplayRange resolve(KafkaConsumer<byte[], byte[]> consumer, String topic, TopicReplayConfig config) {
    List<TopicPartition> partitions = partitions(consumer, topic);
    // Assigned first: a read_committed consumer asked for offsets of unassigned partitions
    // logs a warning per partition.
    consumer.assign(partitions);
    Map<Integer, Long> earliest = byPartition(consumer.beginningOffsets(partitions, TIMEOUT));
    Map<Integer, Long> latest = byPartition(consumer.endOffsets(partitions, TIMEOUT));
    Map<Integer, Long> fromTime = config.fromTime() == null ? null
        : offsetsForTime(consumer, partitions, config.fromTime().toEpochMilli());
    Map<Integer, Long> toTime = config.toTime() == null ? null
        : offsetsForTime(consumer, partitions, config.toTime().toEpochMilli());
    try {
      return ReplayRange.resolve(topic, earliest, latest, config.fromOffsets(), config.toOffsets(), fromTime, toTime);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static Map<Integer, Long> offsetsForTime(KafkaConsumer<byte[], byte[]> consumer,
                                                   List<TopicPartition> partitions, long millis) {
    Map<TopicPartition, Long> query = new HashMap<>();
    partitions.forEach(tp -> query.put(tp, millis));
    Map<Integer, Long> offsets = new HashMap<>();
    consumer.offsetsForTimes(query, TIMEOUT).forEach((tp, found) ->
        offsets.put(tp.partition(), found == null ? null : ((OffsetAndTimestamp) found).offset()));
    return offsets;
  }

  private static void checkEmpty(KafkaConsumer<byte[], byte[]> consumer, String topic, boolean allowNonEmpty) {
    List<TopicPartition> partitions = partitions(consumer, topic);
    consumer.assign(partitions);
    Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, TIMEOUT);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
    long held = partitions.stream().mapToLong(tp -> end.get(tp) - begin.get(tp)).sum();
    if (held > 0 && !allowNonEmpty) {
      throw new IllegalStateException("experiment topic " + topic + " already holds " + held + " records; replay into "
          + "a new namespace, or set " + TopicReplayConfig.ALLOW_NON_EMPTY + "=true to append");
    }
  }

  private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
    List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition())).sorted(
            java.util.Comparator.comparingInt(TopicPartition::partition)).toList();
    if (partitions.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " does not exist");
    }
    return partitions;
  }

  private static Map<Integer, Long> byPartition(Map<TopicPartition, Long> offsets) {
    Map<Integer, Long> result = new HashMap<>();
    offsets.forEach((tp, offset) -> result.put(tp.partition(), offset));
    return result;
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers, KafkaClientSettings kafka) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    // No group.id: assign() only, nothing committed, no group for production tooling to see.
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "topic-replay");
    kafka.applyTo(props);
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrapServers, KafkaClientSettings kafka,
                                                        String namespace) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // One request in flight: it writes into topics created moments before, where the 4.2 broker can
    // refuse a first batch (NOT_LEADER_OR_FOLLOWER) yet take the next, then refuse the retried
    // first one as out of order (see TurnPublisher).
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "topic-replay-" + namespace);
    kafka.applyTo(props);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
