package org.streamdistill.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.teacher.SmallTeacherBundle;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.evaluator.lag.ConsumerStatus;
import org.streamdistill.evaluator.lag.GroupLag;
import org.streamdistill.evaluator.lag.LagSnapshot;
import org.streamdistill.evaluator.lag.MonitoredGroup;
import org.streamdistill.producers.publish.RateLimiter;
import org.streamdistill.producers.publish.TurnPublisher;
import org.streamdistill.producers.replay.Clinc150Turns;
import org.streamdistill.producers.replay.ReplayOptions;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.DeadLetters;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.job.TeacherJobConfig;
import org.streamdistill.teacher.job.TeacherMetrics;

/**
 * The whole pipeline on the embedded platform, with the same assembly the demo uses: every
 * turn produced must come out as exactly one soft label and exactly one student prediction.
 */
class PipelineIT {

  @Test
  void shouldTurnEveryProducedTurnIntoExactlyOneSoftLabelAndOnePrediction(@TempDir Path work) throws Exception {
    // Given a small real teacher and the pipeline, with short checkpoints and a quick promotion rule
    Path dataPath = SmallTeacherBundle.clinc150Path();
    Clinc150 data = Clinc150.read(dataPath);
    Path bundle = work.resolve("bundle");
    SmallTeacherBundle.fitAndSave(data, dataPath, 10, bundle);
    var settings = new EmbeddedPipeline.Settings(work.resolve("pipeline"), bundle,
        Map.of(TeacherJobConfig.CHECKPOINT_INTERVAL_MS, "500"),
        Map.of(TrainerConfig.CHECKPOINT_EVERY_SAMPLES, "100"),
        Map.of(EvaluatorConfig.PROMOTION_MIN_PAIRED, "50", EvaluatorConfig.PROMOTION_COOLDOWN_TURNS, "50"));
    List<DialogueTurn> training = take(new Clinc150Turns(data, new ReplayOptions(1, false, 0.5, 7, 300, 4), () -> 1L));
    List<DialogueTurn> heldOut = take(new Clinc150Turns(data, new ReplayOptions(0, true, 0.0, 7, 100, 4), () -> 1L));

    long scorersOpenBefore = TeacherMetrics.in(PrometheusRegistry.defaultRegistry).scorersOpen();
    try (EmbeddedPipeline pipeline = EmbeddedPipeline.start(settings)) {
      // (the teacher job opens in the background; its subtask counts itself open once it takes turns)
      pipeline.awaitTeacherOpen(Duration.ofMinutes(2));
      assertThat(pipeline.teacherSubtasks()).isPositive();
      assertThat(TeacherMetrics.in(PrometheusRegistry.defaultRegistry).scorersOpen())
          .isEqualTo(scorersOpenBefore + pipeline.teacherSubtasks());
      // When 300 training turns and one undecodable record are produced, and, once the evaluator
      // has promoted a first champion and the trainer follows it, 100 held-out turns
      try (TurnPublisher publisher = new TurnPublisher(pipeline.bootstrapServers(), pipeline.registry(), Topics.TURNS)) {
        publisher.publish(restamp(training), RateLimiter.unlimited(), n -> { });
        producePoison(pipeline.bootstrapServers());
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
          pipeline.checkHealth();
          assertThat(pipeline.trainerStats().predictionsAcknowledged()).isEqualTo(300);
          assertThat(pipeline.trainerStats().championVersion()).isNotNull();
        });
        publisher.publish(restamp(heldOut), RateLimiter.unlimited(), n -> { });
      }
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        pipeline.checkHealth();
        assertThat(pipeline.trainerStats().predictionsAcknowledged()).isEqualTo(400);
      });
      LagSnapshot lag = pipeline.stopStages();
      assertThat(TeacherMetrics.in(PrometheusRegistry.defaultRegistry).scorersOpen())
          .as("the stopped teacher job's subtask no longer counts as open").isEqualTo(scorersOpenBefore);

      // Then each turn has exactly one soft label and one prediction, read as committed
      TopicReader reader = new TopicReader(pipeline.bootstrapServers(), pipeline.registry());
      Set<String> expectedIds = new HashSet<>();
      training.forEach(t -> expectedIds.add(t.getTurnId()));
      heldOut.forEach(t -> expectedIds.add(t.getTurnId()));
      assertThat(expectedIds).hasSize(400);

      List<SoftLabel> softLabels = reader.readAll(Topics.SOFT_LABELS);
      assertThat(softLabels).extracting(SoftLabel::getTurnId).doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(expectedIds);

      List<StudentPrediction> predictions = reader.readAll(Topics.PREDICTIONS);
      assertThat(predictions).extracting(StudentPrediction::getTurnId).doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(expectedIds);
      // held-out turns are predicted but never learned from; training turns are learned
      assertThat(predictions).allSatisfy(p -> assertThat(p.getLearned()).isEqualTo(!p.getHeldOut()));
      assertThat(predictions.stream().filter(StudentPrediction::getHeldOut).count()).isEqualTo(100);
      assertThat(pipeline.trainerStats().turnsLearned()).isEqualTo(300);

      // the evaluator promoted a first champion, which the trainer then predicted with
      List<PromotionEvent> promotions = reader.readAll(Topics.PROMOTIONS);
      assertThat(promotions).filteredOn(e -> e.getDecision().equals("PROMOTE")).isNotEmpty()
          .first().satisfies(e -> assertThat(e.getFromVersion()).isNull());
      assertThat(predictions).anySatisfy(p -> assertThat(p.getPredictions()).extracting(m -> m.getRole())
          .containsExactly("challenger", "champion"));

      // every consumer group has caught up: the exactly-once groups show no residual lag of 1
      assertThat(lag.groups()).extracting(GroupLag::group)
          .containsExactly(MonitoredGroup.TEACHER_STREAM, MonitoredGroup.STUDENT_TRAINER, MonitoredGroup.EVALUATOR);
      assertThat(lag.groups()).allSatisfy(g -> {
        assertThat(g.totalLag()).as("lag of %s", g.group()).isZero();
        assertThat(g.status()).as("status of %s", g.group()).isEqualTo(ConsumerStatus.OK);
      });

      // and the undecodable record went to the dead-letter topic with its reason
      List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
      reader.forEachRaw(Topics.TURNS.deadLetterTopic(), dead::add);
      assertThat(dead).singleElement().satisfies(r -> {
        assertThat(r.value()).isEqualTo(POISON);
        assertThat(DeadLetters.header(r.headers(), DeadLetters.HEADER_MESSAGE)).contains("magic byte 0x2a");
        assertThat(DeadLetters.header(r.headers(), DeadLetters.HEADER_SOURCE_TOPIC)).isEqualTo(Topics.TURNS.name());
      });
    }
  }

  private static final byte[] POISON = "*not avro*".getBytes(StandardCharsets.UTF_8);

  private static void producePoison(String bootstrap) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(Topics.TURNS.name(), "poison".getBytes(StandardCharsets.UTF_8), POISON)).get();
    }
  }

  private static List<DialogueTurn> take(Iterable<DialogueTurn> turns) {
    List<DialogueTurn> list = new ArrayList<>();
    turns.forEach(list::add);
    return list;
  }

  /** Stamps the turns with the current time, as a live chat would. */
  private static List<DialogueTurn> restamp(List<DialogueTurn> turns) {
    long now = System.currentTimeMillis();
    List<DialogueTurn> out = new ArrayList<>();
    for (DialogueTurn t : turns) {
      out.add(DialogueTurn.newBuilder(t).setEventTime(java.time.Instant.ofEpochMilli(now)).build());
    }
    return out;
  }
}
