package org.streamdistill.deploy.producers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import org.streamdistill.deploy.experiment.CatalogueNamespaceProvisioner;
import org.streamdistill.deploy.teacher.SmallTeacherBundle;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.evaluator.lag.ConsumerLagMonitor;
import org.streamdistill.evaluator.lag.ConsumerStatus;
import org.streamdistill.evaluator.lag.GroupLag;
import org.streamdistill.evaluator.lag.LagSnapshot;
import org.streamdistill.evaluator.lag.MonitoredGroup;
import org.streamdistill.producers.experiment.TopicReplay;
import org.streamdistill.producers.experiment.TopicReplayConfig;
import org.streamdistill.producers.publish.RateLimiter;
import org.streamdistill.producers.publish.TurnPublisher;
import org.streamdistill.producers.replay.Clinc150Turns;
import org.streamdistill.producers.replay.ReplayOptions;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * An experiment beside a running production pipeline, on the same broker and registry: a
 * range of production turns is replayed into a namespace and a second set of stages, with
 * other settings, runs on it. Both produce their own results, nothing leaks between them, and
 * the production consumer groups do not move.
 */
class ExperimentBesidePipelineIT {

  private static final String NAMESPACE = "exp1";
  private static final int TURNS = 200;

  @Test
  void shouldRunAnExperimentBesideTheRunningPipelineWithoutTouchingProduction(@TempDir Path work) throws Exception {
    // Given a small real teacher and the production pipeline, which has predicted 200 turns
    Path dataPath = SmallTeacherBundle.clinc150Path();
    Clinc150 data = Clinc150.read(dataPath);
    Path bundle = work.resolve("bundle");
    SmallTeacherBundle.fitAndSave(data, dataPath, 10, bundle);
    var production = settings(work, bundle, Map.of());
    List<DialogueTurn> turns = new ArrayList<>();
    new Clinc150Turns(data, new ReplayOptions(1, false, 0.5, 7, TURNS, 4), () -> 1L).forEach(turns::add);
    List<String> turnIds = turns.stream().map(DialogueTurn::getTurnId).toList();
    assertThat(turnIds).hasSize(TURNS).doesNotHaveDuplicates();

    try (EmbeddedPipeline pipeline = EmbeddedPipeline.start(production);
         Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrapServers()))) {
      try (TurnPublisher publisher = new TurnPublisher(pipeline.bootstrapServers(), pipeline.registry(), Topics.TURNS)) {
        publisher.publish(restamp(turns), RateLimiter.unlimited(), n -> { });
      }
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        pipeline.checkHealth();
        assertThat(pipeline.trainerStats().predictionsAcknowledged()).isEqualTo(TURNS);
      });
      awaitNoLag(pipeline.bootstrapServers(), MonitoredGroup.pipeline(""));
      Map<String, Map<TopicPartition, Long>> productionOffsets = new HashMap<>();
      for (String group : MonitoredGroup.PIPELINE_GROUP_IDS) {
        productionOffsets.put(group, offsets(admin, group));
        assertThat(productionOffsets.get(group)).as("offsets of %s", group).isNotEmpty();
      }

      // When those turns are replayed into an experiment namespace and the experiment's stages,
      // with another learning rate, run on it beside production on the same broker
      Map<String, String> replaySettings = Map.of(TopicReplayConfig.BOOTSTRAP_SERVERS, pipeline.bootstrapServers(),
          TopicReplayConfig.EXPERIMENT_NAMESPACE, NAMESPACE);
      TopicReplay.Report report = TopicReplay.run(TopicReplayConfig.of(replaySettings),
          new CatalogueNamespaceProvisioner(), range -> n -> { });
      assertThat(report.written()).isEqualTo(TURNS);
      LagSnapshot experimentLag;
      try (EmbeddedPipeline experiment = EmbeddedPipeline.startStages(pipeline.bootstrapServers(),
          pipeline.registryUrl(), NAMESPACE, settings(work, bundle, Map.of(TrainerConfig.LEARNING_RATE, "0.01")))) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
          experiment.checkHealth();
          pipeline.checkHealth();
          assertThat(experiment.trainerStats().predictionsAcknowledged()).isEqualTo(TURNS);
        });
        experimentLag = experiment.stopStages();
      }
      pipeline.checkHealth();

      // Then the experiment's topics hold exactly one soft label and one prediction per replayed turn
      TopicReader reader = new TopicReader(pipeline.bootstrapServers(), pipeline.registry());
      assertThat(reader.readAll(Topics.SOFT_LABELS.inNamespace(NAMESPACE))).extracting(SoftLabel::getTurnId)
          .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(turnIds);
      assertThat(reader.readAll(Topics.PREDICTIONS.inNamespace(NAMESPACE))).extracting(StudentPrediction::getTurnId)
          .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(turnIds);
      // and were consumed by the experiment's own groups, which caught up
      assertThat(experimentLag.groups()).extracting(GroupLag::group).containsExactly(
          NAMESPACE + "-" + MonitoredGroup.TEACHER_STREAM, NAMESPACE + "-" + MonitoredGroup.STUDENT_TRAINER,
          NAMESPACE + "-" + MonitoredGroup.EVALUATOR);
      assertThat(experimentLag.groups()).allSatisfy(g -> assertThat(g.totalLag()).as("lag of %s", g.group()).isZero());
      // and the production topics still hold exactly the original results: nothing leaked in
      assertThat(reader.readAll(Topics.TURNS)).extracting(DialogueTurn::getTurnId)
          .containsExactlyInAnyOrderElementsOf(turnIds);
      assertThat(reader.readAll(Topics.SOFT_LABELS)).extracting(SoftLabel::getTurnId)
          .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(turnIds);
      assertThat(reader.readAll(Topics.PREDICTIONS)).extracting(StudentPrediction::getTurnId)
          .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(turnIds);
      assertThat(pipeline.trainerStats().predictionsAcknowledged()).isEqualTo(TURNS);
      // and no production consumer group moved
      for (String group : MonitoredGroup.PIPELINE_GROUP_IDS) {
        assertThat(offsets(admin, group)).as("offsets of %s", group).isEqualTo(productionOffsets.get(group));
      }
    }
  }

  private static EmbeddedPipeline.Settings settings(Path work, Path bundle, Map<String, String> trainer) {
    Map<String, String> trainerSettings = new HashMap<>(trainer);
    trainerSettings.put(TrainerConfig.CHECKPOINT_EVERY_SAMPLES, "100");
    return new EmbeddedPipeline.Settings(work.resolve("pipeline"), bundle,
        Map.of(TeacherJobConfig.CHECKPOINT_INTERVAL_MS, "500"), trainerSettings,
        Map.of(EvaluatorConfig.PROMOTION_MIN_PAIRED, "50", EvaluatorConfig.PROMOTION_COOLDOWN_TURNS, "50"));
  }

  /** Waits until every group has committed up to the end of its input (Flink commits after checkpoints). */
  private static void awaitNoLag(String bootstrap, List<MonitoredGroup> groups) throws Exception {
    var settings = new ConsumerLagMonitor.Settings(bootstrap, groups, Duration.ofMillis(500), 2,
        Duration.ofMinutes(1), Duration.ofSeconds(10));
    try (ConsumerLagMonitor monitor = new ConsumerLagMonitor(settings)) {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
          assertThat(monitor.sampleNow().groups()).hasSize(groups.size()).allSatisfy(g -> {
            assertThat(g.totalLag()).as("lag of %s", g.group()).isZero();
            assertThat(g.status()).as("status of %s", g.group()).isEqualTo(ConsumerStatus.OK);
          }));
    }
  }

  /**
   * The group's committed positions (the metadata is left out: the production trainer keeps
   * writing its own checkpoint number there, and that is production's doing, not the experiment's).
   */
  private static Map<TopicPartition, Long> offsets(Admin admin, String group) throws Exception {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
        .forEach((partition, committed) -> offsets.put(partition, committed.offset()));
    return offsets;
  }

  /** Stamps the turns with the current time, as a live chat would. */
  private static List<DialogueTurn> restamp(List<DialogueTurn> turns) {
    Instant now = Instant.now();
    return turns.stream().map(t -> DialogueTurn.newBuilder(t).setEventTime(now).build()).toList();
  }
}
