package org.streamdistill.teacher.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.schemas.metrics.PrometheusText;
import org.streamdistill.schemas.registry.InMemorySchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.schemas.wire.DeadLetters;

/**
 * The scoring operator in Flink's one-input test harness, with a scripted teacher: what it
 * emits for good turns, poison bytes, unwritable event times and a teacher that fails on one
 * turn, and with which Kafka timestamps.
 */
class TeacherScoringOperatorHarnessTest {

  /** Registries by test, so the operator (which the harness keeps in this JVM) finds the test's one. */
  private static final Map<String, InMemorySchemaRegistryClient> REGISTRIES = new ConcurrentHashMap<>();
  private static final Map<String, ScriptedScorer> SCORERS = new ConcurrentHashMap<>();
  private static final long RECEIVED = Instant.parse("2026-12-03T12:00:00Z").toEpochMilli();

  private final String id = "test-" + System.nanoTime();
  private InMemorySchemaRegistryClient registry;
  private ScriptedScorer scorer;
  private AvroWireCodec<DialogueTurn> turnCodec;
  private AvroWireCodec<SoftLabel> labelCodec;
  private OneInputStreamOperatorTestHarness<KafkaRecordBytes, OutgoingRecord> harness;
  private long nextOffset;

  @BeforeEach
  void open() throws Exception {
    registry = new InMemorySchemaRegistryClient();
    scorer = new ScriptedScorer();
    REGISTRIES.put(id, registry);
    SCORERS.put(id, scorer);
    turnCodec = new AvroWireCodec<>(registry, Topics.TURNS.valueSubject(), DialogueTurn.class);
    labelCodec = new AvroWireCodec<>(registry, Topics.SOFT_LABELS.valueSubject(), SoftLabel.class);
    String key = id;
    TeacherScoringOperator operator = new TeacherScoringOperator(() -> SCORERS.get(key), () -> REGISTRIES.get(key),
        Topics.TURNS, Topics.SOFT_LABELS, 8, 60_000, 1_000, 0, 1_024, 0.5);
    harness = new OneInputStreamOperatorTestHarness<>(operator);
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
    REGISTRIES.remove(id);
    SCORERS.remove(id);
  }

  @Test
  void shouldDeadLetterOnlyTheTurnTheTeacherFailsOnAndLabelTheRestOfItsBatchInOrder() throws Exception {
    // Given a teacher that throws whenever the text "boom" is in its batch
    scorer.failOn = "boom";
    Map<String, Double> before = teacherMetrics();

    // When a batch of five turns holding "boom" in the middle is flushed
    for (String text : List.of("one", "two", "boom", "four", "five")) {
      process(turn("t-" + text, text, Instant.ofEpochMilli(RECEIVED - 1_000)), RECEIVED);
    }
    harness.prepareSnapshotPreBarrier(1);

    // Then the four others get soft labels in their order, and "boom" one dead letter naming the error
    List<OutgoingRecord> out = outputs();
    assertThat(out).extracting(r -> r.topic).containsExactly("teacher.soft-labels", "teacher.soft-labels",
        "dialogue.turns.dlq", "teacher.soft-labels", "teacher.soft-labels");
    assertThat(softLabels(out)).extracting(SoftLabel::getTurnId).containsExactly("t-one", "t-two", "t-four", "t-five");
    OutgoingRecord dead = out.get(2);
    assertThat(header(dead, DeadLetters.HEADER_MESSAGE))
        .contains("failed twice on turn t-boom alone").contains("scripted failure on 'boom'");
    assertThat(header(dead, DeadLetters.HEADER_SOURCE_OFFSET)).isEqualTo("2");
    // the batch of 5, its halves 2 and 3; the second splits into "boom" (alone, twice) and 2
    assertThat(scorer.batchSizes).containsExactly(5, 2, 3, 1, 1, 2);
    // And the JVM's teacher metrics (shared by every operator here, hence differences) counted exactly that:
    // 5 turns in, 4 soft labels out, 1 dead letter, 4 failures (5, 3 and "boom" twice), one batch of 5
    Map<String, Double> after = teacherMetrics();
    Map<String, Double> counted = new java.util.HashMap<>();
    after.forEach((name, value) -> counted.put(name, value - before.get(name)));
    assertThat(counted).containsEntry("consumed", 5.0).containsEntry("produced", 4.0).containsEntry("dead", 1.0)
        .containsEntry("failures", 4.0).containsEntry("batches", 1.0).containsEntry("batchTurns", 5.0);
  }

  @Test
  void shouldCountItselfOpenFromItsOpenUntilItsCloseAndAsAnOpenFailureWhenItsOpenFailed() throws Exception {
    // Given this test's operator, open (the JVM's figure is shared, hence differences)
    TeacherMetrics metrics = TeacherMetrics.in(PrometheusRegistry.defaultRegistry);
    long before = metrics.scorersOpen();
    long failuresBefore = metrics.openFailures();
    assertThat(before).isPositive();
    String key = id;

    // When a second subtask opens, then closes
    var second = new OneInputStreamOperatorTestHarness<>(new TeacherScoringOperator(() -> SCORERS.get(key),
        () -> REGISTRIES.get(key), Topics.TURNS, Topics.SOFT_LABELS, 8, 60_000, 1_000, 0, 1_024, 0.5));
    second.open();
    long whileOpen = metrics.scorersOpen();
    second.close();

    // Then it counted while open, and not after
    assertThat(whileOpen).isEqualTo(before + 1);
    assertThat(metrics.scorersOpen()).isEqualTo(before);

    assertThat(metrics.openFailures()).isEqualTo(failuresBefore);

    // And a subtask whose teacher fails to open never counts, not even when it is closed after the failure,
    // and counts as an open failure instead
    var failing = new OneInputStreamOperatorTestHarness<>(new TeacherScoringOperator(() -> {
      throw new IllegalStateException("no teacher today");
    }, () -> REGISTRIES.get(key), Topics.TURNS, Topics.SOFT_LABELS, 8, 60_000, 1_000, 0, 1_024, 0.5));
    org.assertj.core.api.Assertions.assertThatThrownBy(failing::open).hasMessageContaining("no teacher today");
    assertThat(metrics.scorersOpen()).isEqualTo(before);
    assertThat(metrics.openFailures()).isEqualTo(failuresBefore + 1);
    failing.close();
    assertThat(metrics.scorersOpen()).isEqualTo(before);
  }

  /** The scoring operator's figures in the JVM's default Prometheus registry, as a scrape shows them. */
  private static Map<String, Double> teacherMetrics() {
    List<PrometheusText.Sample> samples = PrometheusText.parse(ExpositionFormats.init().getPrometheusTextFormatWriter()
        .toDebugString(PrometheusRegistry.defaultRegistry.scrape()));
    Map<String, Double> values = new java.util.HashMap<>();
    values.put("consumed", zeroIfNone(PrometheusText.value(samples, "streamdistill_records_consumed_total",
        Map.of("stage", "teacher-stream", "topic", "dialogue.turns"))));
    values.put("produced", zeroIfNone(PrometheusText.value(samples, "streamdistill_records_produced_total",
        Map.of("stage", "teacher-stream", "topic", "teacher.soft-labels"))));
    values.put("dead", zeroIfNone(PrometheusText.value(samples, "streamdistill_dead_letters_total",
        Map.of("stage", "teacher-stream", "reason", "InvalidTurnException"))));
    values.put("failures", zeroIfNone(PrometheusText.value(samples, "streamdistill_teacher_scorer_failures_total",
        Map.of())));
    values.put("batches", zeroIfNone(PrometheusText.value(samples, "streamdistill_teacher_batch_size_count",
        Map.of())));
    values.put("batchTurns", zeroIfNone(PrometheusText.value(samples, "streamdistill_teacher_batch_size_sum",
        Map.of())));
    return values;
  }

  private static double zeroIfNone(double value) {
    return Double.isNaN(value) ? 0 : value;
  }

  @Test
  void shouldDeadLetterUnwritableEventTimesAndStampOutputWithTheTurnsRecordTime() throws Exception {
    // Given a turn from 1969, one more than an hour after it entered the topic, and a valid one
    process(turn("t-1969", "what is my balance", Instant.parse("1969-12-31T23:59:59Z")), RECEIVED);
    process(turn("t-ahead", "what is my balance", Instant.ofEpochMilli(RECEIVED + 3_600_001)), RECEIVED);
    process(turn("t-ok", "what is my balance", Instant.ofEpochMilli(RECEIVED + 3_600_000)), RECEIVED + 5);

    harness.prepareSnapshotPreBarrier(1);

    // Then the first two are dead letters and the valid one is labelled, every record stamped with
    // when its turn entered the topic (the event time stays in the body)
    List<OutgoingRecord> out = outputs();
    assertThat(out).extracting(r -> r.topic, r -> r.timestamp).containsExactly(
        org.assertj.core.groups.Tuple.tuple("dialogue.turns.dlq", RECEIVED),
        org.assertj.core.groups.Tuple.tuple("dialogue.turns.dlq", RECEIVED),
        org.assertj.core.groups.Tuple.tuple("teacher.soft-labels", RECEIVED + 5));
    assertThat(header(out.get(0), DeadLetters.HEADER_MESSAGE))
        .contains("event time 1969-12-31T23:59:59Z is before 1970-01-01T00:00:00Z");
    assertThat(header(out.get(1), DeadLetters.HEADER_MESSAGE)).contains("is more than 1 hour after");
    assertThat(softLabels(out)).singleElement().satisfies(label -> {
      assertThat(label.getTurnId()).isEqualTo("t-ok");
      assertThat(label.getEventTime()).isEqualTo(Instant.ofEpochMilli(RECEIVED + 3_600_000));
    });
    assertThat(scorer.batchSizes).containsExactly(1);
  }

  @Test
  void shouldDeadLetterPoisonBytesWithTheirCoordinatesAndGoOn() throws Exception {
    harness.processElement(new StreamRecord<>(new KafkaRecordBytes("dialogue.turns", 3, 41, RECEIVED,
        "conv".getBytes(StandardCharsets.UTF_8), new byte[] {0, 0, 0, 0, 99, 1})));
    process(turn("t-ok", "hello", Instant.ofEpochMilli(RECEIVED)), RECEIVED);

    harness.prepareSnapshotPreBarrier(1);

    List<OutgoingRecord> out = outputs();
    assertThat(out).extracting(r -> r.topic).containsExactly("dialogue.turns.dlq", "teacher.soft-labels");
    assertThat(header(out.get(0), DeadLetters.HEADER_SOURCE_PARTITION)).isEqualTo("3");
    assertThat(header(out.get(0), DeadLetters.HEADER_SOURCE_OFFSET)).isEqualTo("41");
    assertThat(out.get(0).value).containsExactly(0, 0, 0, 0, 99, 1);
  }

  @Test
  void shouldStopInsteadOfDrainingAnInputThatIsPoisonAsAWhole() throws Exception {
    // Given a producer writing with a schema id the registry never heard of, on every record
    byte[] unknownSchema = {0, 0, 0, 0, 99, 1};
    for (int i = 0; i < 99; i++) {
      harness.processElement(new StreamRecord<>(new KafkaRecordBytes("dialogue.turns", 0, i, RECEIVED, null,
          unknownSchema)));
    }

    // Then the 100th (the least the rule judges on) fails the job for good (no restart) with a message that says what to do
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> harness.processElement(new StreamRecord<>(
            new KafkaRecordBytes("dialogue.turns", 0, 99, RECEIVED, null, unknownSchema))))
        .isInstanceOf(org.apache.flink.runtime.execution.SuppressRestartsException.class)
        .cause().isInstanceOf(org.streamdistill.schemas.wire.DeadLetterBudget.DeadLetterRateExceededException.class)
        .hasMessageContaining("100 of the last 100 records of dialogue.turns were dead letters")
        .hasMessageContaining("unknown schema id 99");
  }

  private void process(DialogueTurn turn, long recordTime) throws Exception {
    harness.processElement(new StreamRecord<>(new KafkaRecordBytes("dialogue.turns", 0, nextOffset++, recordTime,
        turn.getConversationId().getBytes(StandardCharsets.UTF_8), turnCodec.encode(turn))));
  }

  private static DialogueTurn turn(String id, String text, Instant eventTime) {
    return DialogueTurn.newBuilder().setTurnId(id).setConversationId("conv").setTurnIndex(0).setSpeaker("user")
        .setText(text).setEventTime(eventTime).setSource("test").setGoldLabel(null).setHeldOut(false).build();
  }

  private List<OutgoingRecord> outputs() {
    List<OutgoingRecord> records = new ArrayList<>();
    for (Object o : harness.getOutput()) {
      if (o instanceof StreamRecord<?> r) {
        records.add((OutgoingRecord) r.getValue());
      }
    }
    return records;
  }

  private List<SoftLabel> softLabels(List<OutgoingRecord> out) {
    return out.stream().filter(r -> r.topic.equals("teacher.soft-labels")).map(r -> labelCodec.decode(r.value)).toList();
  }

  private static String header(OutgoingRecord record, String name) {
    int i = Arrays.asList(record.headerNames).indexOf(name);
    return i < 0 ? null : record.headerValues[i];
  }

  /** Two labels; logits from the text length; throws on a batch holding {@link #failOn}. */
  static final class ScriptedScorer implements TurnScorer {
    volatile String failOn;
    final List<Integer> batchSizes = new ArrayList<>();
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public List<Score> score(List<String> texts) {
      calls.incrementAndGet();
      batchSizes.add(texts.size());
      if (failOn != null && texts.contains(failOn)) {
        throw new IllegalStateException("scripted failure on '" + failOn + "'");
      }
      List<Score> scores = new ArrayList<>();
      for (String text : texts) {
        scores.add(new Score(new int[] {101, 7, 102}, false, new float[] {text.length(), 1f}));
      }
      return scores;
    }

    /** Texts tokenized without scoring (gold-only records), one entry per call. */
    final List<List<String>> tokenized = new ArrayList<>();
    /** When set, the tokenizer answers with no tokenizations at all (a broken teacher). */
    volatile boolean tokenizeNothing;

    /** Ids [101, length of the text, 102]: a gold-only record shows whose ids it carries. */
    @Override
    public List<Tokens> tokenize(List<String> texts) {
      tokenized.add(List.copyOf(texts));
      if (tokenizeNothing) {
        return List.of();
      }
      List<Tokens> tokens = new ArrayList<>();
      for (String text : texts) {
        tokens.add(new Tokens(new int[] {101, text.length(), 102}, false));
      }
      return tokens;
    }

    @Override
    public List<String> labels() {
      return List.of("balance", "greeting");
    }

    @Override
    public String version() {
      return "scripted-v1";
    }

    @Override
    public float temperature() {
      return 2f;
    }

    @Override
    public String labelSetId() {
      return "two-labels";
    }

    @Override
    public void close() {}
  }
}
