package org.streamdistill.deploy.experiment;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.demo.EmbeddedPipeline;
import org.streamdistill.deploy.demo.TopicReader;
import org.streamdistill.deploy.teacher.SmallTeacherBundle;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.evaluator.lag.ConsumerLagMonitor;
import org.streamdistill.evaluator.lag.ConsumerStatus;
import org.streamdistill.evaluator.lag.MonitoredGroup;
import org.streamdistill.producers.publish.RateLimiter;
import org.streamdistill.producers.publish.TurnPublisher;
import org.streamdistill.producers.replay.Clinc150Turns;
import org.streamdistill.producers.replay.ReplayOptions;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * {@code experiment} end to end, against a production pipeline that has predicted 200 turns: the
 * command replays them into a namespace, runs that namespace's teacher job, trainer (another
 * learning rate, by {@code --set}) and evaluator as processes of their own, waits until they have
 * caught up, compares with production and stops them. Production's groups do not move; the
 * experiment predicted every turn exactly once; no stage process is left.
 */
class ExperimentCommandIT {

  private static final String NAME = "exp2";
  private static final int TURNS = 200;

  @Test
  void shouldReplayRunCompareAndStopInOneCommand(@TempDir Path work) throws Exception {
    Path dataPath = SmallTeacherBundle.clinc150Path();
    Clinc150 data = Clinc150.read(dataPath);
    Path bundle = work.resolve("bundle");
    SmallTeacherBundle.fitAndSave(data, dataPath, 10, bundle);
    List<DialogueTurn> turns = new ArrayList<>();
    new Clinc150Turns(data, new ReplayOptions(1, false, 0.5, 7, TURNS, 4), () -> 1L).forEach(turns::add);
    List<String> turnIds = turns.stream().map(DialogueTurn::getTurnId).toList();
    var production = new EmbeddedPipeline.Settings(work.resolve("pipeline"), bundle,
        Map.of(TeacherJobConfig.CHECKPOINT_INTERVAL_MS, "500"), Map.of(TrainerConfig.CHECKPOINT_EVERY_SAMPLES, "100"),
        Map.of(EvaluatorConfig.PROMOTION_MIN_PAIRED, "50", EvaluatorConfig.PROMOTION_COOLDOWN_TURNS, "50"));

    try (EmbeddedPipeline pipeline = EmbeddedPipeline.start(production);
         Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrapServers()))) {
      // Given production has predicted 200 turns
      try (TurnPublisher publisher = new TurnPublisher(pipeline.bootstrapServers(), pipeline.registry(), Topics.TURNS)) {
        Instant now = Instant.now();
        publisher.publish(turns.stream().map(t -> DialogueTurn.newBuilder(t).setEventTime(now).build()).toList(),
            RateLimiter.unlimited(), n -> { });
      }
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        pipeline.checkHealth();
        assertThat(pipeline.trainerStats().predictionsAcknowledged()).isEqualTo(TURNS);
      });
      // (and every production group has consumed all of its input, so that its offsets stay put)
      try (ConsumerLagMonitor monitor = new ConsumerLagMonitor(new ConsumerLagMonitor.Settings(
          pipeline.bootstrapServers(), MonitoredGroup.pipeline(""), Duration.ofMillis(500), 2, Duration.ofMinutes(1),
          Duration.ofSeconds(10)))) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
            assertThat(monitor.sampleNow().groups()).hasSize(3).allSatisfy(g -> {
              assertThat(g.totalLag()).as("lag of %s", g.group()).isZero();
              assertThat(g.status()).as("status of %s", g.group()).isEqualTo(ConsumerStatus.OK);
            }));
      }
      Map<String, Map<TopicPartition, Long>> before = new HashMap<>();
      for (String group : MonitoredGroup.PIPELINE_GROUP_IDS) {
        before.put(group, offsets(admin, group));
        assertThat(before.get(group)).as("offsets of %s", group).isNotEmpty();
      }

      // When one command runs the experiment on all of them
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Path experiments = work.resolve("experiments");
      int exit = ExperimentCommand.run(List.of("--bootstrap-servers", pipeline.bootstrapServers(),
              "--registry", pipeline.registryUrl(), "--name", NAME, "--from-offsets", "0",
              "--experiment.teacher-bundle", bundle.toString(), "--experiment.work-dir", experiments.toString(),
              "--experiment.timeout-ms", "300000",
              "--set", "teacher.checkpoint.interval-ms=500", "--set", "trainer.learning-rate=0.01",
              "--set", "trainer.checkpoint.every-samples=100", "--set", "trainer.checkpoint.onnx=false"),
          Map.of(), new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
      String printed = out.toString(UTF_8);

      // Then it caught up, compared on every turn and said so
      assertThat(exit).as(printed + err.toString(UTF_8)).isZero();
      assertThat(printed).contains("experiment " + NAME + ": caught up after")
          .contains(NAME + " against production: " + TURNS + " turns paired (0 only in production, 0 only in " + NAME
              + ")")
          .contains("verdict: ");
      assertThat(experiments.resolve(NAME).resolve("compare-report.html")).isRegularFile();
      // And the experiment predicted every turn exactly once
      TopicReader reader = new TopicReader(pipeline.bootstrapServers(), pipeline.registry());
      assertThat(reader.readAll(Topics.PREDICTIONS.inNamespace(NAME))).extracting(StudentPrediction::getTurnId)
          .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(turnIds);
      // And production's groups did not move, and no stage process of the experiment is left
      for (String group : MonitoredGroup.PIPELINE_GROUP_IDS) {
        assertThat(offsets(admin, group)).as("offsets of %s", group).isEqualTo(before.get(group));
      }
      String marker = experiments.resolve(NAME).toString();
      assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(marker)))
          .as("processes of the experiment still running").isEmpty();
    }
  }

  /**
   * The group's committed positions on catalogue topics (the evaluator's internal repartition
   * topics move on their own schedule after its input is consumed, and are its own business).
   */
  private static Map<TopicPartition, Long> offsets(Admin admin, String group) throws Exception {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
        .forEach((partition, committed) -> {
          if (!partition.topic().endsWith("-repartition")) {
            offsets.put(partition, committed.offset());
          }
        });
    return offsets;
  }
}
