package org.streamdistill.deploy.teacher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
import org.streamdistill.deploy.demo.TopicReader;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.teacher.job.LocalRecovery;
import org.streamdistill.teacher.job.TeacherJob;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * A teacher job run by its own process resumes exactly once even when its consumer group's
 * offsets are behind the soft labels it already committed. That happens when the source's offset
 * commit, which follows the sink's transaction commit as a separate step, does not reach a broker
 * that stopped answering (the 20-minute soak wrote 46 soft labels twice that way). The test makes
 * the group's offsets stale on purpose (rewound to the start) between two runs, and checks both
 * ways of starting: from the job's retained checkpoint ({@link TeacherJob#environment()}, what
 * {@code teacher-job} does) nothing is written twice; from the group's offsets (what it did
 * before) the first run's turns are scored again, which shows the test can see the defect.
 */
class TeacherJobResumeIT {

  private static final int FIRST_RUN_TURNS = 60;
  private static final int SECOND_RUN_TURNS = 40;

  @TempDir
  static Path dir;

  private static TeacherTestPlatform platform;

  @BeforeAll
  static void startPlatform() {
    platform = TeacherTestPlatform.start();
  }

  @AfterAll
  static void stopPlatform() {
    if (platform != null) {
      platform.close();
    }
  }

  @Test
  void shouldResumeFromItsCheckpointNotFromStaleGroupOffsets() throws Exception {
    Run run = firstRunThenStaleOffsets("resume");

    // When the process starts again as teacher-job starts it
    TeacherJob job = run.job();
    StreamExecutionEnvironment env = job.environment();
    assertThat(LocalRecovery.latestCheckpoint(LocalRecovery.directory(job.config()))).isPresent();
    JobClient second = start(job, env);
    try {
      run.produce(FIRST_RUN_TURNS, FIRST_RUN_TURNS + SECOND_RUN_TURNS);
      awaitConsumedToEnd(run, second);
      awaitSoftLabels(run, second, FIRST_RUN_TURNS + SECOND_RUN_TURNS);
    } finally {
      TeacherTestPlatform.cancel(second);
    }

    // Then every turn of both runs has exactly one committed soft label
    assertThat(run.softLabelTurnIds()).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(run.turnIds(0, FIRST_RUN_TURNS + SECOND_RUN_TURNS));
  }

  @Test
  void shouldScoreTurnsTwiceWhenStartingFromStaleGroupOffsets() throws Exception {
    Run run = firstRunThenStaleOffsets("control");

    // When the process starts from the group's offsets, as it did before it kept its checkpoints
    TeacherJob job = run.job();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(TeacherJob.restartPolicy());
    JobClient second = start(job, env);
    try {
      run.produce(FIRST_RUN_TURNS, FIRST_RUN_TURNS + SECOND_RUN_TURNS);
      awaitConsumedToEnd(run, second);
      awaitSoftLabels(run, second, FIRST_RUN_TURNS + SECOND_RUN_TURNS);
    } finally {
      TeacherTestPlatform.cancel(second);
    }

    // Then the first run's turns were scored and committed a second time
    List<String> ids = run.softLabelTurnIds();
    assertThat(ids).hasSize(2 * FIRST_RUN_TURNS + SECOND_RUN_TURNS);
    assertThat(Set.copyOf(ids)).containsExactlyInAnyOrderElementsOf(
        run.turnIds(0, FIRST_RUN_TURNS + SECOND_RUN_TURNS));
  }

  /**
   * A first run that scores {@value #FIRST_RUN_TURNS} turns, commits them and its offsets and is
   * cancelled (its last checkpoint stays), then the group's offsets rewound to the start: what a
   * lost offset commit after the last transaction leaves behind.
   */
  private Run firstRunThenStaleOffsets(String name) throws Exception {
    String namespace = platform.freshNamespace();
    Map<String, String> settings = platform.jobSettings(namespace);
    settings.put(TeacherJobConfig.CHECKPOINT_DIR, dir.resolve(name).toString());
    Run run = new Run(namespace, TeacherJobConfig.of(settings));

    TeacherJob job = run.job();
    JobClient first = start(job, job.environment());
    try {
      run.produce(0, FIRST_RUN_TURNS);
      awaitConsumedToEnd(run, first);
      awaitSoftLabels(run, first, FIRST_RUN_TURNS);
    } finally {
      TeacherTestPlatform.cancel(first);
    }
    assertThat(run.softLabelTurnIds()).containsExactlyInAnyOrderElementsOf(run.turnIds(0, FIRST_RUN_TURNS));

    Map<TopicPartition, OffsetAndMetadata> start = run.partitions().stream()
        .collect(Collectors.toMap(Function.identity(), p -> new OffsetAndMetadata(0)));
    platform.admin().alterConsumerGroupOffsets(run.config().groupId(), start).all().get(30, TimeUnit.SECONDS);
    return run;
  }

  private static JobClient start(TeacherJob job, StreamExecutionEnvironment env) throws Exception {
    job.build(env, job.kafkaSource(), job.kafkaSink());
    return env.executeAsync(TeacherJob.NAME + "-" + job.config().namespace());
  }

  /** Until the job's group has committed every turn's offset, so its last checkpoint covers them all. */
  private static void awaitConsumedToEnd(Run run, JobClient job) {
    await("every turn consumed and checkpointed").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300))
        .failFast("teacher job stopped", () -> TeacherTestPlatform.assertStillRunning(job))
        .until(run::consumedToEnd);
  }

  /**
   * Until soft labels of {@code turns} distinct turns are committed: the sink's transaction commit
   * and the source's offset commit are separate steps, in no fixed order.
   */
  private static void awaitSoftLabels(Run run, JobClient job, int turns) {
    await(turns + " turns with committed soft labels").atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(300))
        .failFast("teacher job stopped", () -> TeacherTestPlatform.assertStillRunning(job))
        .until(() -> Set.copyOf(run.softLabelTurnIds()).size() >= turns);
  }

  /** One namespace's turns, job settings and soft labels. */
  private record Run(String namespace, TeacherJobConfig config) {

    TeacherJob job() {
      return new TeacherJob(config, FixedTurnScorer.factory());
    }

    Topic<DialogueTurn> turns() {
      return platform.turns(namespace);
    }

    List<String> turnIds(int from, int to) {
      return IntStream.range(from, to).mapToObj(i -> "turn-" + i).toList();
    }

    void produce(int from, int to) throws Exception {
      AvroWireCodec<DialogueTurn> codec = platform.turnCodec(namespace);
      try (KafkaProducer<byte[], byte[]> producer = platform.producer()) {
        for (int i = from; i < to; i++) {
          DialogueTurn turn = TeacherTestPlatform.turn("turn-" + i, "conv-" + i / 4, i % 4, "turn number " + i, null);
          producer.send(new ProducerRecord<>(turns().name(), turn.getConversationId().getBytes(UTF_8),
              codec.encode(turn)));
        }
        producer.flush();
      }
    }

    List<String> softLabelTurnIds() {
      TopicReader reader = platform.reader();
      List<String> ids = new ArrayList<>();
      reader.forEach(Topics.SOFT_LABELS.inNamespace(namespace), (SoftLabel label) -> ids.add(label.getTurnId()));
      return ids;
    }

    List<TopicPartition> partitions() throws Exception {
      String topic = turns().name();
      return platform.admin().describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
          .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    boolean consumedToEnd() throws Exception {
      Map<TopicPartition, OffsetAndMetadata> committed = platform.admin().listConsumerGroupOffsets(config.groupId())
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = platform.admin().listOffsets(
          partitions().stream().collect(Collectors.toMap(Function.identity(), p -> OffsetSpec.latest())))
          .all().get(10, TimeUnit.SECONDS);
      return ends.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
          && committed.get(e.getKey()).offset() >= e.getValue().offset());
    }
  }
}
