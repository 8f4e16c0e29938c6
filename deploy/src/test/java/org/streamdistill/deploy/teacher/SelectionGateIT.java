package org.streamdistill.deploy.teacher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.demo.TopicReader;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentCheckpoint;
import org.streamdistill.schemas.metrics.PrometheusText;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.student.serving.OnnxStudent;
import org.streamdistill.teacher.job.TeacherJob;
import org.streamdistill.teacher.job.TeacherJobConfig;
import org.streamdistill.teacher.job.TurnScorers;
import org.streamdistill.teacher.model.MiniLmEncoder;
import org.streamdistill.teacher.selection.TurnDraw;

/**
 * The selection gate on the embedded platform: a real teacher job (small MiniLM bundle) with
 * policy {@code uncertainty}, a champion student trained in the test and announced on {@code
 * student.checkpoints} and {@code model.promotions} as the trainer would. Checked from the topics:
 * exactly the turns the champion is unsure of (plus the seeded audit) got one soft label each, with
 * the right reason and probability, every other turn was counted as skipped, and each skipped turn
 * with a gold label went on once as a gold-only record, in its conversation's order.
 */
class SelectionGateIT {

  private static final int TURNS = 400;
  private static final double AUDIT = 0.1;
  private static final long SEED = 17;

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
  void shouldSoftLabelExactlyTheTurnsTheGateSelectsOnceAndForwardTheSkippedGoldTurnsGoldOnly() throws Exception {
    // Given a champion student, exported to ONNX and announced as the trainer and evaluator would
    String namespace = platform.freshNamespace();
    Path export = dir.resolve("student-v3.onnx");
    TestChampion.trainAndExport(clinc, bundle, "student-v3", export);
    announceChampion(namespace, "student-v3", export);

    // and 400 CLINC150 test turns, with the champion's own confidence in each, measured here
    List<DialogueTurn> stream = stream();
    double[] confidence = topProbabilities(export, stream);
    double threshold = median(confidence);

    // When the teacher job runs with the uncertainty policy at the median confidence, an audit share of 0.1
    Map<String, Double> skippedBefore = skippedCounts();
    produce(namespace, stream);
    JobClient job = startJob(gatedSettings(namespace, threshold));
    TopicReader reader = platform.reader();
    List<SoftLabel> labels = new ArrayList<>();
    try {
      await("every turn soft-labelled or counted as skipped").atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500))
          .failFast("the teacher job ended while the test waited", () -> TeacherTestPlatform.assertStillRunning(job))
          .until(() -> {
            labels.clear();
            reader.forEach(Topics.SOFT_LABELS.inNamespace(namespace), labels::add);
            return scored(labels).size() + skipped(skippedBefore) >= TURNS
                && goldOnly(labels).size() >= skippedWithGold(skippedBefore);
          });
      // (a moment more, so that a duplicate committed by a later checkpoint would show)
      Thread.sleep(1_500);
      labels.clear();
      reader.forEach(Topics.SOFT_LABELS.inNamespace(namespace), labels::add);
    } finally {
      TeacherTestPlatform.cancel(job);
    }

    // Then the soft-labelled turns are exactly those under the threshold or drawn by the audit, each once
    TurnDraw draws = new TurnDraw(SEED);
    Map<String, String> expectedReason = new TreeMap<>();
    int near = 0;
    for (int i = 0; i < TURNS; i++) {
      String id = stream.get(i).getTurnId();
      if (Math.abs(confidence[i] - threshold) < 1e-4) {
        near++; // float noise between two ONNX Runtime batches may tip it either way: not judged
        continue;
      }
      if (confidence[i] < threshold) {
        expectedReason.put(id, "uncertain");
      } else if (draws.draw(id, TurnDraw.Purpose.AUDIT) < AUDIT) {
        expectedReason.put(id, "audit");
      }
    }
    assertThat(labels).extracting(SoftLabel::getTurnId).doesNotHaveDuplicates();
    Map<String, String> actualReason = new TreeMap<>();
    Map<String, Double> probability = new HashMap<>();
    for (SoftLabel l : scored(labels)) {
      actualReason.put(l.getTurnId(), l.getSelectionReason());
      probability.put(l.getSelectionReason(), l.getSelectionProbability());
    }
    Set<String> judged = new java.util.HashSet<>();
    stream.forEach(t -> judged.add(t.getTurnId()));
    for (int i = 0; i < TURNS; i++) {
      if (Math.abs(confidence[i] - threshold) < 1e-4) {
        judged.remove(stream.get(i).getTurnId());
      }
    }
    actualReason.keySet().retainAll(judged);
    assertThat(near).isLessThan(TURNS / 20);
    assertThat(actualReason).isEqualTo(expectedReason);
    assertThat(probability).containsEntry("uncertain", 1.0).containsEntry("audit", AUDIT);
    // And every other turn was counted as skipped (confident), none lost, none counted twice
    List<SoftLabel> scored = scored(labels);
    assertThat(scored.size() + skipped(skippedBefore)).isEqualTo(TURNS);
    assertThat(scored.size()).isBetween(TURNS / 2, TURNS * 2 / 3);
    // And each skipped turn with a gold label went on once, gold-only: no teacher verdict, the
    // teacher tokenizer's ids, its gold label, the skip reason
    Set<String> scoredIds = new java.util.HashSet<>();
    scored.forEach(l -> scoredIds.add(l.getTurnId()));
    Map<String, DialogueTurn> byId = new HashMap<>();
    stream.forEach(t -> byId.put(t.getTurnId(), t));
    List<String> expectedGoldOnly = new ArrayList<>();
    for (DialogueTurn t : stream) {
      if (t.getGoldLabel() != null && !scoredIds.contains(t.getTurnId())) {
        expectedGoldOnly.add(t.getTurnId());
      }
    }
    List<SoftLabel> goldOnly = goldOnly(labels);
    assertThat(goldOnly).extracting(SoftLabel::getTurnId).containsExactlyInAnyOrderElementsOf(expectedGoldOnly);
    assertThat((double) goldOnly.size()).isEqualTo(skippedWithGold(skippedBefore)).isPositive();
    try (MiniLmEncoder encoder = new MiniLmEncoder(1)) {
      for (SoftLabel l : goldOnly) {
        DialogueTurn turn = byId.get(l.getTurnId());
        assertThat(l.getLogits()).isEmpty();
        assertThat(List.of(l.getTeacherIndex(), l.getLabelCount())).containsExactly(-1, 151);
        assertThat(List.of(l.getGoldLabel(), l.getSelectionReason(), l.getTeacherVersion()))
            .containsExactly(turn.getGoldLabel(), "confident", scored.get(0).getTeacherVersion());
        assertThat(l.getTokenIds()).containsExactlyElementsOf(
            java.util.Arrays.stream(encoder.tokenize(turn.getText()).ids()).boxed().toList());
      }
    }
    // And a conversation's turns, scored or gold-only, are in order on the topic
    Map<String, List<Integer>> order = new HashMap<>();
    labels.forEach(l -> order.computeIfAbsent(l.getConversationId(), c -> new ArrayList<>()).add(l.getTurnIndex()));
    order.values().forEach(indices -> assertThat(indices).isSorted());
  }

  @Test
  void shouldScoreEveryTurnTheGateSkipsWithTheFallbackTeacherAndEveryOtherWithTheTeacher() throws Exception {
    // Given a champion student, a fallback teacher fitted apart (fewer examples: another head), and
    // the 400 turns with the champion's confidence in each
    String namespace = platform.freshNamespace();
    Path export = dir.resolve("student-v4.onnx");
    TestChampion.trainAndExport(clinc, bundle, "student-v4", export);
    announceChampion(namespace, "student-v4", export);
    Path fallbackBundle = dir.resolve("fallback");
    String fallbackVersion = SmallTeacherBundle.fitAndSave(clinc, SmallTeacherBundle.clinc150Path(), 3,
        fallbackBundle).teacherVersion();
    List<DialogueTurn> stream = stream();
    double[] confidence = topProbabilities(export, stream);
    double threshold = median(confidence);

    // When the teacher job runs with the uncertainty policy and the fallback teacher
    double fallbackBefore = fallbackCount();
    produce(namespace, stream);
    Map<String, String> settings = gatedSettings(namespace, threshold);
    settings.put(TeacherJobConfig.FALLBACK_BUNDLE, fallbackBundle.toString());
    JobClient job = startJob(settings);
    TopicReader reader = platform.reader();
    List<SoftLabel> labels = new ArrayList<>();
    try {
      await("a soft label for every turn").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
          .failFast("the teacher job ended while the test waited", () -> TeacherTestPlatform.assertStillRunning(job))
          .until(() -> {
            labels.clear();
            reader.forEach(Topics.SOFT_LABELS.inNamespace(namespace), labels::add);
            return labels.size() >= TURNS;
          });
      Thread.sleep(1_500);
      labels.clear();
      reader.forEach(Topics.SOFT_LABELS.inNamespace(namespace), labels::add);
    } finally {
      TeacherTestPlatform.cancel(job);
    }

    // Then every turn has exactly one soft label, with logits: none went on gold-only
    assertThat(labels).extracting(SoftLabel::getTurnId).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(stream.stream().map(DialogueTurn::getTurnId).toList());
    assertThat(labels).allSatisfy(l -> assertThat(l.getTeacherScored()).isTrue());
    // And the fallback scored exactly the turns the champion was sure of and the audit did not draw
    TurnDraw draws = new TurnDraw(SEED);
    Map<String, SoftLabel> byId = new HashMap<>();
    labels.forEach(l -> byId.put(l.getTurnId(), l));
    List<SoftLabel> fallbackLabels = new ArrayList<>();
    for (int i = 0; i < TURNS; i++) {
      String id = stream.get(i).getTurnId();
      SoftLabel label = byId.get(id);
      if (label.getFallbackScored()) {
        fallbackLabels.add(label);
      }
      if (Math.abs(confidence[i] - threshold) < 1e-4) {
        continue; // float noise between two ONNX Runtime batches may tip it either way: not judged
      }
      boolean toTeacher = confidence[i] < threshold || draws.draw(id, TurnDraw.Purpose.AUDIT) < AUDIT;
      assertThat(label.getFallbackScored()).as("turn %s scored by the fallback", id).isEqualTo(!toTeacher);
    }
    assertThat(fallbackLabels.size()).isBetween(TURNS / 3, TURNS / 2);
    // And each fallback label carries the fallback's version and verdict, the teacher tokenizer's ids,
    // the skip reason and probability 1, and the turn's gold label
    Map<String, DialogueTurn> turns = new HashMap<>();
    stream.forEach(t -> turns.put(t.getTurnId(), t));
    List<String> texts = fallbackLabels.stream().map(l -> turns.get(l.getTurnId()).getText()).toList();
    List<org.streamdistill.teacher.model.TeacherScore> expected;
    try (var fallback = org.streamdistill.teacher.model.BundledTeacher.open(fallbackBundle, 1)) {
      expected = fallback.score(texts);
    }
    try (MiniLmEncoder encoder = new MiniLmEncoder(1)) {
      for (int i = 0; i < fallbackLabels.size(); i++) {
        SoftLabel l = fallbackLabels.get(i);
        DialogueTurn turn = turns.get(l.getTurnId());
        assertThat(List.of(l.getTeacherVersion(), l.getSelectionReason())).containsExactly(fallbackVersion,
            "confident");
        assertThat(l.getSelectionProbability()).isEqualTo(1.0);
        assertThat(l.getGoldLabel()).isEqualTo(turn.getGoldLabel());
        float[] logits = expected.get(i).logits();
        assertThat(l.getLogits()).hasSize(151);
        for (int c = 0; c < logits.length; c++) {
          assertThat(l.getLogits().get(c)).isCloseTo(logits[c], org.assertj.core.data.Offset.offset(1e-3f));
        }
        assertThat(l.getTokenIds()).containsExactlyElementsOf(
            java.util.Arrays.stream(encoder.tokenize(turn.getText()).ids()).boxed().toList());
      }
    }
    assertThat(labels.stream().filter(l -> !l.getFallbackScored()).map(SoftLabel::getTeacherVersion).distinct())
        .hasSize(1).doesNotContain(fallbackVersion);
    // And the job counted them, and kept each conversation's turns in order
    assertThat(fallbackCount() - fallbackBefore).isEqualTo(fallbackLabels.size());
    Map<String, List<Integer>> order = new HashMap<>();
    labels.forEach(l -> order.computeIfAbsent(l.getConversationId(), c -> new ArrayList<>()).add(l.getTurnIndex()));
    order.values().forEach(indices -> assertThat(indices).isSorted());
  }

  /** 400 CLINC150 test turns across 100 conversations of 4, every fifth with its gold label. */
  private static List<DialogueTurn> stream() {
    List<Clinc150.Example> test = clinc.testWithOos();
    List<DialogueTurn> stream = new ArrayList<>();
    for (int i = 0; i < TURNS; i++) {
      Clinc150.Example example = test.get(i * (test.size() / TURNS));
      stream.add(TeacherTestPlatform.turn("turn-" + i, "conv-" + i / 4, i % 4, example.text(),
          i % 5 == 0 ? example.label() : null));
    }
    return stream;
  }

  private static void produce(String namespace, List<DialogueTurn> stream) {
    AvroWireCodec<DialogueTurn> codec = platform.turnCodec(namespace);
    try (KafkaProducer<byte[], byte[]> producer = platform.producer()) {
      for (DialogueTurn t : stream) {
        producer.send(new ProducerRecord<>(platform.turns(namespace).name(), t.getConversationId().getBytes(UTF_8),
            codec.encode(t)));
      }
    }
  }

  /** The job's settings: the small bundle behind the uncertainty policy at {@code threshold}, the test's audit. */
  private static Map<String, String> gatedSettings(String namespace, double threshold) {
    Map<String, String> settings = platform.jobSettings(namespace);
    settings.put(TeacherJobConfig.BUNDLE, bundle.toString());
    settings.put(TeacherJobConfig.SELECTION_POLICY, "uncertainty");
    settings.put(TeacherJobConfig.SELECTION_THRESHOLD, Double.toString(threshold));
    settings.put(TeacherJobConfig.SELECTION_AUDIT_SHARE, Double.toString(AUDIT));
    settings.put(TeacherJobConfig.SELECTION_SEED, Long.toString(SEED));
    return settings;
  }

  private static JobClient startJob(Map<String, String> settings) throws Exception {
    TeacherJobConfig config = TeacherJobConfig.of(settings);
    TeacherJob teacherJob = new TeacherJob(config, TurnScorers.fromConfig(config));
    Configuration flink = new Configuration();
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, flink);
    teacherJob.build(env, teacherJob.kafkaSource(), teacherJob.kafkaSink());
    return env.executeAsync(TeacherJob.NAME + "-" + config.namespace());
  }

  private static double fallbackCount() {
    List<PrometheusText.Sample> samples = PrometheusText.parse(ExpositionFormats.init().getPrometheusTextFormatWriter()
        .toDebugString(PrometheusRegistry.defaultRegistry.scrape()));
    double total = 0;
    for (String gold : List.of("false", "true")) {
      double v = PrometheusText.value(samples, "streamdistill_teacher_fallback_turns_total", Map.of("gold", gold));
      total += Double.isNaN(v) ? 0 : v;
    }
    return total;
  }

  private static List<SoftLabel> scored(List<SoftLabel> labels) {
    return labels.stream().filter(SoftLabel::getTeacherScored).toList();
  }

  private static List<SoftLabel> goldOnly(List<SoftLabel> labels) {
    return labels.stream().filter(l -> !l.getTeacherScored()).toList();
  }

  /** Turns counted as skipped with a gold label since {@code before}. */
  private static double skippedWithGold(Map<String, Double> before) {
    double total = 0;
    for (Map.Entry<String, Double> e : skippedCounts().entrySet()) {
      if (e.getKey().endsWith(",true")) {
        total += e.getValue() - before.getOrDefault(e.getKey(), 0.0);
      }
    }
    return total;
  }

  /** The champion's top probability for each turn, computed apart from the job (student-trainer's serving code). */
  private static double[] topProbabilities(Path export, List<DialogueTurn> turns) throws Exception {
    double[] top = new double[turns.size()];
    try (MiniLmEncoder encoder = new MiniLmEncoder(1); OnnxStudent student = OnnxStudent.open(export, 1)) {
      for (int i = 0; i < turns.size(); i++) {
        float[] p = student.probabilities(encoder.tokenize(turns.get(i).getText()).ids());
        double best = 0;
        for (float v : p) {
          best = Math.max(best, v);
        }
        top[i] = best;
      }
    }
    return top;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    // halfway between two neighbours, so no turn sits on the threshold
    return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  }

  private static void announceChampion(String namespace, String version, Path export) throws Exception {
    RestSchemaRegistryClient registry = new RestSchemaRegistryClient(platform.registryUrl());
    var checkpoints = Topics.CHECKPOINTS.inNamespace(namespace);
    var promotions = Topics.PROMOTIONS.inNamespace(namespace);
    StudentCheckpoint checkpoint = StudentCheckpoint.newBuilder().setModelName("student").setModelVersion(version)
        .setSamplesSeen(3_000).setOffsets(Map.of()).setWeightsUri(export.resolveSibling(version + ".ckpt").toUri()
            .toString()).setOnnxUri(export.toUri().toString()).setLabelSetId("clinc150")
        .setCreatedAt(Instant.now()).build();
    PromotionEvent promotion = PromotionEvent.newBuilder().setModelName("student").setDecision("PROMOTE")
        .setFromVersion(null).setToVersion(version).setDecidedAt(Instant.now()).setPairedTurns(200)
        .setChallengerOnlyCorrect(50).setChampionOnlyCorrect(0).setChampionScore(0).setChallengerScore(0.25)
        .setMetric("teacher").setReason("test").build();
    try (KafkaProducer<byte[], byte[]> producer = platform.producer()) {
      producer.send(new ProducerRecord<>(checkpoints.name(), "student".getBytes(UTF_8),
          new AvroWireCodec<>(registry, checkpoints.valueSubject(), StudentCheckpoint.class).encode(checkpoint))).get();
      producer.send(new ProducerRecord<>(promotions.name(), "student".getBytes(UTF_8),
          new AvroWireCodec<>(registry, promotions.valueSubject(), PromotionEvent.class).encode(promotion))).get();
    }
  }

  /** Turns counted as skipped since {@code before}, over every reason. */
  private static double skipped(Map<String, Double> before) {
    double total = 0;
    for (Map.Entry<String, Double> e : skippedCounts().entrySet()) {
      total += e.getValue() - before.getOrDefault(e.getKey(), 0.0);
    }
    return total;
  }

  private static Map<String, Double> skippedCounts() {
    List<PrometheusText.Sample> samples = PrometheusText.parse(ExpositionFormats.init().getPrometheusTextFormatWriter()
        .toDebugString(PrometheusRegistry.defaultRegistry.scrape()));
    Map<String, Double> counts = new HashMap<>();
    for (String reason : List.of("not-drawn", "confident", "over-budget")) {
      for (String gold : List.of("true", "false")) {
        double v = PrometheusText.value(samples, "streamdistill_teacher_skipped_turns_total",
            Map.of("reason", reason, "gold", gold));
        counts.put(reason + "," + gold, Double.isNaN(v) ? 0 : v);
      }
    }
    return counts;
  }
}
