package org.streamdistill.deploy.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.schemas.wire.DeadLetters;
import org.streamdistill.schemas.wire.UndecodableRecordException;

/**
 * Follows what the pipeline has committed ({@code read_committed}, no consumer group): the
 * turns, their soft labels and predictions by turn id, and the turns' dead letters by source
 * coordinates, each with the time this watcher first saw it. The soak's measurements (time to
 * recover, lost, duplicated) are read from here, never from the stages' own counters. Runs on
 * its own thread until {@link #close()}; all accessors are thread-safe.
 */
final class OutputWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OutputWatcher.class);

  /** A turn as it stands in {@code dialogue.turns}. */
  record SeenTurn(String turnId, String source, long recordTimestamp) {}

  /** A dead letter of {@code dialogue.turns}. */
  record DeadLetter(String sourceCoordinates, String stage, String message, long seenAt) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final AvroWireCodec<DialogueTurn> turns;
  private final AvroWireCodec<SoftLabel> softLabels;
  private final AvroWireCodec<StudentPrediction> predictions;
  private final Thread thread;
  private volatile boolean running = true;

  private final Map<String, SeenTurn> turnById = new HashMap<>();
  private long undecodableTurns;
  private final Map<String, Integer> softLabelCount = new HashMap<>();
  private final Map<String, Integer> predictionCount = new HashMap<>();
  private final Map<String, Long> predictionSeenAt = new HashMap<>();
  private final Map<String, TopicPartition> predictionPartition = new HashMap<>();
  private final Map<String, Long> predictionOffset = new HashMap<>();
  private final Map<String, DeadLetter> deadLetters = new HashMap<>();

  OutputWatcher(String bootstrapServers, SchemaRegistryClient registry) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "soak-output-watcher");
    this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.turns = new AvroWireCodec<>(registry, Topics.TURNS.valueSubject(), DialogueTurn.class);
    this.softLabels = new AvroWireCodec<>(registry, Topics.SOFT_LABELS.valueSubject(), SoftLabel.class);
    this.predictions = new AvroWireCodec<>(registry, Topics.PREDICTIONS.valueSubject(), StudentPrediction.class);
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(Topics.TURNS.name(), Topics.SOFT_LABELS.name(), Topics.PREDICTIONS.name(),
        Topics.TURNS.deadLetterTopic())) {
      consumer.partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    this.thread = new Thread(this::run, "soak-output-watcher");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void run() {
    while (running) {
      try {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          take(record, System.currentTimeMillis());
        }
      } catch (KafkaException e) {
        // The broker is being restarted by the soak: wait for it like any consumer would.
        LOG.debug("watcher poll failed, retrying: {}", e.toString());
      }
    }
  }

  private synchronized void take(ConsumerRecord<byte[], byte[]> record, long now) {
    String topic = record.topic();
    if (topic.equals(Topics.TURNS.name())) {
      try {
        DialogueTurn turn = turns.decode(record.value());
        turnById.putIfAbsent(turn.getTurnId(), new SeenTurn(turn.getTurnId(), turn.getSource(), record.timestamp()));
      } catch (UndecodableRecordException e) {
        undecodableTurns++;
      }
    } else if (topic.equals(Topics.SOFT_LABELS.name())) {
      softLabelCount.merge(softLabels.decode(record.value()).getTurnId(), 1, Integer::sum);
    } else if (topic.equals(Topics.PREDICTIONS.name())) {
      String id = predictions.decode(record.value()).getTurnId();
      predictionCount.merge(id, 1, Integer::sum);
      if (predictionSeenAt.putIfAbsent(id, now) == null) {
        predictionPartition.put(id, new TopicPartition(topic, record.partition()));
        predictionOffset.put(id, record.offset());
      }
    } else {
      String coordinates = DeadLetters.header(record.headers(), DeadLetters.HEADER_SOURCE_TOPIC) + "-"
          + DeadLetters.header(record.headers(), DeadLetters.HEADER_SOURCE_PARTITION) + "@"
          + DeadLetters.header(record.headers(), DeadLetters.HEADER_SOURCE_OFFSET);
      deadLetters.putIfAbsent(coordinates, new DeadLetter(coordinates,
          DeadLetters.header(record.headers(), DeadLetters.HEADER_STAGE),
          DeadLetters.header(record.headers(), DeadLetters.HEADER_MESSAGE), now));
    }
  }

  /** When the prediction of {@code turnId} was first seen, or null. */
  synchronized Long predictionSeenAt(String turnId) {
    return predictionSeenAt.get(turnId);
  }

  /** Where the first prediction of {@code turnId} is, or null. */
  synchronized Map.Entry<TopicPartition, Long> predictionPosition(String turnId) {
    TopicPartition tp = predictionPartition.get(turnId);
    return tp == null ? null : Map.entry(tp, predictionOffset.get(turnId));
  }

  /** The dead letter of the record at {@code topic-partition@offset}, or null. */
  synchronized DeadLetter deadLetter(String coordinates) {
    return deadLetters.get(coordinates);
  }

  synchronized List<SeenTurn> turns() {
    return List.copyOf(turnById.values());
  }

  synchronized int softLabels(String turnId) {
    return softLabelCount.getOrDefault(turnId, 0);
  }

  synchronized int predictions(String turnId) {
    return predictionCount.getOrDefault(turnId, 0);
  }

  synchronized int deadLetterCount() {
    return deadLetters.size();
  }

  synchronized long undecodableTurns() {
    return undecodableTurns;
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close(Duration.ofSeconds(5));
  }
}
