package org.streamdistill.deploy.teacher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.demo.TopicReader;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.teacher.job.BundleTurnScorer;
import org.streamdistill.teacher.job.TeacherJob;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * Exactly once under failure: while a few thousand turns flow into the teacher job (the real
 * MiniLM teacher, the production Kafka source and exactly-once sink) on a Flink MiniCluster the
 * test owns, the job fails twice: the teacher throws on a chosen turn (once), and later the task
 * manager running the job is terminated and replaced. The soft-label topic read with
 * {@code read_committed} must then hold exactly one record per turn.
 */
class TeacherJobFailureIT {

  private static final Logger LOG = LoggerFactory.getLogger(TeacherJobFailureIT.class);
  private static final int TURNS = 2_000;
  private static final int FAIL_ON_TURN = 500;
  private static final int KILL_TASK_MANAGER_AFTER = 1_000;
  private static final int TURNS_PER_SEND_ROUND = 50;
  private static final long SEND_ROUND_MILLIS = 200; // about 250 turns/s offered, the teacher's pace on 2 cores
  private static final String FAIL_ON_TEXT = "this turn makes the teacher throw, once";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  private static TeacherTestPlatform platform;
  private static Path bundle;

  @BeforeAll
  static void startPlatformAndFitTeacher() throws Exception {
    platform = TeacherTestPlatform.start();
    Path data = SmallTeacherBundle.clinc150Path();
    bundle = dir.resolve("teacher");
    // Three utterances per label: this test needs a real MiniLM teacher, not a good one.
    SmallTeacherBundle.fitAndSave(Clinc150.read(data), data, 3, bundle);
  }

  @AfterAll
  static void stopPlatform() {
    if (platform != null) {
      platform.close();
    }
  }

  @Test
  void shouldPublishExactlyOneSoftLabelPerTurnAcrossAScorerFailureAndATaskManagerLoss() throws Exception {
    // Given 2,000 distinct turns, one of which makes the teacher throw the first time it sees it
    String namespace = platform.freshNamespace();
    Topic<DialogueTurn> turns = platform.turns(namespace);
    Topic<SoftLabel> softLabels = Topics.SOFT_LABELS.inNamespace(namespace);
    List<DialogueTurn> stream = turns(Clinc150.read(SmallTeacherBundle.clinc150Path()));
    Path markers = Files.createDirectories(dir.resolve("markers"));

    // And the teacher job on a MiniCluster of one task manager, restarting on failure
    Map<String, String> settings = platform.jobSettings(namespace);
    settings.put(TeacherJobConfig.BUNDLE, bundle.toString());
    TeacherJobConfig config = TeacherJobConfig.of(settings);
    TeacherJob teacherJob = new TeacherJob(config, FailOnceTurnScorer.factory(
        BundleTurnScorer.factory(config.bundle(), config.onnxThreads()), FAIL_ON_TEXT, markers));
    Configuration flink = new Configuration();
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    teacherJob.build(env, teacherJob.kafkaSource(), teacherJob.kafkaSink());
    StreamGraph graph = env.getStreamGraph();
    graph.setJobName(TeacherJob.NAME + "-" + namespace);

    MiniClusterConfiguration clusterConfig = new MiniClusterConfiguration.Builder()
        .setConfiguration(flink)
        .setNumTaskManagers(1)
        .setNumSlotsPerTaskManager(1)
        .withRandomPorts()
        .build();
    TopicReader reader = platform.reader();
    long started = System.nanoTime();
    try (MiniCluster cluster = new MiniCluster(clusterConfig)) {
      cluster.start();
      JobID job = cluster.submitJob(graph.getJobGraph()).get(30, TimeUnit.SECONDS).getJobID();
      try {
        // When the turns flow in at about the teacher's pace
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produce(namespace, turns, stream));

        // And the teacher throws on turn 500 (once), and the job restarts from its last checkpoint
        await("the injected failure and a restart").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
            .until(() -> FailOnceTurnScorer.thrown(markers) && FailOnceTurnScorer.opened(markers) >= 2);
        // And once 1,000 soft labels are committed, the task manager running the job is lost and a new one joins
        await("1,000 committed soft labels").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
            .failFast("teacher job stopped", () -> assertThat(cluster.getJobStatus(job).get()).isEqualTo(JobStatus.RUNNING))
            .until(() -> reader.forEachRaw(softLabels.name(), r -> {}) >= KILL_TASK_MANAGER_AFTER);
        long opensBeforeLoss = FailOnceTurnScorer.opened(markers);
        long committedAtLoss = reader.forEachRaw(softLabels.name(), r -> {});
        cluster.startTaskManager();
        cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
        LOG.info("terminated task manager 0 after {} s", (System.nanoTime() - started) / 1_000_000_000);
        await("the job running again on the new task manager").atMost(Duration.ofMinutes(1))
            .until(() -> FailOnceTurnScorer.opened(markers) > opensBeforeLoss);
        producing.get(2, TimeUnit.MINUTES);

        // Then the job consumes every turn and commits its offsets
        await("every turn consumed and checkpointed").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
            .failFast("teacher job stopped", () -> assertThat(cluster.getJobStatus(job).get()).isEqualTo(JobStatus.RUNNING))
            .until(() -> consumedToEnd(turns.name(), config.groupId()));
        await("every soft label committed").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
            .until(() -> distinctTurnIds(reader, softLabels).size() >= TURNS);

        // And the soft-label topic, read with read_committed, holds exactly one record per turn: none lost, none twice
        List<String> ids = new ArrayList<>();
        reader.forEach(softLabels, label -> ids.add(label.getTurnId()));
        assertThat(ids).hasSize(TURNS)
            .doesNotHaveDuplicates()
            .containsExactlyInAnyOrderElementsOf(stream.stream().map(DialogueTurn::getTurnId).toList());
        // And nothing was dead-lettered
        assertThat(reader.forEachRaw(turns.deadLetterTopic(), r -> {})).isZero();
        // And both failures really happened: two failovers in the job's exception history, one for each cause,
        // and the scorer opened three times (first start and two restarts)
        JsonNode exceptions = rest(cluster, "/jobs/" + job + "/exceptions");
        List<String> causes = new ArrayList<>();
        exceptions.path("exceptionHistory").path("entries")
            .forEach(e -> causes.add(e.path("exceptionName").asText() + ": " + e.path("stacktrace").asText()));
        LOG.info("job exception history: {}", causes.stream().map(c -> c.lines().findFirst().orElse(""))
            .collect(Collectors.toList()));
        assertThat(causes).hasSize(2);
        // (the injected failure surfaces wrapped by the Kafka source, which the scoring operator is chained to)
        assertThat(causes).filteredOn(c -> c.contains(FailOnceTurnScorer.InjectedFailure.class.getName()))
            .hasSize(1);
        assertThat(causes).filteredOn(c -> c.matches("(?s).*(TaskManager|TaskExecutor).*")).hasSize(1);
        assertThat(FailOnceTurnScorer.opened(markers)).isEqualTo(3);
        assertThat(committedAtLoss).as("soft labels committed when the task manager was lost").isLessThan(TURNS);
        LOG.info("{} turns, exactly once across 2 restarts, in {} s", TURNS,
            (System.nanoTime() - started) / 1_000_000_000);
      } finally {
        cluster.cancelJob(job).exceptionally(e -> null).get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** 2,000 turns with distinct ids over the CLINC150 test utterances, the chosen one at 500. */
  private static List<DialogueTurn> turns(Clinc150 clinc) {
    List<Clinc150.Example> test = clinc.testWithOos();
    List<DialogueTurn> result = new ArrayList<>(TURNS);
    for (int i = 0; i < TURNS; i++) {
      String text = i == FAIL_ON_TURN ? FAIL_ON_TEXT : test.get(i % test.size()).text();
      result.add(TeacherTestPlatform.turn("turn-" + i, "conv-" + i / 5, i % 5, text, null));
    }
    return result;
  }

  private static void produce(String namespace, Topic<DialogueTurn> turns, List<DialogueTurn> stream) {
    AvroWireCodec<DialogueTurn> codec = platform.turnCodec(namespace);
    try (KafkaProducer<byte[], byte[]> producer = platform.producer()) {
      for (int start = 0; start < stream.size(); start += TURNS_PER_SEND_ROUND) {
        for (DialogueTurn t : stream.subList(start, Math.min(stream.size(), start + TURNS_PER_SEND_ROUND))) {
          producer.send(new ProducerRecord<>(turns.name(), t.getConversationId().getBytes(UTF_8), codec.encode(t)));
        }
        producer.flush();
        Thread.sleep(SEND_ROUND_MILLIS); // pacing the offered load, not waiting for a condition
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while producing turns", e);
    }
  }

  /** Whether the job's consumer group has committed the end offset of every partition of {@code topic}. */
  private static boolean consumedToEnd(String topic, String groupId) throws Exception {
    var admin = platform.admin();
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    Set<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
        .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toSet());
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(
        partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get(10, TimeUnit.SECONDS);
    return partitions.stream().allMatch(p ->
        committed.get(p) != null && committed.get(p).offset() >= ends.get(p).offset());
  }

  private static Set<String> distinctTurnIds(TopicReader reader, Topic<SoftLabel> softLabels) {
    Set<String> ids = new HashSet<>();
    reader.forEach(softLabels, label -> ids.add(label.getTurnId()));
    return ids;
  }

  private static JsonNode rest(MiniCluster cluster, String path) throws Exception {
    URI base = cluster.getRestAddress().get(10, TimeUnit.SECONDS);
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
