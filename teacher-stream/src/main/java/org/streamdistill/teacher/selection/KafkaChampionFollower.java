package org.streamdistill.teacher.selection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.StudentCheckpoint;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.schemas.wire.UndecodableRecordException;

/**
 * The production {@link ChampionSource}: follows {@code student.checkpoints} and {@code
 * model.promotions} (compacted, read from the beginning with {@code read_committed} and no
 * consumer group, so it moves no one's offsets) and loads the champion's ONNX export when a
 * promotion names a new one. It polls on the operator's thread, briefly, at most every {@code
 * refreshMillis}: the gate never waits for Kafka longer than one short poll.
 *
 * <p>Errors never stop the job: a record that cannot be decoded, an export that cannot be loaded
 * or an unreachable broker are logged, and the gate keeps the champion it has (or none: every
 * turn then goes to the teacher). The export must be readable by the task (a shared volume on a
 * cluster, the same disk in one JVM).
 */
public final class KafkaChampionFollower implements ChampionSource {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaChampionFollower.class);
  private static final Duration POLL = Duration.ofMillis(50);
  private static final long CATCH_UP_MILLIS = 10_000;

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String promotionsTopic;
  private final String checkpointsTopic;
  private final AvroWireCodec<PromotionEvent> promotionCodec;
  private final AvroWireCodec<StudentCheckpoint> checkpointCodec;
  private final ChampionRecords records;
  private final long refreshMillis;
  private final boolean followLatest;
  private boolean assigned;
  private long lastPoll = Long.MIN_VALUE;
  private ChampionStudent current;

  KafkaChampionFollower(KafkaConsumer<byte[], byte[]> consumer, String namespace, String modelName,
                        SchemaRegistryClient registry, long refreshMillis, boolean followLatest) {
    Topic<PromotionEvent> promotions = Topics.PROMOTIONS.inNamespace(namespace);
    Topic<StudentCheckpoint> checkpoints = Topics.CHECKPOINTS.inNamespace(namespace);
    this.consumer = consumer;
    this.promotionsTopic = promotions.name();
    this.checkpointsTopic = checkpoints.name();
    this.promotionCodec = new AvroWireCodec<>(registry, promotions.valueSubject(), PromotionEvent.class);
    this.checkpointCodec = new AvroWireCodec<>(registry, checkpoints.valueSubject(), StudentCheckpoint.class);
    this.records = new ChampionRecords(modelName, followLatest);
    this.followLatest = followLatest;
    this.refreshMillis = refreshMillis;
  }

  /** A factory for the job graph: settings only, the consumer is created in the subtask. */
  public static ChampionSource.Factory factory(String bootstrapServers, KafkaClientSettings kafka, String namespace,
                                               String modelName, long refreshMillis, boolean followLatest) {
    return registry -> {
      Properties p = kafka.applyTo(new Properties());
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      return new KafkaChampionFollower(new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
          namespace, modelName, registry, refreshMillis, followLatest);
    };
  }

  @Override
  public ChampionStudent current(long nowMillis) {
    if (lastPoll == Long.MIN_VALUE || nowMillis - lastPoll >= refreshMillis) {
      lastPoll = nowMillis;
      try {
        follow();
      } catch (KafkaException e) {
        LOG.warn("cannot read {} and {} now ({}); the gate keeps champion {}", promotionsTopic,
            checkpointsTopic, e.toString(), current == null ? "none" : current.version());
      }
    }
    return current;
  }

  private void follow() {
    if (!assigned) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(promotionsTopic, checkpointsTopic)) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, POLL.multipliedBy(20));
        if (infos != null) {
          infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
      }
      if (partitions.isEmpty()) {
        return; // the topics do not exist yet: look again at the next refresh
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      assigned = true;
      catchUp(partitions);
      return;
    }
    read(consumer.poll(POLL));
  }

  /**
   * At start, reads both topics up to their current end (at most {@value #CATCH_UP_MILLIS} ms), so
   * the first window is already judged by the champion that exists, not by none.
   */
  private void catchUp(List<TopicPartition> partitions) {
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, POLL.multipliedBy(20));
    long deadline = System.currentTimeMillis() + CATCH_UP_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      read(consumer.poll(POLL));
      boolean caughtUp = true;
      for (TopicPartition p : partitions) {
        caughtUp &= consumer.position(p, POLL.multipliedBy(20)) >= ends.getOrDefault(p, 0L);
      }
      if (caughtUp) {
        return;
      }
    }
    LOG.warn("did not reach the end of {} and {} within {} ms; the gate starts with champion {}", promotionsTopic,
        checkpointsTopic, CATCH_UP_MILLIS, current == null ? "none" : current.version());
  }

  private void read(ConsumerRecords<byte[], byte[]> polled) {
    Optional<ChampionRecords.Export> next = Optional.empty();
    for (ConsumerRecord<byte[], byte[]> record : polled) {
      try {
        Optional<ChampionRecords.Export> change = record.topic().equals(promotionsTopic)
            ? records.onPromotion(promotionCodec.decode(record.value()))
            : records.onCheckpoint(checkpointCodec.decode(record.value()));
        if (change.isPresent()) {
          next = change;
        }
      } catch (UndecodableRecordException | IllegalArgumentException e) {
        LOG.warn("skipping {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
      }
    }
    next.ifPresent(this::load);
  }

  private void load(ChampionRecords.Export export) {
    try {
      ChampionStudent loaded = OnnxChampion.open(export.file());
      if (current != null) {
        current.close();
      }
      current = loaded;
      LOG.info("selection gate predicts with {} {} ({})", followLatest ? "the latest checkpoint" : "champion",
          export.version(), export.file().getFileName());
    } catch (Exception e) {
      LOG.warn("cannot load champion {} from {} ({}); the gate keeps {}", export.version(), export.file(),
          e.getMessage(), current == null ? "no champion: every turn goes to the teacher" : current.version());
    }
  }

  @Override
  public void close() {
    try {
      consumer.close(Duration.ofSeconds(5));
    } finally {
      if (current != null) {
        current.close();
      }
    }
  }
}
