package org.streamdistill.deploy.teacher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.schemas.wire.DeadLetters;
import org.streamdistill.student.training.StudentTrainer;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.job.TeacherJob;
import org.streamdistill.teacher.job.TeacherJobConfig;
import org.streamdistill.teacher.job.TurnScorers;
import org.streamdistill.teacher.model.SoftLabels;
import org.streamdistill.teacher.model.Teacher;
import org.streamdistill.teacher.model.TeacherBundle;
import org.streamdistill.teacher.model.TeacherScore;

/**
 * Soft labels compacted to the top-k logits ({@code teacher.soft-labels.top-k=10}) on real
 * CLINC150 turns and a real MiniLM teacher: what the job publishes, what it saves on the wire
 * against full logits, and that the student trainer refuses compacted labels with a reason.
 */
class SoftLabelTopKIT {

  private static final Logger LOG = LoggerFactory.getLogger(SoftLabelTopKIT.class);
  private static final int TURNS = 1_000;
  private static final int K = 10;

  @TempDir
  static Path dir;

  private static TeacherTestPlatform platform;
  private static Clinc150 clinc;
  private static Path bundle;

  @BeforeAll
  static void startPlatformAndFitTeacher() throws Exception {
    platform = TeacherTestPlatform.start();
    Path data = SmallTeacherBundle.clinc150Path();
    clinc = Clinc150.read(data);
    bundle = dir.resolve("teacher");
    SmallTeacherBundle.fitAndSave(clinc, data, 5, bundle);
  }

  @AfterAll
  static void stopPlatform() {
    if (platform != null) {
      platform.close();
    }
  }

  @Test
  void shouldPublishTheTopKLogitsWithTheRemainingMassAndTheStudentShouldRefuseThem() throws Exception {
    // Given 1,000 CLINC150 test turns (in scope and out of scope), every 10th with its gold label
    String namespace = platform.freshNamespace();
    Topic<DialogueTurn> turns = platform.turns(namespace);
    Topic<SoftLabel> softLabels = Topics.SOFT_LABELS.inNamespace(namespace);
    List<Clinc150.Example> test = clinc.testWithOos();
    List<DialogueTurn> stream = new ArrayList<>(TURNS);
    for (int i = 0; i < TURNS; i++) {
      Clinc150.Example example = test.get(i * (test.size() / TURNS));
      stream.add(TeacherTestPlatform.turn("turn-" + i, "conv-" + i / 5, i % 5, example.text(),
          i % 10 == 0 ? example.label() : null));
    }
    AvroWireCodec<DialogueTurn> codec = platform.turnCodec(namespace);
    try (KafkaProducer<byte[], byte[]> producer = platform.producer()) {
      for (DialogueTurn t : stream) {
        producer.send(new ProducerRecord<>(turns.name(), t.getConversationId().getBytes(UTF_8), codec.encode(t)));
      }
    }

    // When the teacher job runs with teacher.soft-labels.top-k=10
    Map<String, String> settings = platform.jobSettings(namespace);
    settings.put(TeacherJobConfig.BUNDLE, bundle.toString());
    settings.put(TeacherJobConfig.SOFT_LABELS_TOP_K, Integer.toString(K));
    TeacherJobConfig config = TeacherJobConfig.of(settings);
    TeacherJob teacherJob = new TeacherJob(config, TurnScorers.fromConfig(config));
    Configuration flink = new Configuration();
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, flink);
    teacherJob.build(env, teacherJob.kafkaSource(), teacherJob.kafkaSink());
    JobClient job = env.executeAsync(TeacherJob.NAME + "-" + namespace);
    TopicReader reader = platform.reader();
    List<ConsumerRecord<byte[], byte[]>> raw = new ArrayList<>();
    try {
      await("1,000 committed soft labels").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
          .failFast("the teacher job ended while the test waited for its output",
              () -> TeacherTestPlatform.assertStillRunning(job))
          .until(() -> {
            raw.clear();
            reader.forEachRaw(softLabels.name(), raw::add);
            return raw.size() >= TURNS;
          });
    } finally {
      TeacherTestPlatform.cancel(job);
    }

    // Then each turn has one soft label with its 10 largest logits, by decreasing logit, and the mass of the rest
    AvroWireCodec<SoftLabel> softLabelCodec = new AvroWireCodec<>(new RestSchemaRegistryClient(platform.registryUrl()),
        softLabels.valueSubject(), SoftLabel.class);
    List<SoftLabel> published = raw.stream().map(r -> softLabelCodec.decode(r.value())).toList();
    assertThat(published).extracting(SoftLabel::getTurnId).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(stream.stream().map(DialogueTurn::getTurnId).toList());
    Map<String, TeacherScore> expected = scoreInTest(stream);
    List<String> labelNames = TeacherBundle.load(bundle).labels();
    for (SoftLabel label : published) {
      float[] full = expected.get(label.getTurnId()).logits();
      List<Integer> indices = label.getTopKIndices();
      List<Float> logits = label.getLogits();
      assertThat(indices).as("top-k indices of %s", label.getTurnId()).hasSize(K).doesNotHaveDuplicates();
      assertThat(logits).as("logits of %s", label.getTurnId()).hasSize(K).isSortedAccordingTo((a, b) -> Float.compare(b, a));
      assertThat(indices.get(0)).isEqualTo(label.getTeacherIndex());
      assertThat(label.getTeacherLabel()).isEqualTo(labelNames.get(label.getTeacherIndex()));
      Set<Integer> listed = new HashSet<>(indices);
      for (int i = 0; i < K; i++) {
        assertThat(logits.get(i)).as("logit of label %d of %s", indices.get(i), label.getTurnId())
            .isCloseTo(full[indices.get(i)], within(1e-3f));
      }
      // (no unlisted label beats a listed one, beyond the float noise of different batch compositions)
      float smallestListed = logits.get(K - 1);
      for (int c = 0; c < full.length; c++) {
        if (!listed.contains(c)) {
          assertThat(full[c]).as("unlisted label %d of %s", c, label.getTurnId()).isLessThan(smallestListed + 1e-3f);
        }
      }
      float[] p = SoftLabels.softmax(full, label.getTemperature());
      double rest = 0;
      for (int c = 0; c < p.length; c++) {
        rest += listed.contains(c) ? 0 : p[c];
      }
      assertThat((double) label.getRemainingMass()).as("remaining mass of %s", label.getTurnId())
          .isCloseTo(rest, within(1e-4));
    }

    // And on the wire the compacted records are much smaller than the same soft labels with all 151 logits
    long compactBytes = raw.stream().mapToLong(r -> r.value().length).sum();
    long fullBytes = 0;
    for (SoftLabel label : published) {
      List<Float> all = new ArrayList<>();
      for (float f : expected.get(label.getTurnId()).logits()) {
        all.add(f);
      }
      SoftLabel uncompacted = SoftLabel.newBuilder(label).setLogits(all).setTopKIndices(null).setRemainingMass(null)
          .build();
      fullBytes += softLabelCodec.encode(uncompacted).length;
    }
    LOG.info("soft-label value bytes per record on {} CLINC150 turns (Confluent wire format, 5-byte header "
            + "included): all {} logits {}, top-{} {} ({}x smaller)", TURNS, labelNames.size(),
        String.format("%.1f", fullBytes / (double) TURNS), K, String.format("%.1f", compactBytes / (double) TURNS),
        String.format("%.2f", fullBytes / (double) compactBytes));
    assertThat(compactBytes).isLessThan(fullBytes / 2);

    // And the student trainer dead-letters every compacted soft label, saying why, and learns from none
    Map<String, String> trainerSettings = new HashMap<>();
    trainerSettings.put(TrainerConfig.BOOTSTRAP_SERVERS, platform.bootstrapServers());
    trainerSettings.put(TrainerConfig.REGISTRY_URL, platform.registryUrl());
    trainerSettings.put(TrainerConfig.NAMESPACE, namespace);
    trainerSettings.put(TrainerConfig.GROUP_ID, namespace + "-trainer");
    trainerSettings.put(TrainerConfig.CHECKPOINT_DIR, dir.resolve("student-checkpoints").toString());

    // (By default a topic that is dead letters as a whole stops the trainer with the reason, and
    // its open transaction, dead letters included, is aborted: nothing drains into the .dlq twin.)
    ExecutorService first = Executors.newSingleThreadExecutor();
    try (StudentTrainer trainer = StudentTrainer.create(TrainerConfig.of(trainerSettings),
        new RestSchemaRegistryClient(platform.registryUrl()))) {
      Future<?> run = first.submit(trainer);
      assertThatThrownBy(() -> run.get(1, TimeUnit.MINUTES)).hasCauseInstanceOf(
              org.streamdistill.schemas.wire.DeadLetterBudget.DeadLetterRateExceededException.class)
          .hasMessageContaining("records of " + softLabels.name() + " were dead letters")
          .hasMessageContaining("is compacted to its top 10 logits");
    } finally {
      first.shutdownNow();
    }
    assertThat(reader.forEachRaw(softLabels.deadLetterTopic(), r -> {})).isZero();

    // (and with the check turned off it dead-letters each of them, as a careful stage should.)
    trainerSettings.put(TrainerConfig.DEAD_LETTER_MAX_FRACTION, "1");
    trainerSettings.put(TrainerConfig.GROUP_ID, namespace + "-trainer-all");
    trainerSettings.put(TrainerConfig.CHECKPOINT_DIR, dir.resolve("student-checkpoints-all").toString());
    List<ConsumerRecord<byte[], byte[]>> refused = new ArrayList<>();
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (StudentTrainer trainer = StudentTrainer.create(TrainerConfig.of(trainerSettings),
        new RestSchemaRegistryClient(platform.registryUrl()))) {
      Future<?> run = thread.submit(trainer);
      try {
        await("the trainer's dead letters").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
            .failFast("the trainer stopped", () -> assertThat(run.isDone()).isFalse())
            .until(() -> {
              refused.clear();
              reader.forEachRaw(softLabels.deadLetterTopic(), refused::add);
              return refused.size() >= TURNS;
            });
        assertThat(trainer.stats().turnsLearned()).isZero();
      } finally {
        trainer.stop();
        run.get(30, TimeUnit.SECONDS);
      }
    } finally {
      thread.shutdownNow();
    }
    assertThat(refused).hasSize(TURNS);
    assertThat(refused).allSatisfy(r -> {
      assertThat(DeadLetters.header(r.headers(), DeadLetters.HEADER_STAGE)).isEqualTo("student-trainer");
      assertThat(DeadLetters.header(r.headers(), DeadLetters.HEADER_MESSAGE))
          .contains("is compacted to its top 10 logits")
          .contains("run the teacher with teacher.soft-labels.top-k=0");
    });
    assertThat(reader.forEachRaw(Topics.PREDICTIONS.inNamespace(namespace).name(), r -> {})).isZero();
  }

  /** The teacher's full logits for each turn, scored in the test. */
  private static Map<String, TeacherScore> scoreInTest(List<DialogueTurn> stream) throws Exception {
    Map<String, TeacherScore> scores = new HashMap<>();
    try (Teacher teacher = Teacher.open(bundle, Runtime.getRuntime().availableProcessors())) {
      for (int start = 0; start < stream.size(); start += 32) {
        List<DialogueTurn> batch = stream.subList(start, Math.min(stream.size(), start + 32));
        List<TeacherScore> batchScores = teacher.score(batch.stream().map(DialogueTurn::getText).toList());
        for (int i = 0; i < batch.size(); i++) {
          scores.put(batch.get(i).getTurnId(), batchScores.get(i));
        }
      }
    }
    return scores;
  }
}
