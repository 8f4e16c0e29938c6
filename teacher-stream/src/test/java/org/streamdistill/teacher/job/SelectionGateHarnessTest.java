package org.streamdistill.teacher.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.schemas.metrics.PrometheusText;
import org.streamdistill.schemas.registry.InMemorySchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.teacher.selection.ChampionSource;
import org.streamdistill.teacher.selection.ChampionStudent;
import org.streamdistill.teacher.selection.SelectionGate;
import org.streamdistill.teacher.selection.SelectionSettings;
import org.streamdistill.teacher.selection.UncertaintyMeasure;

/**
 * The scoring operator with a selection gate, in Flink's one-input test harness: a scripted
 * champion (sure of texts that start with "sure", unsure of "unsure", in between for "maybe")
 * and a scripted teacher. What the teacher sees, what the soft labels say about their selection,
 * and how the skipped turns are counted.
 */
class SelectionGateHarnessTest {

  private static final Map<String, InMemorySchemaRegistryClient> REGISTRIES = new ConcurrentHashMap<>();
  private static final Map<String, TeacherScoringOperatorHarnessTest.ScriptedScorer> SCORERS =
      new ConcurrentHashMap<>();
  private static final Map<String, ChampionStudent> CHAMPIONS = new ConcurrentHashMap<>();
  private static final Map<String, TurnScorer> FALLBACKS = new ConcurrentHashMap<>();
  private static final long RECEIVED = Instant.parse("2026-12-03T12:00:00Z").toEpochMilli();

  private final String id = "gate-" + System.nanoTime();
  private final TeacherScoringOperatorHarnessTest.ScriptedScorer scorer =
      new TeacherScoringOperatorHarnessTest.ScriptedScorer();
  private InMemorySchemaRegistryClient registry;
  private AvroWireCodec<DialogueTurn> turnCodec;
  private AvroWireCodec<SoftLabel> labelCodec;
  private OneInputStreamOperatorTestHarness<KafkaRecordBytes, OutgoingRecord> harness;
  private long nextOffset;

  private void open(SelectionSettings settings, ChampionStudent champion) throws Exception {
    open(settings, champion, null, 0);
  }

  /** With {@code fallback} scoring the skipped turns, at most {@code fallbackPerSecond} a second (0: no limit). */
  private void open(SelectionSettings settings, ChampionStudent champion, TurnScorer fallback,
                    double fallbackPerSecond) throws Exception {
    open(settings, champion, fallback, fallbackPerSecond, 1);
  }

  /** As subtask 0 of a job of {@code subtasks} scoring subtasks. */
  private void open(SelectionSettings settings, ChampionStudent champion, TurnScorer fallback,
                    double fallbackPerSecond, int subtasks) throws Exception {
    registry = new InMemorySchemaRegistryClient();
    REGISTRIES.put(id, registry);
    SCORERS.put(id, scorer);
    if (champion != null) {
      CHAMPIONS.put(id, champion);
    }
    turnCodec = new AvroWireCodec<>(registry, Topics.TURNS.valueSubject(), DialogueTurn.class);
    labelCodec = new AvroWireCodec<>(registry, Topics.SOFT_LABELS.valueSubject(), SoftLabel.class);
    String key = id;
    ChampionSource.Factory champions = r -> new ChampionSource() {
      @Override
      public ChampionStudent current(long nowMillis) {
        return CHAMPIONS.get(key);
      }

      @Override
      public void close() {}
    };
    TeacherScoringOperator operator = new TeacherScoringOperator(() -> SCORERS.get(key), () -> REGISTRIES.get(key),
        Topics.TURNS, Topics.SOFT_LABELS, 8, 60_000, 1_000, 0, 1_024, 0.5,
        new SelectionGate.Factory(settings, champions));
    if (fallback != null) {
      FALLBACKS.put(id, fallback);
      operator.withFallback(() -> FALLBACKS.get(key), fallbackPerSecond);
    }
    harness = new OneInputStreamOperatorTestHarness<>(operator, 128, subtasks, 0);
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
    REGISTRIES.remove(id);
    SCORERS.remove(id);
    CHAMPIONS.remove(id);
    FALLBACKS.remove(id);
  }

  @Test
  void shouldScoreOnlyTheTurnsTheChampionIsUnsureOfAndCountTheOthersAsSkipped() throws Exception {
    // Given the uncertainty policy (top probability under 0.7), no audit, and a champion
    open(new SelectionSettings(SelectionSettings.UNCERTAINTY, 1.0, UncertaintyMeasure.TOP_PROBABILITY, 0.7, 1, 1_000, 0,
        0.0, 1, 1_000, false), new ScriptedChampion());
    Map<String, Double> before = skippedMetrics();

    // When a batch of five turns is flushed, two of which the champion is sure of (one with a gold label)
    process("t1", "sure thing", null);
    process("t2", "unsure what", null);
    process("t3", "sure again", "balance");
    process("t4", "maybe so", null);
    process("t5", "unsure too", "greeting");
    harness.prepareSnapshotPreBarrier(1);

    // Then the teacher scored only the three others, in one batch, and their labels say why; the
    // skipped turn with a gold label (t3) goes on as a gold-only record, in its place in the stream
    assertThat(scorer.batchSizes).containsExactly(3);
    assertThat(scorer.tokenized).containsExactly(List.of("sure again"));
    assertThat(softLabels()).extracting(SoftLabel::getTurnId, SoftLabel::getSelectionReason,
        SoftLabel::getSelectionProbability, SoftLabel::getTeacherScored).containsExactly(
        Tuple.tuple("t2", "uncertain", 1.0, true), Tuple.tuple("t3", "confident", 1.0, false),
        Tuple.tuple("t4", "uncertain", 1.0, true), Tuple.tuple("t5", "uncertain", 1.0, true));
    SoftLabel goldOnly = softLabels().get(1);
    assertThat(goldOnly.getLogits()).isEmpty();
    assertThat(goldOnly.getTokenIds()).containsExactly(101, "sure again".length(), 102);
    assertThat(List.of(goldOnly.getTeacherIndex(), goldOnly.getGoldIndex(), goldOnly.getLabelCount()))
        .containsExactly(-1, 0, 2);
    assertThat(List.of(goldOnly.getTeacherLabel(), goldOnly.getGoldLabel(), goldOnly.getLabelSetId(),
        goldOnly.getTeacherVersion())).containsExactly("", "balance", "two-labels", "scripted-v1");
    assertThat(softLabels().get(0).getLabelCount()).isEqualTo(2);
    // And the two skipped turns were counted as confident, one of them with a gold label
    Map<String, Double> after = skippedMetrics();
    assertThat(after.get("confident,false") - before.get("confident,false")).isEqualTo(1.0);
    assertThat(after.get("confident,true") - before.get("confident,true")).isEqualTo(1.0);
  }

  @Test
  void shouldPassEveryTurnUntilThereIsAChampion() throws Exception {
    // Given the uncertainty policy and no champion yet
    open(new SelectionSettings(SelectionSettings.UNCERTAINTY, 1.0, UncertaintyMeasure.TOP_PROBABILITY, 0.7, 1, 1_000, 0,
        0.0, 1, 1_000, false), null);

    // When three turns are flushed
    process("t1", "sure thing", null);
    process("t2", "unsure", null);
    process("t3", "sure again", null);
    harness.prepareSnapshotPreBarrier(1);

    // Then each is scored, as selected for reason all
    assertThat(softLabels()).extracting(SoftLabel::getTurnId, SoftLabel::getSelectionReason).containsExactly(
        Tuple.tuple("t1", "all"), Tuple.tuple("t2", "all"), Tuple.tuple("t3", "all"));
  }

  @Test
  void shouldSpendTheBudgetOnTheLeastConfidentTurnsOfTheBatch() throws Exception {
    // Given a budget of 2 turns a second (a bucket of 2) and no audit
    open(new SelectionSettings(SelectionSettings.BUDGET, 1.0, UncertaintyMeasure.TOP_PROBABILITY, 0.7, 2, 1_000, 0,
        0.0, 1, 1_000, false), new ScriptedChampion());

    // When a full batch of eight turns arrives at once
    for (int i = 0; i < 8; i++) {
      process("t" + i, (i == 3 ? "unsure " : i == 6 ? "maybe " : "sure ") + i, null);
    }

    // Then the batch is decided as it fills, and only the two least confident reach the teacher
    assertThat(scorer.batchSizes).containsExactly(2);
    assertThat(softLabels()).extracting(SoftLabel::getTurnId, SoftLabel::getSelectionReason).containsExactly(
        Tuple.tuple("t3", "budget"), Tuple.tuple("t6", "budget"));
  }

  @Test
  void shouldForwardSkippedGoldTurnsInArrivalOrderAndNothingForSkippedTurnsWithoutGold() throws Exception {
    // Given a budget of 1 turn a second and no audit
    open(new SelectionSettings(SelectionSettings.BUDGET, 1.0, UncertaintyMeasure.TOP_PROBABILITY, 0.7, 1, 1_000, 0,
        0.0, 1, 1_000, false), new ScriptedChampion());

    // When gold and unlabelled turns around the one uncertain turn are flushed
    process("g1", "sure one", "greeting");
    process("n1", "sure two", null);
    process("u1", "unsure three", null);
    process("g2", "maybe four", "balance");
    process("n2", "sure five", null);
    harness.prepareSnapshotPreBarrier(1);

    // Then the teacher scored the uncertain turn, the two gold turns arrive gold-only around it in
    // stream order, and the unlabelled skipped turns produce nothing
    assertThat(scorer.batchSizes).containsExactly(1);
    assertThat(scorer.tokenized).containsExactly(List.of("sure one", "maybe four"));
    assertThat(softLabels()).extracting(SoftLabel::getTurnId, SoftLabel::getTeacherScored,
        SoftLabel::getSelectionReason, SoftLabel::getGoldLabel).containsExactly(
        Tuple.tuple("g1", false, "over-budget", "greeting"), Tuple.tuple("u1", true, "budget", null),
        Tuple.tuple("g2", false, "over-budget", "balance"));
  }

  @Test
  void shouldScoreTheSkippedTurnsWithTheFallbackTeacherInTheirPlaceInTheStream() throws Exception {
    // Given a budget of 1 turn a second, no audit, and a fallback teacher without a rate limit
    ScriptedFallback fallback = new ScriptedFallback(List.of("balance", "greeting"));
    open(new SelectionSettings(SelectionSettings.BUDGET, 1.0, UncertaintyMeasure.TOP_PROBABILITY, 0.7, 1, 1_000, 0,
        0.0, 1, 1_000, false), new ScriptedChampion(), fallback, 0);
    double before = fallbackMetric();

    // When gold and unlabelled turns around the one uncertain turn are flushed
    process("g1", "sure one", "greeting");
    process("n1", "sure two", null);
    process("u1", "unsure three", null);
    process("g2", "maybe four", "balance");
    process("n2", "sure five", null);
    harness.prepareSnapshotPreBarrier(1);

    // Then the teacher scored the uncertain turn, the fallback the four others in one batch, each in
    // its place in the stream, and no turn went on gold-only
    assertThat(scorer.batchSizes).containsExactly(1);
    assertThat(fallback.batches).containsExactly(List.of("sure one", "sure two", "maybe four", "sure five"));
    assertThat(softLabels()).extracting(SoftLabel::getTurnId, SoftLabel::getFallbackScored,
        SoftLabel::getTeacherScored, SoftLabel::getSelectionReason, SoftLabel::getSelectionProbability,
        SoftLabel::getTeacherVersion).containsExactly(
        Tuple.tuple("g1", true, true, "over-budget", 1.0, "cheap-v1"),
        Tuple.tuple("n1", true, true, "over-budget", 1.0, "cheap-v1"),
        Tuple.tuple("u1", false, true, "budget", 1.0, "scripted-v1"),
        Tuple.tuple("g2", true, true, "over-budget", 1.0, "cheap-v1"),
        Tuple.tuple("n2", true, true, "over-budget", 1.0, "cheap-v1"));
    // And a fallback label carries the fallback's logits, verdict and temperature, the teacher
    // tokenizer's ids (not the fallback's), and the gold label
    SoftLabel g2 = softLabels().get(3);
    assertThat(g2.getLogits()).containsExactly(1f, (float) "maybe four".length());
    assertThat(List.of(g2.getTeacherIndex(), g2.getGoldIndex(), g2.getLabelCount())).containsExactly(1, 0, 2);
    assertThat(g2.getTeacherLabel()).isEqualTo("greeting");
    assertThat(g2.getTemperature()).isEqualTo(1.5f);
    assertThat(g2.getLabelSetId()).isEqualTo("two-labels");
    assertThat(g2.getTokenIds()).containsExactly(101, "maybe four".length(), 102);
    assertThat(fallbackMetric() - before).isEqualTo(4.0);
  }

  @Test
  void shouldSendTheFallbackOnlyAsManyTurnsAsItsRateAllowsAndTreatTheRestAsWithoutOne() throws Exception {
    // Given a budget of 1 turn a second and a fallback teacher allowed 2 turns a second
    ScriptedFallback fallback = new ScriptedFallback(List.of("balance", "greeting"));
    open(new SelectionSettings(SelectionSettings.BUDGET, 1.0, UncertaintyMeasure.TOP_PROBABILITY, 0.7, 1, 1_000, 0,
        0.0, 1, 1_000, false), new ScriptedChampion(), fallback, 2);

    // When one uncertain and four confident turns arrive at once, the last two with a gold label
    process("u1", "unsure one", null);
    process("n1", "sure two", null);
    process("n2", "sure three", null);
    process("g1", "sure four", "greeting");
    process("g2", "sure five", "balance");
    harness.prepareSnapshotPreBarrier(1);

    // Then the fallback scored the first two skipped turns, and the two over its rate went on gold-only
    assertThat(fallback.batches).containsExactly(List.of("sure two", "sure three"));
    assertThat(softLabels()).extracting(SoftLabel::getTurnId, SoftLabel::getFallbackScored,
        SoftLabel::getTeacherScored).containsExactly(Tuple.tuple("u1", false, true), Tuple.tuple("n1", true, true),
        Tuple.tuple("n2", true, true), Tuple.tuple("g1", false, false), Tuple.tuple("g2", false, false));

    // And a second later its bucket has refilled: two more skipped turns go to the fallback
    harness.setProcessingTime(1_000);
    process("u2", "unsure six", null);
    process("n3", "sure seven", null);
    process("n4", "sure eight", null);
    process("n5", "sure nine", null);
    harness.prepareSnapshotPreBarrier(2);
    assertThat(fallback.batches).hasSize(2).last().isEqualTo(List.of("sure seven", "sure eight"));
  }

  @Test
  void shouldShareTheJobsBudgetAndFallbackRateEvenlyBetweenItsSubtasks() throws Exception {
    // Given a job of 2 scoring subtasks, a budget of 4 turns a second for the job (a bucket of 2 per
    // subtask), no audit, and a fallback teacher allowed 4 turns a second for the job
    ScriptedFallback fallback = new ScriptedFallback(List.of("balance", "greeting"));
    open(new SelectionSettings(SelectionSettings.BUDGET, 1.0, UncertaintyMeasure.TOP_PROBABILITY, 0.7, 4, 1_000, 0,
        0.0, 1, 1_000, false), new ScriptedChampion(), fallback, 4, 2);

    // When a full batch of eight turns reaches one subtask at once, three of them unsure or in between
    for (int i = 0; i < 8; i++) {
      process("t" + i, (i == 3 || i == 5 ? "unsure " : i == 6 ? "maybe " : "sure ") + i, null);
    }

    // Then this subtask's half of the budget goes to the two least confident, and its half of the
    // fallback's rate to the first two turns left over
    assertThat(scorer.batchSizes).containsExactly(2);
    assertThat(fallback.batches).containsExactly(List.of("sure 0", "sure 1"));
    assertThat(softLabels()).extracting(SoftLabel::getTurnId, SoftLabel::getSelectionReason,
        SoftLabel::getFallbackScored).containsExactly(Tuple.tuple("t0", "over-budget", true),
        Tuple.tuple("t1", "over-budget", true), Tuple.tuple("t3", "budget", false),
        Tuple.tuple("t5", "budget", false));
  }

  @Test
  void shouldDeadLetterATurnTheFallbackFailsOnAloneNamingTheFallback() throws Exception {
    // Given a fallback teacher that fails on one text
    ScriptedFallback fallback = new ScriptedFallback(List.of("balance", "greeting"));
    fallback.failOn = "sure bad";
    open(new SelectionSettings(SelectionSettings.BUDGET, 1.0, UncertaintyMeasure.TOP_PROBABILITY, 0.7, 1, 1_000, 0,
        0.0, 1, 1_000, false), new ScriptedChampion(), fallback, 0);

    // When it is skipped with two other turns
    process("u1", "unsure one", null);
    process("n1", "sure good", null);
    process("n2", "sure bad", null);
    harness.prepareSnapshotPreBarrier(1);

    // Then the other turns get their labels, and that turn is a dead letter naming the fallback
    assertThat(softLabels()).extracting(SoftLabel::getTurnId).containsExactly("u1", "n1");
    List<OutgoingRecord> dead = new ArrayList<>();
    for (Object o : harness.getOutput()) {
      if (o instanceof StreamRecord<?> r && ((OutgoingRecord) r.getValue()).topic.equals("dialogue.turns.dlq")) {
        dead.add((OutgoingRecord) r.getValue());
      }
    }
    assertThat(dead).hasSize(1);
    assertThat(String.join(" ", dead.get(0).headerValues)).contains("fallback teacher cheap-v1 failed twice on turn n2");
  }

  @Test
  void shouldShedTurnsThatReachTheGateBehindTheLagBoundToGoldOnlyNotToTheTeacherNorTheFallback() throws Exception {
    // Given a budget of 4 turns a second, a lag bound of 5 s, no audit, and a fallback without a limit
    ScriptedFallback fallback = new ScriptedFallback(List.of("balance", "greeting"));
    open(new SelectionSettings(SelectionSettings.BUDGET, 1.0, UncertaintyMeasure.TOP_PROBABILITY, 0.7, 4, 1_000,
        5_000, 0.0, 1, 1_000, false), new ScriptedChampion(), fallback, 0);
    double before = skippedMetric("behind", "true");

    // When turns that entered their topic 6 s ago reach the gate
    harness.setProcessingTime(RECEIVED + 6_000);
    process("g1", "unsure one", "greeting");
    process("n1", "unsure two", null);
    process("g2", "unsure three", "balance");
    harness.prepareSnapshotPreBarrier(1);

    // Then neither the teacher nor the fallback scored any of them; the gold turns went on gold-only,
    // skipped as behind, and the turn without gold left no label but a count
    assertThat(scorer.batchSizes).isEmpty();
    assertThat(fallback.batches).isEmpty();
    assertThat(softLabels()).extracting(SoftLabel::getTurnId, SoftLabel::getTeacherScored,
        SoftLabel::getFallbackScored, SoftLabel::getSelectionReason).containsExactly(
        Tuple.tuple("g1", false, false, "behind"), Tuple.tuple("g2", false, false, "behind"));
    assertThat(skippedMetric("behind", "true") - before).isEqualTo(2.0);

    // And turns that entered 1 s before they reach the gate get the budget again
    harness.setProcessingTime(RECEIVED + 1_000 + 60_000);
    processEnteredAt("u1", "unsure four", null, RECEIVED + 60_000);
    harness.prepareSnapshotPreBarrier(2);
    assertThat(scorer.batchSizes).containsExactly(1);
  }

  @Test
  void shouldRefuseAFallbackTeacherWithOtherLabelsWithoutRestarting() {
    // Given a fallback teacher whose labels are not the teacher's
    ScriptedFallback fallback = new ScriptedFallback(List.of("balance", "weather"));

    // When the operator opens, then it fails for good, naming both teachers
    assertThatThrownBy(() -> open(new SelectionSettings(SelectionSettings.BUDGET, 1.0,
        UncertaintyMeasure.TOP_PROBABILITY, 0.7, 1, 1_000, 0, 0.0, 1, 1_000, false), new ScriptedChampion(),
        fallback, 0))
        .isInstanceOf(org.apache.flink.runtime.execution.SuppressRestartsException.class)
        .rootCause().hasMessageContaining("fallback teacher cheap-v1 has other labels than teacher scripted-v1");
    assertThat(fallback.closed).isTrue();
  }

  /** {@code streamdistill_teacher_fallback_turns_total}, gold or not, 0 when not yet exported. */
  private static double fallbackMetric() {
    List<PrometheusText.Sample> samples = PrometheusText.parse(ExpositionFormats.init().getPrometheusTextFormatWriter()
        .toDebugString(PrometheusRegistry.defaultRegistry.scrape()));
    double total = 0;
    for (String gold : List.of("false", "true")) {
      double v = PrometheusText.value(samples, "streamdistill_teacher_fallback_turns_total", Map.of("gold", gold));
      total += Double.isNaN(v) ? 0 : v;
    }
    return total;
  }

  /** A cheaper teacher: logits [1, text length] (the other way round from the teacher's), its own ids [9]. */
  static final class ScriptedFallback implements TurnScorer {
    final List<String> labels;
    final List<List<String>> batches = new ArrayList<>();
    volatile String failOn;
    volatile boolean closed;

    ScriptedFallback(List<String> labels) {
      this.labels = labels;
    }

    @Override
    public List<Score> score(List<String> texts) {
      if (failOn != null && texts.contains(failOn)) {
        throw new IllegalStateException("scripted fallback failure on '" + failOn + "'");
      }
      batches.add(List.copyOf(texts));
      List<Score> scores = new ArrayList<>();
      for (String text : texts) {
        scores.add(new Score(new int[] {9}, false, new float[] {1f, text.length()}));
      }
      return scores;
    }

    @Override
    public List<String> labels() {
      return labels;
    }

    @Override
    public String version() {
      return "cheap-v1";
    }

    @Override
    public float temperature() {
      return 1.5f;
    }

    @Override
    public String labelSetId() {
      return "cheap-labels";
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private void process(String turnId, String text, String gold) throws Exception {
    processEnteredAt(turnId, text, gold, RECEIVED);
  }

  /** A turn whose record entered the topic at {@code entered} (its Kafka timestamp). */
  private void processEnteredAt(String turnId, String text, String gold, long entered) throws Exception {
    DialogueTurn turn = DialogueTurn.newBuilder().setTurnId(turnId).setConversationId("conv").setTurnIndex(0)
        .setSpeaker("user").setText(text).setEventTime(Instant.ofEpochMilli(entered)).setSource("test")
        .setGoldLabel(gold).setHeldOut(false).build();
    harness.processElement(new StreamRecord<>(new KafkaRecordBytes("dialogue.turns", 0, nextOffset++, entered,
        "conv".getBytes(StandardCharsets.UTF_8), turnCodec.encode(turn))));
  }

  private List<SoftLabel> softLabels() {
    List<SoftLabel> labels = new ArrayList<>();
    for (Object o : harness.getOutput()) {
      if (o instanceof StreamRecord<?> r && ((OutgoingRecord) r.getValue()).topic.equals("teacher.soft-labels")) {
        labels.add(labelCodec.decode(((OutgoingRecord) r.getValue()).value));
      }
    }
    return labels;
  }

  /** {@code streamdistill_teacher_skipped_turns_total} for one reason and gold flag, 0 when not yet exported. */
  private static double skippedMetric(String reason, String gold) {
    double v = PrometheusText.value(PrometheusText.parse(ExpositionFormats.init().getPrometheusTextFormatWriter()
        .toDebugString(PrometheusRegistry.defaultRegistry.scrape())), "streamdistill_teacher_skipped_turns_total",
        Map.of("reason", reason, "gold", gold));
    return Double.isNaN(v) ? 0 : v;
  }

  /** {@code streamdistill_teacher_skipped_turns_total} by "reason,gold", 0 when not yet exported. */
  private static Map<String, Double> skippedMetrics() {
    List<PrometheusText.Sample> samples = PrometheusText.parse(ExpositionFormats.init().getPrometheusTextFormatWriter()
        .toDebugString(PrometheusRegistry.defaultRegistry.scrape()));
    Map<String, Double> values = new java.util.HashMap<>();
    for (String reason : List.of("confident", "over-budget")) {
      for (String gold : List.of("false", "true")) {
        double v = PrometheusText.value(samples, "streamdistill_teacher_skipped_turns_total",
            Map.of("reason", reason, "gold", gold));
        values.put(reason + "," + gold, Double.isNaN(v) ? 0 : v);
      }
    }
    return values;
  }

  /** Sure (0.95) of texts starting with "sure", unsure (0.5) of "unsure", 0.65 for anything else. */
  static final class ScriptedChampion implements ChampionStudent {
    @Override
    public String version() {
      return "student-v7";
    }

    @Override
    public float[][] probabilities(List<String> texts) {
      float[][] out = new float[texts.size()][];
      for (int i = 0; i < texts.size(); i++) {
        String t = texts.get(i);
        float top = t.startsWith("unsure") ? 0.5f : t.startsWith("sure") ? 0.95f : 0.65f;
        out[i] = new float[] {top, 1 - top};
      }
      return out;
    }

    @Override
    public void close() {}
  }
}
