package org.streamdistill.deploy.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.schemas.config.KafkaClientSettings;

/**
 * The registry's durable store: a compacted, single-partition Kafka topic that holds every
 * registration and compatibility change ({@link SchemaLogRecords}), as Confluent's registry
 * does. One reader thread consumes the topic from the beginning and applies each record to
 * the {@link RegistryState}; a write returns only once that reader has applied it, so what a
 * caller is told is what every registry on the topic will see.
 */
final class SchemaLog implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SchemaLog.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private final String bootstrapServers;
  private final String topic;
  private final TopicPartition partition;
  private final RegistryState state;
  private final Duration timeout;
  private final KafkaClientSettings kafka;
  private KafkaProducer<String, String> producer;
  private KafkaConsumer<String, String> consumer;
  private Thread reader;
  private volatile boolean running;

  SchemaLog(String bootstrapServers, KafkaClientSettings kafka, String topic, RegistryState state, Duration timeout) {
    this.bootstrapServers = bootstrapServers;
    this.kafka = kafka;
    this.topic = topic;
    this.partition = new TopicPartition(topic, 0);
    this.state = state;
    this.timeout = timeout;
  }

  /**
   * Creates the topic if absent, starts the reader and returns once every record present at
   * start-up has been applied.
   *
   * @return the number of offsets replayed (the topic's end offset at start-up)
   */
  long start() {
    long endOffset;
    try (Admin admin = Admin.create(kafka.withOwn(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis())))) {
      ensureTopic(admin);
      endOffset = endOffsetOnceVisible(admin);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot prepare schema topic " + topic + " on " + bootstrapServers + ": "
          + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while preparing schema topic " + topic, e);
    }

    consumer = new KafkaConsumer<>(consumerProperties(), new StringDeserializer(), new StringDeserializer());
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    producer = new KafkaProducer<>(producerProperties(), new StringSerializer(), new StringSerializer());
    running = true;
    reader = new Thread(this::readLoop, "schema-registry-reader-" + topic);
    reader.setDaemon(true);
    reader.start();
    if (endOffset > 0) {
      try {
        state.awaitApplied(endOffset - 1, timeout);
      } catch (RegistryError e) {
        throw new IllegalStateException("cannot replay schema topic " + topic + " (" + endOffset + " offsets): "
            + e.getMessage(), e);
      }
    }
    return endOffset;
  }

  /**
   * Appends one record and waits until the reader has applied it.
   *
   * @param value null for a tombstone
   * @throws RegistryError 50001 when Kafka refuses the write, 50002 on timeout
   */
  void append(String key, String value) {
    RecordMetadata written;
    try {
      written = producer.send(new ProducerRecord<>(topic, 0, key, value))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw RegistryError.storeError("cannot write to schema topic " + topic + ": " + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw RegistryError.timeout("schema topic " + topic + " did not acknowledge a write within "
          + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RegistryError.timeout("interrupted while writing to schema topic " + topic);
    }
    state.awaitApplied(written.offset(), timeout);
  }

  private void readLoop() {
    try {
      while (running) {
        for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
          try {
            SchemaLogRecords.decode(record.key(), record.value()).ifPresent(entry -> state.apply(entry, record.offset()));
          } catch (RuntimeException e) {
            LOG.warn("Skipping unreadable record of {} at offset {}: {}", topic, record.offset(), e.getMessage());
          }
          state.advanceTo(record.offset() + 1);
        }
        // Also covers offsets with no record (compacted away, transaction markers).
        state.advanceTo(consumer.position(partition));
      }
    } catch (WakeupException e) {
      if (running) {
        state.readerFailed(new IllegalStateException("reader woken up while running", e));
      }
    } catch (RuntimeException e) {
      LOG.error("Schema registry reader of {} stopped: registrations will fail until restart", topic, e);
      state.readerFailed(e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * The topic's end offset. A topic created a moment ago may not have a leader yet, which the
   * broker reports as a retriable error: retry those until the timeout instead of failing the
   * registry's start.
   */
  private long endOffsetOnceVisible(Admin admin) throws ExecutionException, TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.RetriableException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        LOG.debug("schema topic {} not ready yet: {}", topic, e.getCause().toString());
        Thread.sleep(100);
      }
    }
  }

  private void ensureTopic(Admin admin) throws ExecutionException, TimeoutException, InterruptedException {
    NewTopic newTopic = new NewTopic(topic, Optional.of(1), Optional.empty())
        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    try {
      admin.createTopics(List.of(newTopic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      LOG.info("Created schema topic {} (1 partition, compacted)", topic);
      return;
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
    int partitions = admin.describeTopics(List.of(topic)).allTopicNames()
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions().size();
    if (partitions != 1) {
      // Records of several partitions have no total order: ids could not be agreed on.
      throw new IllegalStateException("schema topic " + topic + " has " + partitions
          + " partitions; it must have exactly 1. Delete it or name another topic");
    }
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config = admin.describeConfigs(List.of(resource)).all()
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(resource);
    ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
    if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
      LOG.warn("Schema topic {} has cleanup.policy={}, not compact: retention may delete registered schemas",
          topic, policy == null ? "?" : policy.value());
    }
  }

  private Properties consumerProperties() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "schema-registry-reader-" + topic);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    kafka.applyTo(props);
    return props;
  }

  private Properties producerProperties() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "schema-registry-writer-" + topic);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeout.toMillis()));
    long requestTimeoutMs = Math.min(timeout.toMillis(), 30_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(requestTimeoutMs));
    // Must be >= linger + request timeout; the caller's wait is bounded by send().get(timeout) anyway.
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(requestTimeoutMs + timeout.toMillis()));
    kafka.applyTo(props);
    return props;
  }

  @Override
  public void close() {
    running = false;
    if (consumer != null) {
      consumer.wakeup();
    }
    if (reader != null) {
      try {
        reader.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }
}
