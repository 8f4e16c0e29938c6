package org.streamdistill.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.streamdistill.evaluator.ExpectedMetrics.sameLatency;
import static org.streamdistill.evaluator.ExpectedMetrics.timeWindow;
import static org.streamdistill.evaluator.Turns.challenger;
import static org.streamdistill.evaluator.Turns.champion;
import static org.streamdistill.evaluator.Turns.turn;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.evaluator.app.EvaluatorApp;
import org.streamdistill.evaluator.deadletter.DeadLetterCounter;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.RollingMetrics;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.registry.InMemorySchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.DeadLetters;
import org.streamdistill.schemas.wire.UndecodableRecordException;

class EvaluatorTopologyTest {

  /**
   * The dead-letter tests run at-least-once. Kafka Streams sends a dead letter while it decodes
   * the record, before processing it; under exactly-once that send opens the task's transaction,
   * which a real task commits together with the skipped record's offset (the skipped record
   * marks the task as needing a commit). The TopologyTestDriver instead collects its mock
   * producer's output before processing and then clears it, uncommitted sends included, so the
   * dead letter would vanish in the driver only.
   */
  private static final String DEAD_LETTERS_VISIBLE_IN_DRIVER = "evaluator.streams.processing.guarantee";

  @TempDir
  Path stateDir;

  private EvaluatorDriver evaluator;
  private TopologyTestDriver driver;
  private TestOutputTopic<String, RollingMetrics> metrics;
  private TestOutputTopic<String, PromotionEvent> promotions;
  private DeadLetterCounter deadLetters;

  /** Builds the topology exactly as the app does, with the test's settings on top of tiny windows. */
  private void start(Map<String, Object> overrides) {
    evaluator = new EvaluatorDriver(stateDir, overrides);
    driver = evaluator.driver;
    metrics = evaluator.metrics;
    promotions = evaluator.promotions;
    deadLetters = evaluator.deadLetters;
  }

  @AfterEach
  void closeDriver() {
    if (evaluator != null) {
      evaluator.close();
    }
  }

  private void pipe(StudentPrediction turn) {
    evaluator.pipe(turn);
  }

  /** A window whose turns all have probability 0.5, latency 5 ms, and no gold label. */
  private static RollingMetrics.Builder withoutGold(String version, String role, long start, long end, long turns,
      long teacherAgreements, double teacherAgreement, double eceTeacher) {
    return sameLatency(timeWindow(version, role, start, end), 5, turns)
        .setTurns(turns)
        .setTeacherAgreements(teacherAgreements)
        .setTeacherAgreement(teacherAgreement)
        .setEceTeacher(eceTeacher);
  }

  @Test
  void shouldCountATurnInEveryHoppingWindowStillOpen() {
    // Given 10 s windows advancing by 5 s, no grace
    start(Map.of(EvaluatorConfig.WINDOW_ADVANCE_MS, 5_000L, EvaluatorConfig.WINDOW_GRACE_MS, 0L));

    // When: a gold turn at 7 s, a turn at 12 s (closes [0 s, 10 s)), then one at 8 s, which
    // belongs to the closed [0 s, 10 s) and to the open [5 s, 15 s), then stream time 30 s
    pipe(turn("r1", 7_000, 5, 5, challenger("c1", 5)));
    pipe(turn("r2", 12_000, 5, null, challenger("c1", 5)));
    pipe(turn("r3", 8_000, 2, null, challenger("c1", 5)));
    pipe(turn("r4", 30_000, 5, null, challenger("c1", 4)));

    // Then: r3 is counted in [5 s, 15 s) only, and dropped nowhere. All probabilities are 0.5
    // (calibration bin 7): ECE = |agreements - 0.5 turns| / turns.
    // [0, 10): r1; agrees, gold-right; macro-F1 over label 5 = 1; ECE teacher = gold = |1 - 0.5| / 1
    // [5, 15): r1, r2, r3; 2 of 3 agree: ECE teacher |2 - 1.5| / 3; gold as above
    // [10, 20): r2 alone
    assertThat(metrics.readKeyValuesToList()).containsExactly(
        KeyValue.pair("c1", withoutGold("c1", "challenger", 0, 10_000, 1, 1, 1.0, 0.5 / 1)
            .setGoldTurns(1).setGoldCorrect(1).setGoldAccuracy(1.0).setMacroF1(1.0).setEceGold(0.5 / 1).build()),
        KeyValue.pair("c1", withoutGold("c1", "challenger", 5_000, 15_000, 3, 2, 2.0 / 3, 0.5 / 3)
            .setGoldTurns(1).setGoldCorrect(1).setGoldAccuracy(1.0).setMacroF1(1.0).setEceGold(0.5 / 1).build()),
        KeyValue.pair("c1", withoutGold("c1", "challenger", 10_000, 20_000, 1, 1, 1.0, 0.5 / 1).build()));
    assertThat(evaluator.lateTurns.total()).isZero();
  }

  @Test
  void shouldKeepTheSameVersionInTwoRolesApart() {
    // Given the champion is a frozen copy of the challenger, both still named v7
    start(Map.of());

    // When
    pipe(turn("r1", 1_000, 3, null, challenger("v7", 3), champion("v7", 2)));
    pipe(turn("r2", 20_000, 3, null, challenger("v7", 3)));

    // Then: two records keyed v7, one per role; ECE teacher = |agreements - 0.5| / 1
    assertThat(metrics.readKeyValuesToList()).containsExactlyInAnyOrder(
        KeyValue.pair("v7", withoutGold("v7", "challenger", 0, 10_000, 1, 1, 1.0, 0.5).build()),
        KeyValue.pair("v7", withoutGold("v7", "champion", 0, 10_000, 1, 0, 0.0, 0.5).build()));
  }

  @Test
  void shouldPublishAPromotionWithItsEvidenceWhenTheChallengerIsBetter() {
    // Given looks every 10 paired turns
    start(Map.of());

    // When: the challenger (checkpointing from c3 to c4) is right on all 10, the champion on none
    for (int i = 1; i <= 10; i++) {
      pipe(turn("t" + i, 1_000L * i, 1, null, challenger(i <= 5 ? "c3" : "c4", 1), champion("k1", 2)));
    }

    // Then
    assertThat(promotions.readKeyValuesToList()).containsExactly(KeyValue.pair("student",
        PromotionEvent.newBuilder()
            .setModelName("student")
            .setDecision("PROMOTE")
            .setFromVersion("k1")
            .setToVersion("c4")
            .setDecidedAt(Instant.ofEpochMilli(10_000))
            .setPairedTurns(10)
            .setChallengerOnlyCorrect(10)
            .setChampionOnlyCorrect(0)
            .setChampionScore(0.0)
            .setChallengerScore(1.0)
            .setMetric("teacher")
            .setPValue(1.0 / 1024)
            .setReason("challenger is better: teacher agreement on 10 pairs: challenger 1.0000 vs champion 0.0000"
                + " (delta +1.0000), b=10 c=0, p=0.000977; look 1 needs p < 0.00500 and delta >= 0.0200")
            .setComparison("challenger")
            .setLook(1)
            .setPThreshold(0.01 / 2)
            .setMargin(0.02)
            .setScoreDelta(1.0)
            .setTeacherAgreementDelta(1.0)
            .setGoldAccuracyDelta(null)
            .setGoldPairs(0L)
            .build()));
  }

  @Test
  void shouldBootstrapAChampionFromTheFirstChallengerTurns() {
    // Given no champion serves yet
    start(Map.of(EvaluatorConfig.PROMOTION_MODEL_NAME, "intent-student"));

    // When: 12 challenger-only turns with gold labels, the challenger right on 9 of the first 10
    for (int i = 1; i <= 12; i++) {
      pipe(turn("t" + i, 1_000L * i, 4, 4, challenger("c1", i == 3 ? 0 : 4)));
    }

    // Then: one bootstrap at the 10th turn, keyed by the configured model name
    assertThat(promotions.readKeyValuesToList()).containsExactly(KeyValue.pair("intent-student",
        PromotionEvent.newBuilder()
            .setModelName("intent-student")
            .setDecision("PROMOTE")
            .setFromVersion(null)
            .setToVersion("c1")
            .setDecidedAt(Instant.ofEpochMilli(10_000))
            .setPairedTurns(10)
            .setChallengerOnlyCorrect(9)
            .setChampionOnlyCorrect(0)
            .setChampionScore(0.0)
            .setChallengerScore(0.9)
            .setMetric("teacher")
            .setPValue(null)
            .setReason("bootstrap: no champion yet; challenger c1 right on 9 of 10 turns (teacher agreement)")
            .setComparison("challenger")
            .setLook(null)
            .setPThreshold(null)
            .setMargin(null)
            .setScoreDelta(0.9)
            .setTeacherAgreementDelta(0.9)
            .setGoldAccuracyDelta(0.9)
            .setGoldPairs(10L)
            .build()));
  }

  @Test
  void shouldRouteUndecodableRecordToDeadLetterTopicAndKeepProcessing() {
    // Given
    start(Map.of(DEAD_LETTERS_VISIBLE_IN_DRIVER, "at_least_once"));
    TestInputTopic<String, byte[]> raw = driver.createInputTopic(Topics.PREDICTIONS.name(), new StringSerializer(),
        new ByteArraySerializer());
    TestOutputTopic<byte[], byte[]> deadLetterTopic = driver.createOutputTopic(
        Topics.PREDICTIONS.deadLetterTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    byte[] poison = {0x7f, 0, 0, 0, 1, 42, 42};

    // When: a record with a wrong magic byte, then good turns that close a window
    raw.pipeInput("conv-poison", poison);
    pipe(turn("r1", 1_000, 3, null, challenger("c1", 3)));
    pipe(turn("r2", 20_000, 3, null, challenger("c1", 2)));

    // Then: the poison record went, untouched and explained, to student.predictions.dlq
    List<TestRecord<byte[], byte[]>> dead = deadLetterTopic.readRecordsToList();
    assertThat(dead).hasSize(1);
    assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("conv-poison");
    assertThat(dead.get(0).value()).containsExactly(poison);
    Map<String, String> headers = new HashMap<>();
    for (Header header : dead.get(0).headers()) {
      headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
    }
    assertThat(headers).containsExactlyInAnyOrderEntriesOf(Map.of(
        DeadLetters.HEADER_STAGE, "evaluator",
        DeadLetters.HEADER_EXCEPTION, UndecodableRecordException.class.getName(),
        DeadLetters.HEADER_MESSAGE, "unknown magic byte 0x7f (expected 0x00, the Confluent wire format)",
        DeadLetters.HEADER_SOURCE_TOPIC, "student.predictions",
        DeadLetters.HEADER_SOURCE_PARTITION, "0",
        DeadLetters.HEADER_SOURCE_OFFSET, "0"));
    assertThat(deadLetters.snapshot()).isEqualTo(Map.of("student.predictions", 1L));

    // And the next records were processed as usual
    assertThat(metrics.readKeyValuesToList()).containsExactly(
        KeyValue.pair("c1", withoutGold("c1", "challenger", 0, 10_000, 1, 1, 1.0, 0.5).build()));
  }

  @Test
  void shouldReadAndWriteTopicsOfTheConfiguredNamespace() {
    // Given
    start(Map.of(EvaluatorConfig.TOPIC_NAMESPACE, "exp1", DEAD_LETTERS_VISIBLE_IN_DRIVER, "at_least_once"));
    TestInputTopic<String, byte[]> raw = driver.createInputTopic("exp1.student.predictions",
        new StringSerializer(), new ByteArraySerializer());
    TestOutputTopic<byte[], byte[]> deadLetterTopic = driver.createOutputTopic("exp1.student.predictions.dlq",
        new ByteArrayDeserializer(), new ByteArrayDeserializer());

    // When
    raw.pipeInput("conv-poison", new byte[] {1});
    pipe(turn("r1", 1_000, 3, null, challenger("c1", 3)));
    pipe(turn("r2", 20_000, 3, null, challenger("c1", 2)));

    // Then
    assertThat(metrics.readKeyValuesToList()).containsExactly(
        KeyValue.pair("c1", withoutGold("c1", "challenger", 0, 10_000, 1, 1, 1.0, 0.5).build()));
    assertThat(deadLetterTopic.readValuesToList()).containsExactly(new byte[] {1});
    assertThat(deadLetters.snapshot()).isEqualTo(Map.of("exp1.student.predictions", 1L));
  }

  @Test
  void shouldNameEveryTopicAndStoreItUses() {
    // Given / When: built as the app builds it, which fails on any auto-generated internal name
    EvaluatorConfig config = new EvaluatorConfig(Map.of());
    Topology topology = EvaluatorApp.buildTopology(config, new InMemorySchemaRegistryClient(),
        EvaluatorApp.streamsProperties(config, new DeadLetterCounter()));

    // Then
    Set<String> topics = new TreeSet<>();
    Set<String> stores = new TreeSet<>();
    for (TopologyDescription.Subtopology subtopology : topology.describe().subtopologies()) {
      for (TopologyDescription.Node node : subtopology.nodes()) {
        if (node instanceof TopologyDescription.Source source) {
          topics.addAll(source.topicSet());
        } else if (node instanceof TopologyDescription.Sink sink) {
          topics.add(sink.topic());
        } else if (node instanceof TopologyDescription.Processor processor) {
          stores.addAll(processor.stores());
        }
      }
    }
    assertThat(topics).containsExactly("evaluator.metrics", "metrics-outcomes-by-model-repartition",
        "model.promotions", "promotion-by-model-name-repartition", "student.predictions");
    assertThat(stores).containsExactly("metrics-last-turns-heads", "metrics-last-turns-slots", "metrics-time-dropped",
        "metrics-time-progress", "metrics-time-windows", "promotion-state");
  }
}
