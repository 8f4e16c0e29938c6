package org.streamdistill.deploy.lag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamdistill.deploy.platform.EmbeddedKafka;
import org.streamdistill.deploy.platform.TopicProvisioner;
import org.streamdistill.evaluator.lag.ConsumerLagMonitor;
import org.streamdistill.evaluator.lag.ConsumerStatus;
import org.streamdistill.evaluator.lag.GroupLag;
import org.streamdistill.evaluator.lag.LagCommand;
import org.streamdistill.evaluator.lag.LagHttpServer;
import org.streamdistill.evaluator.lag.LagSnapshot;
import org.streamdistill.evaluator.lag.MonitoredGroup;
import org.streamdistill.evaluator.lag.PartitionLag;
import org.streamdistill.schemas.metrics.PrometheusText;
import org.streamdistill.schemas.topic.Topics;

/**
 * The lag monitor against a real broker: a fresh namespace of catalogue topics per test,
 * sampling every 200 ms over a window of 5 samples, STOP after 2 s without a new commit.
 */
class ConsumerLagMonitorIT {

  private static final Duration INTERVAL = Duration.ofMillis(200);
  private static final int WINDOW = 5;
  private static final Duration STOP_AFTER = Duration.ofSeconds(2);
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static EmbeddedKafka kafka;
  private static Admin admin;

  private String namespace;
  private String group;
  private ScheduledExecutorService writer;
  private KafkaProducer<byte[], byte[]> writerProducer;
  private ConsumerLagMonitor monitor;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
    admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
  }

  @AfterAll
  static void stopBroker() {
    admin.close();
    kafka.close();
  }

  @BeforeEach
  void freshTopics() {
    namespace = "lag" + UUID.randomUUID().toString().substring(0, 8);
    group = namespace + "-group";
    new TopicProvisioner(admin).provision(namespace);
  }

  @AfterEach
  void stopEverything() throws InterruptedException {
    stopWriting();
    if (writerProducer != null) {
      writerProducer.close();
    }
    if (monitor != null) {
      monitor.close();
    }
  }

  @Test
  void shouldShowGrowingOffsetAndTimeLagAndStopOrStallWhenAConsumerStopsWhileRecordsKeepComing() {
    // Given a group that consumed and committed 5 records on each of the 4 partitions, then went away
    String topic = Topics.TURNS.inNamespace(namespace).name();
    produce(topic, 5);
    consumeToEndAndCommit(topic, 20);
    // And a producer that keeps writing one record to each partition every 100 ms
    keepWriting(topic);

    // When the monitor watches the group
    monitor = monitor(topic);
    monitor.start();

    // Then the group is reported STOP or STALL, with lag on every partition
    GroupLag first = awaitGroup(g -> isStopOrStall(g.status()) && g.partitions().stream().allMatch(p -> p.lag() > 0));
    // And later samples show more records waiting and an older oldest record, still on committed offset 5
    GroupLag later = awaitGroup(g -> isStopOrStall(g.status()) && IntStream.range(0, 4).allMatch(i ->
        g.partitions().get(i).lag() > first.partitions().get(i).lag()
            && g.partitions().get(i).timeLagMs() > first.partitions().get(i).timeLagMs()));
    assertThat(later.partitions()).extracting(PartitionLag::topic, PartitionLag::partition, PartitionLag::committedOffset)
        .containsExactly(
            tuple(topic, 0, 5L), tuple(topic, 1, 5L),
            tuple(topic, 2, 5L), tuple(topic, 3, 5L));
    assertThat(later.partitions()).allSatisfy(p -> {
      assertThat(p.lag()).isEqualTo(p.endOffset() - 5);
      assertThat(p.timeLagMs()).isPositive();
    });
    // And with commits stopped for longer than stop-after the status is STOP
    awaitGroup(g -> g.status() == ConsumerStatus.STOP);
  }

  @Test
  void shouldReturnToOkWhenAStoppedConsumerCatchesUp() throws InterruptedException {
    // Given a group that stopped after 5 records a partition while a producer kept writing
    String topic = Topics.TURNS.inNamespace(namespace).name();
    produce(topic, 5);
    consumeToEndAndCommit(topic, 20);
    keepWriting(topic);
    monitor = monitor(topic);
    monitor.start();
    awaitGroup(g -> isStopOrStall(g.status()));

    // When the producer stops and a consumer of the group reads everything and commits
    stopWriting();
    long end = endOffsets(topic, IsolationLevel.READ_UNCOMMITTED).values().stream().mapToLong(Long::longValue).sum();
    consumeToEndAndCommit(topic, end - 20);

    // Then the group is OK again, with no lag and no time lag, committed at the end of every partition
    GroupLag caughtUp = awaitGroup(g -> g.status() == ConsumerStatus.OK);
    assertThat(caughtUp.partitions()).hasSize(4).allSatisfy(p -> {
      assertThat(p.status()).isEqualTo(ConsumerStatus.OK);
      assertThat(p.lag()).isZero();
      assertThat(p.timeLagMs()).isZero();
      assertThat(p.committedOffset()).isEqualTo(p.endOffset());
    });
    assertThat(caughtUp.totalLag()).isZero();
  }

  @Test
  void shouldShowAnExactlyOnceConsumerAtTheEndOfATransactionalTopicAsOkWithoutLag() {
    // Given an exactly-once producer that wrote 3 committed transactions of one record per partition
    String topic = Topics.SOFT_LABELS.inNamespace(namespace).name();
    produceTransactions(topic, 3, true);
    // And a read-committed consumer that read all 12 records and committed "last record + 1"
    // per partition, as Flink's KafkaSource and Kafka Streams do: the offset of the commit marker
    Map<TopicPartition, Long> committed = consumeReadCommittedAndCommitAfterLastRecord(topic, 12);
    // (so the last stable offset stays one beyond the committed offset for good)
    assertThat(endOffsets(topic, IsolationLevel.READ_COMMITTED)).isEqualTo(plusOne(committed));

    // When the monitor watches the group for longer than stop-after and a full window
    monitor = monitor(topic);
    monitor.start();

    // Then the group stays OK with lag 0 on every partition, not a permanent lag of 1
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).pollInterval(INTERVAL)
        .until(() -> okWithoutLag(monitor.latest(), committed));
    assertThat(monitor.latest().group(group).orElseThrow().partitions()).allSatisfy(p -> {
      assertThat(p.endOffset()).isEqualTo(p.committedOffset() + 1);
      assertThat(p.lag()).isZero();
      assertThat(p.timeLagMs()).isZero();
      assertThat(p.status()).isEqualTo(ConsumerStatus.OK);
    });
  }

  @Test
  void shouldReadAbortedTransactionsAndTheirMarkersAsNoLag() {
    // Given one committed transaction the group consumed (committing "last record + 1"), then an aborted one
    String topic = Topics.SOFT_LABELS.inNamespace(namespace).name();
    produceTransactions(topic, 1, true);
    Map<TopicPartition, Long> committed = consumeReadCommittedAndCommitAfterLastRecord(topic, 4);
    produceTransactions(topic, 1, false);
    // (behind each committed offset: the commit marker, an aborted record and the abort marker,
    // which the coordinator writes after abortTransaction() returns)
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .until(() -> endOffsets(topic, IsolationLevel.READ_COMMITTED).equals(plusN(committed, 3)));

    // When the monitor watches the group
    monitor = monitor(topic);
    monitor.start();

    // Then nothing a read-committed consumer could read is waiting: OK, lag 0, for longer than stop-after
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).pollInterval(INTERVAL)
        .until(() -> okWithoutLag(monitor.latest(), committed));
  }

  @Test
  void shouldServeTheGaugesOnMetricsOverHttp() throws Exception {
    // Given 10 records on partition 0 and a group that committed offset 4 there and nothing elsewhere
    String topic = Topics.TURNS.inNamespace(namespace).name();
    try (KafkaProducer<byte[], byte[]> producer = producer(Map.of())) {
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, 0, null, ("turn " + i).getBytes(StandardCharsets.UTF_8)));
      }
    }
    commit(Map.of(new TopicPartition(topic, 0), 4L));
    monitor = monitor(topic);
    monitor.start();

    // When /metrics and /lag are fetched over HTTP
    try (LagHttpServer server = new LagHttpServer("127.0.0.1", 0, monitor)) {
      HttpClient client = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port();
      AtomicReference<String> body = new AtomicReference<>("");
      await().atMost(WAIT).pollInterval(INTERVAL).until(() -> {
        body.set(client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body());
        return PrometheusText.value(PrometheusText.parse(body.get()), "streamdistill_consumer_group_status",
            Map.of("group", group, "status", "STOP")) == 1.0;
      });
      HttpResponse<String> json = client.send(HttpRequest.newBuilder(URI.create(base + "/lag")).GET().build(),
          HttpResponse.BodyHandlers.ofString());

      // Then the gauges show 6 records waiting on partition 0 and none elsewhere, and the group STOP
      List<PrometheusText.Sample> samples = PrometheusText.parse(body.get());
      assertThat(byPartition(samples, "streamdistill_consumer_lag_offsets", group, topic))
          .containsExactly("0 6.0", "1 0.0", "2 0.0", "3 0.0");
      assertThat(byPartition(samples, "streamdistill_consumer_committed_offset", group, topic))
          .containsExactly("0 4.0");
      assertThat(byPartition(samples, "streamdistill_consumer_log_end_offset", group, topic))
          .containsExactly("0 10.0", "1 0.0", "2 0.0", "3 0.0");
      // And the oldest waiting record is at least stop-after old: it was written before the commit stopped
      assertThat(byPartition(samples, "streamdistill_consumer_lag_seconds", group, topic))
          .hasSize(4).contains("1 0.0", "2 0.0", "3 0.0");
      assertThat(PrometheusText.value(samples, "streamdistill_consumer_lag_seconds",
          Map.of("group", group, "topic", topic, "partition", "0")))
          .isGreaterThanOrEqualTo(STOP_AFTER.toMillis() / 1000.0);
      assertThat(samples).filteredOn(x -> x.name().equals("streamdistill_consumer_group_status")
              && group.equals(x.label("group")))
          .extracting(x -> x.label("status") + " " + x.value())
          .containsExactlyInAnyOrder("OK 0.0", "WARN 0.0", "REWIND 0.0", "STALL 0.0", "STOP 1.0");
      assertThat(json.statusCode()).isEqualTo(200);
      assertThat(json.body()).contains("{\"group\":\"" + group + "\",\"status\":\"STOP\"")
          .contains("{\"topic\":\"" + topic + "\",\"partition\":0,\"committed\":4,\"end\":10,\"lag\":6,");
    }
  }

  @Test
  void shouldPrintOneTableWithTheLagCommand() {
    // Given 10 records on partition 0 and a group that committed offset 4 there
    String topic = Topics.TURNS.inNamespace(namespace).name();
    try (KafkaProducer<byte[], byte[]> producer = producer(Map.of())) {
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, 0, null, ("turn " + i).getBytes(StandardCharsets.UTF_8)));
      }
    }
    commit(Map.of(new TopicPartition(topic, 0), 4L));

    // When `lag --once` samples a window of 3
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = LagCommand.run(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--groups", group, "--once",
        "--window", "3", "--interval", "200"), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    // Then it prints the group's committed partition, stalled for a full window, and exits 0
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).startsWith("sampled at ");
    assertThat(lines.get(1).split("\\s+")).containsExactly("GROUP", "TOPIC", "PARTITION", "COMMITTED", "END", "LAG",
        "TIME", "LAG", "STATUS");
    assertThat(lines.get(2).split("\\s+")).hasSize(8).startsWith(group, topic, "0", "4", "10", "6").endsWith("STALL");
    assertThat(lines.get(3)).isEqualTo("group " + group + ": STALL (" + ConsumerStatus.STALL.meaning() + ")");
  }

  private ConsumerLagMonitor monitor(String topic) {
    return new ConsumerLagMonitor(new ConsumerLagMonitor.Settings(kafka.bootstrapServers(),
        List.of(new MonitoredGroup(group, Set.of(topic))), INTERVAL, WINDOW, STOP_AFTER, Duration.ofSeconds(10)));
  }

  private GroupLag awaitGroup(java.util.function.Predicate<GroupLag> condition) {
    AtomicReference<GroupLag> matched = new AtomicReference<>();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
      GroupLag current = monitor.latest().group(group).orElse(null);
      if (current != null && current.partitions().size() == 4 && condition.test(current)) {
        matched.set(current);
        return true;
      }
      return false;
    });
    return matched.get();
  }

  private boolean okWithoutLag(LagSnapshot snapshot, Map<TopicPartition, Long> committed) {
    GroupLag lag = snapshot.group(group).orElse(null);
    return lag != null && lag.status() == ConsumerStatus.OK && lag.partitions().size() == committed.size()
        && lag.partitions().stream().allMatch(p -> p.lag() == 0 && p.timeLagMs() == 0
            && p.committedOffset() == committed.get(new TopicPartition(p.topic(), p.partition())));
  }

  private static boolean isStopOrStall(ConsumerStatus status) {
    return status == ConsumerStatus.STOP || status == ConsumerStatus.STALL;
  }

  private static KafkaProducer<byte[], byte[]> producer(Map<String, Object> extra) {
    Map<String, Object> config = new HashMap<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    config.putAll(extra);
    return new KafkaProducer<>(config);
  }

  /** Writes {@code perPartition} records to each of the topic's 4 partitions. */
  private static void produce(String topic, int perPartition) {
    try (KafkaProducer<byte[], byte[]> producer = producer(Map.of())) {
      for (int i = 0; i < perPartition; i++) {
        for (int partition = 0; partition < 4; partition++) {
          producer.send(new ProducerRecord<>(topic, partition, null, ("turn " + i).getBytes(StandardCharsets.UTF_8)));
        }
      }
    }
  }

  /** Writes one record to each partition every 100 ms until {@link #stopWriting()}. */
  private void keepWriting(String topic) {
    writerProducer = producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0));
    AtomicLong written = new AtomicLong();
    writer = Executors.newSingleThreadScheduledExecutor();
    writer.scheduleAtFixedRate(() -> {
      for (int partition = 0; partition < 4; partition++) {
        writerProducer.send(new ProducerRecord<>(topic, partition, null,
            ("late turn " + written.incrementAndGet()).getBytes(StandardCharsets.UTF_8)));
      }
      writerProducer.flush();
    }, 0, 100, TimeUnit.MILLISECONDS);
  }

  /** Cancels the periodic writes (without interrupting one in progress) and waits for the last. */
  private void stopWriting() throws InterruptedException {
    if (writer != null) {
      writer.shutdown();
      assertThat(writer.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** Transactions of one record per partition, committed or aborted. */
  private void produceTransactions(String topic, int transactions, boolean commit) {
    try (KafkaProducer<byte[], byte[]> producer = producer(Map.of(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, namespace + "-tx-" + UUID.randomUUID(),
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
      producer.initTransactions();
      for (int t = 0; t < transactions; t++) {
        producer.beginTransaction();
        for (int partition = 0; partition < 4; partition++) {
          producer.send(new ProducerRecord<>(topic, partition, null,
              ("soft label " + t).getBytes(StandardCharsets.UTF_8)));
        }
        if (commit) {
          producer.commitTransaction();
        } else {
          producer.flush();
          producer.abortTransaction();
        }
      }
    }
  }

  private KafkaConsumer<byte[], byte[]> consumer(IsolationLevel isolation) {
    return new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString(),
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
  }

  /** Subscribes as the group, reads until {@code total} records are in, commits its positions, leaves. */
  private void consumeToEndAndCommit(String topic, long total) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(IsolationLevel.READ_UNCOMMITTED)) {
      consumer.subscribe(List.of(topic));
      AtomicLong read = new AtomicLong();
      await().atMost(WAIT).until(() -> {
        read.addAndGet(consumer.poll(Duration.ofMillis(100)).count());
        return read.get() >= total;
      });
      consumer.commitSync();
    }
  }

  /** Reads {@code total} committed records and commits "last record + 1" per partition; returns those offsets. */
  private Map<TopicPartition, Long> consumeReadCommittedAndCommitAfterLastRecord(String topic, int total) {
    Map<TopicPartition, Long> next = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(IsolationLevel.READ_COMMITTED)) {
      List<TopicPartition> partitions = IntStream.range(0, 4).mapToObj(p -> new TopicPartition(topic, p)).toList();
      consumer.assign(partitions);
      AtomicLong read = new AtomicLong();
      await().atMost(WAIT).until(() -> {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          next.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
          read.incrementAndGet();
        }
        return read.get() >= total;
      });
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      next.forEach((partition, offset) -> offsets.put(partition, new OffsetAndMetadata(offset)));
      consumer.commitSync(offsets);
    }
    assertThat(next).hasSize(4);
    return next;
  }

  /** Commits offsets for the group without consuming (an empty group accepts standalone commits). */
  private void commit(Map<TopicPartition, Long> offsets) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(IsolationLevel.READ_UNCOMMITTED)) {
      Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
      offsets.forEach((partition, offset) -> commits.put(partition, new OffsetAndMetadata(offset)));
      consumer.commitSync(commits);
    }
  }

  private static Map<TopicPartition, Long> endOffsets(String topic, IsolationLevel isolation) {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    IntStream.range(0, 4).forEach(p -> request.put(new TopicPartition(topic, p), OffsetSpec.latest()));
    try {
      Map<TopicPartition, Long> ends = new HashMap<>();
      admin.listOffsets(request, new ListOffsetsOptions(isolation)).all().get(30, TimeUnit.SECONDS)
          .forEach((partition, info) -> ends.put(partition, info.offset()));
      return ends;
    } catch (Exception e) {
      throw new IllegalStateException("cannot list the end offsets of " + topic, e);
    }
  }

  private static Map<TopicPartition, Long> plusOne(Map<TopicPartition, Long> offsets) {
    return plusN(offsets, 1);
  }

  private static Map<TopicPartition, Long> plusN(Map<TopicPartition, Long> offsets, long n) {
    Map<TopicPartition, Long> shifted = new HashMap<>();
    offsets.forEach((partition, offset) -> shifted.put(partition, offset + n));
    return shifted;
  }

  /** "partition value" of each sample of {@code metric} for the group and topic, in partition order. */
  private static List<String> byPartition(List<PrometheusText.Sample> samples, String metric, String group,
                                          String topic) {
    return samples.stream()
        .filter(x -> x.name().equals(metric) && group.equals(x.label("group")) && topic.equals(x.label("topic")))
        .sorted(java.util.Comparator.comparingInt(x -> Integer.parseInt(x.label("partition"))))
        .map(x -> x.label("partition") + " " + x.value()).toList();
  }
}
