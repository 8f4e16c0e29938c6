package org.streamdistill.deploy.student;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.deploy.demo.TopicReader;
import org.streamdistill.deploy.experiment.CatalogueNamespaceProvisioner;
import org.streamdistill.deploy.platform.EmbeddedKafka;
import org.streamdistill.deploy.registry.EmbeddedSchemaRegistry;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.student.checkpoint.ModelState;
import org.streamdistill.student.optim.Adam;
import org.streamdistill.student.optim.Parameter;
import org.streamdistill.student.training.StudentTrainer;
import org.streamdistill.student.training.StudentTrainerMain;
import org.streamdistill.student.training.TrainerConfig;

/**
 * The student trainer resumes exactly after a crash: a trainer killed with SIGKILL mid-stream
 * (in a child JVM: no shutdown hook, no last checkpoint, an open Kafka transaction) and started
 * again ends with the very weights and optimizer state of a trainer that ran uninterrupted over
 * the same single-partition stream, has learned every training turn once, and has published
 * exactly one prediction per turn. With the catalogue's 4 partitions, where the interleaving of
 * partitions (and so the batches) may differ after a restart, it still learns every training turn
 * once, publishes one prediction per turn and keeps each conversation in order. A fresh namespace
 * and checkpoint directory per trainer.
 */
class StudentTrainerResumeIT {

  private static final Logger LOG = LoggerFactory.getLogger(StudentTrainerResumeIT.class);
  private static final int TURNS = 2_000;
  private static final int CLASSES = 151;
  private static final Duration WAIT = Duration.ofMinutes(3);
  /** Where the child JVMs' output goes (kept after the test, for a failure's post-mortem). */
  private static final Path CHILD_LOGS = Path.of("target", "failsafe-reports", "StudentTrainerResumeIT");

  private static EmbeddedKafka kafka;
  private static EmbeddedSchemaRegistry registryServer;
  private static SchemaRegistryClient registry;

  @TempDir
  Path dir;

  @BeforeAll
  static void startPlatform() {
    kafka = EmbeddedKafka.start();
    registryServer = EmbeddedSchemaRegistry.start(kafka.bootstrapServers());
    registry = new RestSchemaRegistryClient(registryServer.url());
  }

  @AfterAll
  static void stopPlatform() {
    if (registryServer != null) {
      registryServer.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void shouldEndWithTheWeightsOfAnUninterruptedRunAndOnePredictionPerTurnAfterAKillMidStream() throws Exception {
    // Given the same 2,000 soft labels, every 10th held out and every 5th with gold, in two
    // fresh namespaces whose soft-labels topic has a single partition
    List<SoftLabel> stream = softLabels(new Random(20240611L));
    long trainingTurns = stream.stream().filter(l -> !l.getHeldOut()).count();
    assertThat(trainingTurns).isEqualTo(1_800);
    String uninterrupted = freshNamespace("resumea");
    String crashed = freshNamespace("resumeb");
    publish(uninterrupted, stream);
    publish(crashed, stream);

    // When trainer A learns from the whole stream without interruption
    Path checkpointsA = dir.resolve("a");
    long startA = System.nanoTime();
    runToTheEndInProcess(settings(uninterrupted, checkpointsA));
    LOG.info("uninterrupted trainer: {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startA));

    // And trainer B, in its own JVM, is killed (SIGKILL) mid-stream ...
    Path checkpointsB = dir.resolve("b");
    Map<String, String> settingsB = settings(crashed, checkpointsB);
    Process first = startChild(settingsB, "first-run.log");
    long publishedAtKill;
    try {
      await("a quarter of the turns predicted by the first trainer B").atMost(WAIT).pollInterval(Duration.ofMillis(50))
          .failFast("the first trainer B exited", () -> assertThat(first.isAlive()).isTrue())
          .until(() -> committedPredictions(crashed) >= TURNS / 4);
    } finally {
      first.destroyForcibly();
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    publishedAtKill = committedPredictions(crashed);
    OffsetAndMetadata committedAtKill = committedOffset(settingsB.get(TrainerConfig.GROUP_ID), crashed);
    // ... and started again, then stopped once it has predicted every turn
    Process second = startChild(settingsB, "second-run.log");
    try {
      await("every turn predicted by trainer B").atMost(WAIT).pollInterval(Duration.ofMillis(250))
          .failFast("the second trainer B exited", () -> assertThat(second.isAlive()).isTrue())
          .until(() -> committedPredictions(crashed) >= TURNS);
      second.destroy(); // SIGTERM: learns the batch in hand, writes its last checkpoint, exits
      assertThat(second.waitFor(90, TimeUnit.SECONDS)).as("trainer B stops within 90 s of SIGTERM").isTrue();
    } finally {
      second.destroyForcibly();
    }

    // Then the kill really was mid-stream: the restart resumed from a checkpoint short of the end
    assertThat(publishedAtKill).isBetween(1L, (long) TURNS - 1);
    Matcher progress = Pattern.compile("checkpoint=(\\d+);resume=(\\d+);cuts=.*").matcher(committedAtKill.metadata());
    assertThat(progress.matches()).as("committed metadata %s", committedAtKill.metadata()).isTrue();
    long resumeAtKill = Long.parseLong(progress.group(2));
    assertThat(resumeAtKill).isLessThan(TURNS).isLessThanOrEqualTo(committedAtKill.offset());
    LOG.info("killed with {} predictions committed: the restart loaded checkpoint {}, learned again from offset {} "
        + "and published again from offset {}", publishedAtKill, progress.group(1), resumeAtKill,
        committedAtKill.offset());

    // And both trainers end with the same checkpoint, bit for bit, having learned each training turn once
    ModelState finalA = ModelState.read(newestCheckpoint(checkpointsA));
    ModelState finalB = ModelState.read(newestCheckpoint(checkpointsB));
    assertThat(finalA.metadata().get("samples_seen")).isEqualTo(Long.toString(trainingTurns));
    assertThat(finalB.metadata().get("samples_seen")).isEqualTo(Long.toString(trainingTurns));
    assertBitIdentical(finalA, finalB);

    // And B published exactly one prediction per turn, read as committed
    List<StudentPrediction> predictions = new TopicReader(kafka.bootstrapServers(), registry)
        .readAll(Topics.PREDICTIONS.inNamespace(crashed));
    assertThat(predictions).extracting(StudentPrediction::getTurnId).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(stream.stream().map(SoftLabel::getTurnId).toList());
    assertThat(predictions).allSatisfy(p -> assertThat(p.getLearned()).isEqualTo(!p.getHeldOut()));
  }

  @Test
  void shouldLearnEverySoftLabelOnceAndPredictEveryTurnOnceAcrossAKillWithFourPartitions() throws Exception {
    // Given the same kind of stream in a namespace whose soft-labels topic has the catalogue's 4
    // partitions (keyed by conversation, so each conversation stays on one partition)
    assertThat(Topics.SOFT_LABELS.partitions()).isEqualTo(4);
    List<SoftLabel> stream = softLabels(new Random(20261203L));
    long trainingTurns = stream.stream().filter(l -> !l.getHeldOut()).count();
    String namespace = freshNamespace("resume4p", Topics.SOFT_LABELS.partitions());
    publish(namespace, stream);
    Map<String, String> settings = settings(namespace, dir.resolve("four"));

    // When the trainer, in its own JVM, is killed (SIGKILL) mid-stream ...
    Process first = startChild(settings, "four-partitions-first-run.log");
    try {
      await("a quarter of the turns predicted by the first trainer").atMost(WAIT).pollInterval(Duration.ofMillis(50))
          .failFast("the first trainer exited", () -> assertThat(first.isAlive()).isTrue())
          .until(() -> committedPredictions(namespace) >= TURNS / 4);
    } finally {
      first.destroyForcibly();
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    long publishedAtKill = committedPredictions(namespace);
    Map<TopicPartition, OffsetAndMetadata> committedAtKill = committedOffsets(settings.get(TrainerConfig.GROUP_ID));
    // ... and started again, then stopped once it has predicted every turn
    Process second = startChild(settings, "four-partitions-second-run.log");
    try {
      await("every turn predicted by the second trainer").atMost(WAIT).pollInterval(Duration.ofMillis(250))
          .failFast("the second trainer exited", () -> assertThat(second.isAlive()).isTrue())
          .until(() -> committedPredictions(namespace) >= TURNS);
      second.destroy(); // SIGTERM: learns the batch in hand, writes its last checkpoint, exits
      assertThat(second.waitFor(90, TimeUnit.SECONDS)).as("the trainer stops within 90 s of SIGTERM").isTrue();
    } finally {
      second.destroyForcibly();
    }

    // Then the kill was mid-stream, with progress committed on every partition, each naming one checkpoint
    assertThat(publishedAtKill).isBetween(1L, (long) TURNS - 1);
    assertThat(committedAtKill.keySet()).extracting(TopicPartition::partition).containsExactlyInAnyOrder(0, 1, 2, 3);
    Pattern progress = Pattern.compile("checkpoint=(\\d+);resume=(\\d+);cuts=.*");
    assertThat(committedAtKill.values()).allSatisfy(o -> assertThat(o.metadata()).matches(progress));
    assertThat(committedAtKill.values().stream().map(o -> {
      Matcher m = progress.matcher(o.metadata());
      m.matches();
      return m.group(1);
    }).distinct()).as("the checkpoint every partition's progress names").hasSize(1);

    // And the final checkpoint has learned each training turn once: none twice, none skipped
    ModelState last = ModelState.read(newestCheckpoint(dir.resolve("four")));
    assertThat(last.metadata().get("samples_seen")).isEqualTo(Long.toString(trainingTurns));

    // And exactly one prediction per turn was published, read as committed, learned unless held out
    List<StudentPrediction> predictions = new TopicReader(kafka.bootstrapServers(), registry)
        .readAll(Topics.PREDICTIONS.inNamespace(namespace));
    assertThat(predictions).extracting(StudentPrediction::getTurnId).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(stream.stream().map(SoftLabel::getTurnId).toList());
    assertThat(predictions).allSatisfy(p -> assertThat(p.getLearned()).isEqualTo(!p.getHeldOut()));

    // And each conversation's turns were predicted in their order (one partition per conversation)
    Map<String, List<Integer>> byConversation = new HashMap<>();
    for (StudentPrediction p : predictions) { // in each partition's order; turn ids are <conversation>/<index>
      String turnId = p.getTurnId();
      byConversation.computeIfAbsent(p.getConversationId(), c -> new ArrayList<>())
          .add(Integer.parseInt(turnId.substring(turnId.lastIndexOf('/') + 1)));
    }
    assertThat(byConversation).hasSize(TURNS / 4).allSatisfy((conversation, indexes) ->
        assertThat(indexes).as(conversation).containsExactly(0, 1, 2, 3));
  }

  /** Runs a trainer on this JVM until it has predicted every turn, then stops it (last checkpoint). */
  private void runToTheEndInProcess(Map<String, String> settings) throws Exception {
    ExecutorService thread = Executors.newSingleThreadExecutor();
    StudentTrainer trainer = StudentTrainer.create(TrainerConfig.of(settings), registry);
    try {
      Future<?> run = thread.submit(trainer);
      await("every turn predicted by trainer A").atMost(WAIT).pollInterval(Duration.ofMillis(250))
          .failFast("trainer A stopped", () -> assertThat(run.isDone()).isFalse())
          .until(() -> trainer.stats().predictionsAcknowledged() >= TURNS);
      trainer.stop();
      run.get(90, TimeUnit.SECONDS);
    } finally {
      trainer.stop();
      thread.shutdown();
      thread.awaitTermination(60, TimeUnit.SECONDS);
      trainer.close();
    }
  }

  private static Map<String, String> settings(String namespace, Path checkpoints) {
    Map<String, String> settings = new HashMap<>();
    settings.put(TrainerConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    settings.put(TrainerConfig.REGISTRY_URL, registryServer.url());
    settings.put(TrainerConfig.NAMESPACE, namespace);
    settings.put(TrainerConfig.GROUP_ID, namespace + "-trainer");
    settings.put(TrainerConfig.CHECKPOINT_DIR, checkpoints.toString());
    settings.put(TrainerConfig.CHECKPOINT_EVERY_SAMPLES, "512");
    settings.put(TrainerConfig.CHECKPOINT_ONNX, "false");
    // Only the end of the stream is a pause: a stall of a loaded test machine must not cut a batch.
    settings.put(TrainerConfig.BATCH_MAX_IDLE_MS, "5000");
    return settings;
  }

  /** Starts {@link StudentTrainerMain} in a child JVM on this test's class path. */
  private static Process startChild(Map<String, String> settings, String logName) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-cp", System.getProperty("java.class.path"), StudentTrainerMain.class.getName()));
    settings.forEach((key, value) -> {
      command.add("--" + key);
      command.add(value);
    });
    Files.createDirectories(CHILD_LOGS);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(CHILD_LOGS.resolve(logName).toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("STREAMDISTILL_"));
    return builder.start();
  }

  private static String freshNamespace(String prefix) throws Exception {
    // The soft labels get one partition (the catalogue says 4): bit-exactness is claimed for one.
    return freshNamespace(prefix, 1);
  }

  private static String freshNamespace(String prefix, int softLabelPartitions) throws Exception {
    String namespace = prefix + UUID.randomUUID().toString().substring(0, 8);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(Topics.SOFT_LABELS.inNamespace(namespace).name(), softLabelPartitions,
              (short) 1)))
          .all().get(30, TimeUnit.SECONDS);
    }
    new CatalogueNamespaceProvisioner().provision(kafka.bootstrapServers(), namespace);
    return namespace;
  }

  private static void publish(String namespace, List<SoftLabel> stream) throws Exception {
    Topic<SoftLabel> topic = Topics.SOFT_LABELS.inNamespace(namespace);
    AvroWireCodec<SoftLabel> codec = new AvroWireCodec<>(registry, topic.valueSubject(), SoftLabel.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (SoftLabel label : stream) {
        producer.send(new ProducerRecord<>(topic.name(), label.getConversationId().getBytes(UTF_8),
            codec.encode(label)));
      }
      producer.flush();
    }
  }

  /**
   * Soft labels as the teacher would write them for CLINC150: word-piece ids in [1000, 30000)
   * between [CLS] and [SEP], 151 logits with the teacher's label clearly ahead, temperature 2,
   * one label set.
   * Each label has its own words, shared with a neighbour, so that there is something to learn.
   */
  private static List<SoftLabel> softLabels(Random random) {
    // Predictions carry the turn's event time as their timestamp: recent, or retention deletes them.
    long start = System.currentTimeMillis() - TURNS;
    List<SoftLabel> labels = new ArrayList<>(TURNS);
    for (int i = 0; i < TURNS; i++) {
      int label = random.nextInt(CLASSES);
      List<Integer> tokens = new ArrayList<>(List.of(101));
      int words = 3 + random.nextInt(12);
      for (int w = 0; w < words; w++) {
        tokens.add(random.nextInt(3) == 0 ? 1000 + random.nextInt(29_000)
            : 1000 + ((label + random.nextInt(2)) % CLASSES) * 150 + random.nextInt(40));
      }
      tokens.add(102);
      List<Float> logits = new ArrayList<>(CLASSES);
      for (int c = 0; c < CLASSES; c++) {
        logits.add((float) (random.nextGaussian() + (c == label ? 7.0 : 0.0)));
      }
      int teacher = 0;
      for (int c = 1; c < CLASSES; c++) {
        if (logits.get(c) > logits.get(teacher)) {
          teacher = c;
        }
      }
      boolean gold = i % 5 == 0;
      String conversation = "conv-" + i / 4;
      labels.add(SoftLabel.newBuilder().setTurnId(conversation + "/" + i % 4).setConversationId(conversation)
          .setTurnIndex(i % 4).setEventTime(Instant.ofEpochMilli(start + i))
          .setScoredAt(Instant.ofEpochMilli(start + i + 1)).setTokenIds(tokens).setTruncated(false)
          .setLogits(logits).setTemperature(2f).setTeacherVersion("teacher-test").setLabelSetId("clinc150-test")
          .setTeacherIndex(teacher).setTeacherLabel("intent-" + teacher)
          .setGoldLabel(gold ? "intent-" + label : null).setGoldIndex(gold ? label : null)
          .setHeldOut(i % 10 == 9).build());
    }
    return labels;
  }

  private static long committedPredictions(String namespace) {
    return new TopicReader(kafka.bootstrapServers(), registry)
        .forEachRaw(Topics.PREDICTIONS.inNamespace(namespace).name(), r -> { });
  }

  private static OffsetAndMetadata committedOffset(String group, String namespace) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
          .get(new TopicPartition(Topics.SOFT_LABELS.inNamespace(namespace).name(), 0));
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> committedOffsets(String group) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    }
  }

  private static Path newestCheckpoint(Path directory) throws IOException {
    Pattern file = Pattern.compile("student-v(\\d+)\\.ckpt");
    try (Stream<Path> listing = Files.list(directory)) {
      return listing.filter(p -> file.matcher(p.getFileName().toString()).matches())
          .max(Comparator.comparingLong(p -> {
            Matcher m = file.matcher(p.getFileName().toString());
            m.matches();
            return Long.parseLong(m.group(1));
          }))
          .orElseThrow(() -> new AssertionError("no checkpoint in " + directory));
    }
  }

  private static void assertBitIdentical(ModelState expected, ModelState actual) {
    assertThat(actual.model().config()).isEqualTo(expected.model().config());
    assertThat(actual.model().randomState()).as("dropout generator state").isEqualTo(expected.model().randomState());
    List<Parameter> want = expected.model().parameters();
    List<Parameter> got = actual.model().parameters();
    assertThat(got).extracting(Parameter::name).containsExactlyElementsOf(want.stream().map(Parameter::name).toList());
    for (int i = 0; i < want.size(); i++) {
      assertSameBits("weights " + want.get(i).name(), want.get(i).values(), got.get(i).values());
    }
    Adam.State wantAdam = expected.optimizer().orElseThrow().exportState();
    Adam.State gotAdam = actual.optimizer().orElseThrow().exportState();
    assertThat(gotAdam.step()).as("optimizer steps").isEqualTo(wantAdam.step());
    assertThat(gotAdam.firstMoments().keySet()).isEqualTo(wantAdam.firstMoments().keySet());
    for (String name : wantAdam.firstMoments().keySet()) {
      assertSameBits("first moments of " + name, wantAdam.firstMoments().get(name), gotAdam.firstMoments().get(name));
      assertSameBits("second moments of " + name, wantAdam.secondMoments().get(name),
          gotAdam.secondMoments().get(name));
    }
  }

  private static void assertSameBits(String what, float[] expected, float[] actual) {
    assertThat(actual).as(what + " length").hasSameSizeAs(expected);
    int differing = 0;
    double largest = 0;
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        differing++;
        largest = Math.max(largest, Math.abs((double) expected[i] - actual[i]));
      }
    }
    assertThat(differing).as("%s: values that differ (largest difference %s)", what, largest).isZero();
  }
}
