package org.streamdistill.student.serving;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.StudentCheckpoint;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.registry.SchemaRegistryException;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.schemas.wire.UndecodableRecordException;

/**
 * The production {@link ChampionFeed}: reads {@code model.promotions} and {@code
 * student.checkpoints} from the beginning (both are compacted, so the beginning is short) and
 * keeps following them, with {@code read_committed} and no consumer group (every server
 * instance reads everything; nothing is committed). A {@link ChampionTracker} turns the two
 * streams into "serve this version from that file".
 *
 * <p>Errors: a record that cannot be decoded is logged and counted, then skipped; it is not
 * dead-lettered here, because this feed only reads (the trainer and the evaluator, which own
 * these topics, dead-letter what they cannot process). An unreachable schema registry or
 * broker is retried with a back-off, from the same record. Anything else stops the feed
 * loudly ({@link #failure()}); the server then keeps serving the model it has.
 *
 * <p>Owns one consumer and one thread, started by {@link #start} and stopped by {@link
 * #close()}.
 */
public final class KafkaChampionFeed implements ChampionFeed {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaChampionFeed.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final long RETRY_BACKOFF_MS = 1_000;

  private final Topic<PromotionEvent> promotions;
  private final Topic<StudentCheckpoint> checkpoints;
  private final AvroWireCodec<PromotionEvent> promotionCodec;
  private final AvroWireCodec<StudentCheckpoint> checkpointCodec;
  private final ChampionTracker tracker;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final AtomicLong undecodable = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean running = true;
  private Thread thread;

  /**
   * @param bootstrapServers Kafka bootstrap servers
   * @param namespace topic namespace (empty for production)
   * @param modelName the model line whose champion is served
   * @param registry schema registry of the records' writer schemas
   */
  public KafkaChampionFeed(String bootstrapServers, String namespace, String modelName,
      SchemaRegistryClient registry) {
    this(bootstrapServers, namespace, modelName, registry, null);
  }

  /**
   * @param modelDir the trainer's checkpoint directory: exports named by checkpoint records must
   *     lie inside it; null accepts any file
   */
  public KafkaChampionFeed(String bootstrapServers, String namespace, String modelName,
      SchemaRegistryClient registry, java.nio.file.Path modelDir) {
    this(bootstrapServers, namespace, modelName, registry, modelDir, KafkaClientSettings.NONE);
  }

  /** @param kafka {@code kafka.*} client settings for the feed's consumer (security, say) */
  public KafkaChampionFeed(String bootstrapServers, String namespace, String modelName,
      SchemaRegistryClient registry, java.nio.file.Path modelDir, KafkaClientSettings kafka) {
    this.promotions = Topics.PROMOTIONS.inNamespace(namespace);
    this.checkpoints = Topics.CHECKPOINTS.inNamespace(namespace);
    this.promotionCodec = new AvroWireCodec<>(registry, promotions.valueSubject(),
        PromotionEvent.class);
    this.checkpointCodec = new AvroWireCodec<>(registry, checkpoints.valueSubject(),
        StudentCheckpoint.class);
    this.tracker = new ChampionTracker(modelName, ChampionTracker::fileExists, modelDir);
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // A server started before the platform provisioned the topics must not create them (with
    // the broker's defaults: not compacted, wrong partitions) by asking for their partitions.
    c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "student-server-champion-feed");
    kafka.applyTo(c);
    this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  @Override
  public synchronized void start(Listener listener) {
    if (thread != null) {
      throw new IllegalStateException("feed already started");
    }
    thread = new Thread(() -> run(listener), "student-server-champion-feed");
    thread.setDaemon(true);
    thread.start();
  }

  /** Records skipped because they could not be decoded. */
  public long undecodableRecords() {
    return undecodable.get();
  }

  /** Why the feed stopped, if it stopped by itself. */
  public Throwable failure() {
    return failure.get();
  }

  private void run(Listener listener) {
    try {
      List<TopicPartition> partitions = awaitPartitions();
      if (partitions == null) {
        return;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      LOG.info("following {} and {} for the champion", promotions.name(), checkpoints.name());
      while (running) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(POLL);
        } catch (RetriableException e) {
          LOG.warn("polling {} and {} failed, retrying: {}", promotions.name(),
              checkpoints.name(), e.getMessage());
          sleep(RETRY_BACKOFF_MS);
          continue;
        }
        for (TopicPartition tp : records.partitions()) {
          handle(tp, records.records(tp), listener);
        }
      }
    } catch (WakeupException e) {
      if (running) {
        failure.set(e);
        LOG.error("champion feed woken up unexpectedly; the server keeps its current model", e);
      }
    } catch (RuntimeException e) {
      failure.set(e);
      LOG.error("champion feed stopped: {}; the server keeps serving its current model",
          e.getMessage(), e);
    }
  }

  /** Handles one partition's records in order; on a retriable error resumes from that record. */
  private void handle(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records,
      Listener listener) {
    for (ConsumerRecord<byte[], byte[]> record : records) {
      try {
        var change = tp.topic().equals(promotions.name())
            ? tracker.onPromotion(promotionCodec.decode(record.value()))
            : tracker.onCheckpoint(checkpointCodec.decode(record.value()));
        change.ifPresent(c -> {
          LOG.info("champion is {} ({}@{}): loading {}", c.version(), tp, record.offset(),
              c.onnxUri());
          listener.championChanged(c.version(), c.onnxUri());
        });
      } catch (UndecodableRecordException e) {
        undecodable.incrementAndGet();
        LOG.warn("skipping undecodable record {}@{}: {}", tp, record.offset(), e.getMessage());
      } catch (SchemaRegistryException e) {
        if (org.streamdistill.schemas.registry.RetryingSchemaRegistryClient.isTransient(e)) {
          LOG.warn("schema registry unavailable while decoding {}@{}, retrying: {}", tp,
              record.offset(), e.getMessage());
        } else {
          // Refused credentials or certificate: only a settings change fixes it; keep serving
          // the current model meanwhile, and say so loudly.
          LOG.error("schema registry refused to decode {}@{}: {}; still serving the current model, "
              + "retrying", tp, record.offset(), e.getMessage());
        }
        consumer.seek(tp, record.offset());
        sleep(RETRY_BACKOFF_MS);
        return;
      }
    }
  }

  /** The partitions of both topics, waiting while they do not exist yet; null if closed. */
  private List<TopicPartition> awaitPartitions() {
    boolean warned = false;
    while (running) {
      List<TopicPartition> partitions = new ArrayList<>();
      boolean complete = true;
      for (String topic : List.of(promotions.name(), checkpoints.name())) {
        List<PartitionInfo> infos;
        try {
          infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        } catch (RetriableException e) {
          infos = List.of();
        }
        if (infos == null || infos.isEmpty()) {
          complete = false;
        } else {
          infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
      }
      if (complete) {
        return partitions;
      }
      if (!warned) {
        warned = true;
        LOG.warn("waiting for topics {} and {} to exist", promotions.name(), checkpoints.name());
      }
      sleep(RETRY_BACKOFF_MS);
    }
    return null;
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    consumer.close(Duration.ofSeconds(5));
  }
}
