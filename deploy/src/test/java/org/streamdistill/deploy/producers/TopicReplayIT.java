package org.streamdistill.deploy.producers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamdistill.deploy.experiment.CatalogueNamespaceProvisioner;
import org.streamdistill.deploy.platform.TopicProvisioner;
import org.streamdistill.producers.experiment.TopicReplay;
import org.streamdistill.producers.experiment.TopicReplayConfig;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;

/**
 * Topic replay into experiment namespaces on the embedded broker: the copy is exactly the
 * range, repeatable, and leaves the production consumer group where it was.
 */
class TopicReplayIT {

  /** Recent enough that retention (7 days) keeps every record the tests write. */
  private static final Instant T0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minusSeconds(3_600);
  private static final String PRODUCTION_GROUP = "teacher-stream";

  private static ProducersPlatform platform;

  @BeforeAll
  static void startPlatform() {
    platform = new ProducersPlatform();
    new TopicProvisioner(platform.admin).provision();
  }

  @AfterAll
  static void stopPlatform() {
    platform.close();
  }

  /**
   * Writes {@code count} turns over {@code conversations} with record timestamps one second
   * apart from {@code start} (a plain producer: the publishers stamp records with the send time).
   */
  private static List<DialogueTurn> publish(String namespace, String prefix, int count, int conversations,
                                            Instant start) throws Exception {
    Topic<DialogueTurn> topic = Topics.TURNS.inNamespace(namespace);
    AvroWireCodec<DialogueTurn> codec = new AvroWireCodec<>(platform.registry, topic.valueSubject(), DialogueTurn.class);
    List<DialogueTurn> turns = new ArrayList<>();
    Map<String, Integer> next = new HashMap<>();
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrap());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    // Not idempotent: once, in a full suite run, the in-process broker (several run in this JVM, one
    // after another) gave a fresh producer an id it had given before, and every send was refused
    // with OUT_OF_ORDER_SEQUENCE_NUMBER until the test timed out. This test does not need
    // idempotence; one request in flight keeps each partition's order.
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
        new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String conversation = prefix + "-c" + (i % conversations);
        int index = next.merge(conversation, 1, Integer::sum) - 1;
        Instant time = start.plusSeconds(i);
        DialogueTurn turn = ProducersPlatform.turn(conversation, index, prefix + " turn " + i, time);
        turns.add(turn);
        sends.add(producer.send(new ProducerRecord<>(topic.name(), null, time.toEpochMilli(), conversation,
            codec.encode(turn))));
      }
      for (Future<RecordMetadata> send : sends) {
        send.get(30, TimeUnit.SECONDS);
      }
    }
    return turns;
  }

  private static TopicReplay.Report replay(Map<String, String> settings) throws InterruptedException {
    Map<String, String> all = new HashMap<>(settings);
    all.put(TopicReplayConfig.BOOTSTRAP_SERVERS, platform.bootstrap());
    return TopicReplay.run(TopicReplayConfig.of(all), new CatalogueNamespaceProvisioner(), range -> n -> { });
  }

  private static String turnsTopic(String namespace) {
    return Topics.TURNS.inNamespace(namespace).name();
  }

  private static Map<TopicPartition, OffsetAndMetadata> groupOffsets(String group) throws Exception {
    return platform.admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
  }

  private static Set<String> groups() throws Exception {
    return platform.admin.listGroups().all().get(10, TimeUnit.SECONDS).stream()
        .map(GroupListing::groupId).collect(Collectors.toSet());
  }

  @Test
  void shouldCopyExactlyTheTimeRangeBesideARunningProductionGroupWithoutMovingItsOffsets() throws Exception {
    // Given 400 production turns, one second apart, and a production consumer group that has
    // consumed them all and keeps running (polling and auto-committing)
    List<DialogueTurn> produced = publish("", "prod", 400, 40, T0);
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService pipeline = Executors.newSingleThreadExecutor();
    Future<?> consumerRun = pipeline.submit(() -> {
      Properties props = new Properties();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrap());
      props.put(ConsumerConfig.GROUP_ID_CONFIG, PRODUCTION_GROUP);
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      props.put(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, 100);
      try (KafkaConsumer<byte[], byte[]> consumer =
               new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of(Topics.TURNS.name()));
        while (running.get()) {
          consumer.poll(Duration.ofMillis(100));
        }
      }
      return null;
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(groupOffsets(PRODUCTION_GROUP).values()
        .stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(400));
    Map<TopicPartition, OffsetAndMetadata> offsetsBefore = groupOffsets(PRODUCTION_GROUP);
    Set<String> groupsBefore = groups();

    // When turns from T0+100 s (inclusive) to T0+300 s (exclusive) are replayed into an experiment
    TopicReplay.Report report = replay(Map.of(TopicReplayConfig.EXPERIMENT_NAMESPACE, "exp-a",
        TopicReplayConfig.FROM_TIME, T0.plusSeconds(100).toString(),
        TopicReplayConfig.TO_TIME, T0.plusSeconds(300).toString()));

    // Then the experiment topic holds exactly those 200 turns, with key, value and timestamp unchanged,
    // each on its original partition in its original order
    List<ProducersPlatform.Stored> source = platform.readRaw(Topics.TURNS.name());
    List<ProducersPlatform.Stored> expected = source.stream()
        .filter(r -> r.timestamp() >= T0.plusSeconds(100).toEpochMilli() && r.timestamp() < T0.plusSeconds(300).toEpochMilli())
        .toList();
    List<ProducersPlatform.Stored> copied = platform.readRaw(turnsTopic("exp-a"));
    assertThat(report.read()).isEqualTo(200);
    assertThat(report.written()).isEqualTo(200);
    assertThat(copied).hasSize(200);
    assertThat(copied.stream().map(ProducersPlatform.Stored::content).toList())
        .containsExactlyInAnyOrderElementsOf(expected.stream().map(ProducersPlatform.Stored::content).toList());
    for (int partition = 0; partition < Topics.TURNS.partitions(); partition++) {
      int p = partition;
      assertThat(copied.stream().filter(r -> r.partition() == p).map(ProducersPlatform.Stored::content).toList())
          .isEqualTo(expected.stream().filter(r -> r.partition() == p).map(ProducersPlatform.Stored::content).toList());
    }
    assertThat(copied).allSatisfy(r -> {
      assertThat(r.headers()).containsEntry(TopicReplay.HEADER_SOURCE_TOPIC, Topics.TURNS.name());
      assertThat(r.headers()).containsEntry(TopicReplay.HEADER_SOURCE_PARTITION, Integer.toString(r.partition()));
    });
    assertThat(produced).hasSize(400);

    // and the whole experiment namespace exists (every catalogue topic and dead-letter twin)
    Set<String> topics = platform.admin.listTopics().names().get(10, TimeUnit.SECONDS);
    assertThat(topics).containsAll(TopicProvisioner.plan("exp-a").stream().map(TopicProvisioner.TopicSpec::name).toList());

    // and the production group's offsets did not move, and the replay created no group
    assertThat(groupOffsets(PRODUCTION_GROUP)).isEqualTo(offsetsBefore);
    assertThat(groups()).isEqualTo(groupsBefore);
    running.set(false);
    consumerRun.get(30, TimeUnit.SECONDS);
    pipeline.shutdown();
  }

  @Test
  void shouldGiveIdenticalRecordsInTheSameOrderWhenTheSameRangeAndSeedAreReplayedTwice() throws Exception {
    // Given 600 turns in a source namespace
    String source = platform.freshNamespace("src");
    publish(source, "rep", 600, 60, T0);
    Map<String, String> range = Map.of(TopicReplayConfig.SOURCE_NAMESPACE, source,
        TopicReplayConfig.FROM_OFFSETS, "5", TopicReplayConfig.TO_OFFSETS, "0:140,1:150,2:120,3:200",
        TopicReplayConfig.SAMPLE_FRACTION, "0.5", TopicReplayConfig.SEED, "7");

    // When the same range and seed are replayed into two namespaces, and with another seed into a third
    String first = "rep1-" + source;
    String second = "rep2-" + source;
    String otherSeed = "rep3-" + source;
    TopicReplay.Report r1 = replay(with(range, TopicReplayConfig.EXPERIMENT_NAMESPACE, first));
    TopicReplay.Report r2 = replay(with(range, TopicReplayConfig.EXPERIMENT_NAMESPACE, second));
    Map<String, String> reseeded = with(range, TopicReplayConfig.SEED, "8");
    replay(with(reseeded, TopicReplayConfig.EXPERIMENT_NAMESPACE, otherSeed));

    // Then both copies hold identical records at identical partitions and offsets
    List<ProducersPlatform.Stored> a = platform.readRaw(turnsTopic(first));
    List<ProducersPlatform.Stored> b = platform.readRaw(turnsTopic(second));
    assertThat(r1.range()).isEqualTo(r2.range());
    assertThat(a).isNotEmpty().hasSize((int) r1.written());
    assertThat(describe(a)).isEqualTo(describe(b));
    // and the sample kept whole conversations: every kept conversation has all its turns of the range
    Set<String> kept = a.stream().map(ProducersPlatform.Stored::key).collect(Collectors.toSet());
    List<ProducersPlatform.Stored> inRange = platform.readRaw(turnsTopic(source)).stream()
        .filter(r -> r1.range().partitions().get(r.partition()).start() <= r.offset()
            && r.offset() < r1.range().partitions().get(r.partition()).end())
        .toList();
    assertThat(inRange).hasSize((int) r1.read());
    assertThat(a.stream().map(ProducersPlatform.Stored::content).toList()).containsExactlyInAnyOrderElementsOf(
        inRange.stream().filter(r -> kept.contains(r.key())).map(ProducersPlatform.Stored::content).toList());
    // and another seed samples other conversations
    Set<String> keptByOtherSeed = platform.readRaw(turnsTopic(otherSeed)).stream()
        .map(ProducersPlatform.Stored::key).collect(Collectors.toSet());
    assertThat(keptByOtherSeed).isNotEqualTo(kept);
  }

  @Test
  void shouldLeaveTurnsWrittenDuringTheReplayOutOfItsRange() throws Exception {
    // Given 2,000 turns in a source namespace and a writer that keeps adding turns during the replay
    String source = platform.freshNamespace("live");
    publish(source, "old", 2_000, 100, T0);
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService writer = Executors.newSingleThreadExecutor();
    Future<?> written = writer.submit(() -> {
      int batch = 0;
      while (writing.get()) {
        publish(source, "new" + batch, 50, 10, T0.plusSeconds(100));
        batch++;
      }
      return batch;
    });
    await().atMost(Duration.ofSeconds(20)).until(() -> platform.readRaw(turnsTopic(source)).size() > 2_000);

    // When the whole topic is replayed, slowly enough for the writer to add more meanwhile
    TopicReplay.Report report = replay(Map.of(TopicReplayConfig.SOURCE_NAMESPACE, source,
        TopicReplayConfig.EXPERIMENT_NAMESPACE, "copy-" + source, TopicReplayConfig.RATE, "1000"));
    writing.set(false);
    written.get(30, TimeUnit.SECONDS);
    writer.shutdown();

    // Then the copy holds exactly the records of the range fixed at the start, although the source grew
    List<ProducersPlatform.Stored> all = platform.readRaw(turnsTopic(source));
    List<ProducersPlatform.Stored> inRange = all.stream()
        .filter(r -> r.offset() < report.range().partitions().get(r.partition()).end()).toList();
    assertThat(all.size()).isGreaterThan(inRange.size());
    assertThat(platform.readRaw(turnsTopic("copy-" + source)).stream().map(ProducersPlatform.Stored::content).toList())
        .hasSize(inRange.size())
        .containsExactlyInAnyOrderElementsOf(inRange.stream().map(ProducersPlatform.Stored::content).toList());
  }

  @Test
  void shouldRefuseToReplayIntoAnExperimentTopicThatAlreadyHoldsRecords() throws Exception {
    String source = platform.freshNamespace("full");
    publish(source, "x", 10, 2, T0);
    Map<String, String> settings = Map.of(TopicReplayConfig.SOURCE_NAMESPACE, source,
        TopicReplayConfig.EXPERIMENT_NAMESPACE, "again-" + source);
    replay(settings);

    assertThatThrownBy(() -> replay(settings))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("experiment topic again-" + source + ".dialogue.turns already holds 10 records; replay into a new "
            + "namespace, or set replay.allow-non-empty=true to append");
    assertThat(platform.readRaw(turnsTopic("again-" + source))).hasSize(10);
  }

  private static Map<String, String> with(Map<String, String> settings, String key, String value) {
    Map<String, String> copy = new HashMap<>(settings);
    copy.put(key, value);
    return copy;
  }

  private static List<String> describe(List<ProducersPlatform.Stored> records) {
    return records.stream().map(r -> r.partition() + "@" + r.offset() + " " + r.key() + " " + r.timestamp() + " "
        + new String(r.value(), StandardCharsets.ISO_8859_1) + " " + r.headers()).toList();
  }
}
