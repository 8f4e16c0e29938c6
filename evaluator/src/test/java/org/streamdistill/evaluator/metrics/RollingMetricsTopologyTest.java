package org.streamdistill.evaluator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.streamdistill.evaluator.ExpectedMetrics.lastTurns;
import static org.streamdistill.evaluator.ExpectedMetrics.sameLatency;
import static org.streamdistill.evaluator.ExpectedMetrics.timeWindow;
import static org.streamdistill.evaluator.Turns.challenger;
import static org.streamdistill.evaluator.Turns.champion;
import static org.streamdistill.evaluator.Turns.model;
import static org.streamdistill.evaluator.Turns.timedTurn;
import static org.streamdistill.evaluator.Turns.turn;

import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.evaluator.EvaluatorDriver;
import org.streamdistill.evaluator.ModelRole;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.RollingMetrics;
import org.streamdistill.records.StudentPrediction;

/**
 * Every rolling metric against values computed by hand, through the whole topology in a
 * TopologyTestDriver: tumbling 10 s windows with 5 s grace unless a test says otherwise. Label 0
 * is named {@code oos}, the out-of-scope label. Probabilities, KL and cross-entropy values are
 * binary fractions, so the expected sums are exact; calibration bins are 1/15 wide, so p = 0.25
 * is in bin 3, 0.375 in bin 5, 0.5 in bin 7, 0.625 in bin 9, 0.75 in bin 11 and 0.875 in bin 13.
 */
class RollingMetricsTopologyTest {

  @TempDir
  Path stateDir;

  private EvaluatorDriver evaluator;

  private void start(Map<String, Object> overrides) {
    evaluator = new EvaluatorDriver(stateDir, overrides);
  }

  @AfterEach
  void close() {
    if (evaluator != null) {
      evaluator.close();
    }
  }

  private void pipe(StudentPrediction turn) {
    evaluator.pipe(turn);
  }

  private static ModelPrediction c1(int predicted, float probability, Float kl, Float crossEntropy) {
    return model("c1", ModelRole.CHALLENGER, predicted, probability, kl, crossEntropy);
  }

  @Test
  void shouldComputeEveryMetricOfAWindowFromItsTurns() {
    // Given
    start(Map.of());

    // When: six turns of challenger c1 in [0 s, 10 s), then one at 16 s that closes the window
    //         turn  time   latency teacher gold  predicted  p      KL     CE
    pipe(timedTurn("a", 1_000, 40, 1, 1, c1(1, 0.875f, 0.25f, 0.125f)));
    pipe(timedTurn("b", 2_000, 10, 2, 2, c1(1, 0.625f, 0.5f, 1.5f)));
    pipe(timedTurn("c", 3_000, 30, 0, 0, c1(0, 0.75f, 0.125f, 0.25f)));
    pipe(timedTurn("d", 4_000, 20, 3, 0, c1(3, 0.375f, 1.0f, 2.0f)));
    pipe(timedTurn("e", 5_000, 50, 2, null, c1(2, 0.875f, 0.25f, null)));
    pipe(timedTurn("f", 6_000, 60, 1, null, c1(0, 0.25f, 2.0f, null)));
    pipe(timedTurn("z", 16_000, 5, 1, null, c1(1, 0.5f, null, null)));

    // Then
    // teacher agreement: a, c, d, e agree (b says 1 for 2, f says 0 for 1): 4 / 6
    // KL: (0.25 + 0.5 + 0.125 + 1.0 + 0.25 + 2.0) / 6 = 4.125 / 6
    // gold turns a, b, c, d; right on a and c: accuracy 2 / 4; CE (0.125 + 1.5 + 0.25 + 2.0) / 4
    // macro-F1 over labels 0..3 on gold turns: label 0 TP 1 (c) FN 1 (d): 2/3; label 1 TP 1 (a)
    //   FP 1 (b): 2/3; label 2 FN 1 (b): 0; label 3 FP 1 (d): 0; mean (2/3 + 2/3 + 0 + 0) / 4
    // oos on gold turns: predicted oos c; gold oos c, d: precision 1 / 1, recall 1 / 2
    // ECE teacher, |agreeing - sum p| per bin: bin 3 (f) |0 - 0.25|, bin 5 (d) |1 - 0.375|,
    //   bin 9 (b) |0 - 0.625|, bin 11 (c) |1 - 0.75|, bin 13 (a, e) |2 - 1.75|; over 6 turns
    // ECE gold, |gold-right - sum p| per bin on a-d: bin 5 (d) |0 - 0.375|, bin 9 (b) |0 - 0.625|,
    //   bin 11 (c) |1 - 0.75|, bin 13 (a) |1 - 0.875|; over 4 turns
    // latency sorted 10 20 30 40 50 60: p50 = 3rd (ceil 0.5 * 6), p95 = p99 = 6th
    assertThat(evaluator.metrics.readKeyValuesToList()).containsExactly(KeyValue.pair("c1",
        timeWindow("c1", "challenger", 0, 10_000)
            .setTurns(6)
            .setTeacherAgreements(4)
            .setTeacherAgreement(4.0 / 6)
            .setKlTeacher(4.125 / 6)
            .setGoldTurns(4)
            .setGoldCorrect(2)
            .setGoldAccuracy(2.0 / 4)
            .setGoldCrossEntropy((0.125 + 1.5 + 0.25 + 2.0) / 4)
            .setMacroF1((2.0 / 3 + 2.0 / 3 + 0.0 + 0.0) / 4)
            .setOosPrecision(1.0 / 1)
            .setOosRecall(1.0 / 2)
            .setEceTeacher((0.25 + 0.625 + 0.625 + 0.25 + 0.25) / 6)
            .setEceGold((0.375 + 0.625 + 0.25 + 0.125) / 4)
            .setLatencyP50Ms(30L)
            .setLatencyP95Ms(60L)
            .setLatencyP99Ms(60L)
            .setLatencySampleTurns(6)
            .build()));
  }

  @Test
  void shouldWeightTeacherMetricsAndCountGoldOnlyTurnsApartThroughTheTopology() {
    // Given
    start(Map.of());

    // When: four turns of c1 in [0 s, 10 s): three the teacher scored (b drawn at selection
    // probability 0.25, so weight 4) and one gold-only turn g, then one at 16 s that closes the window
    //         turn  time   latency teacher gold  predicted  p      KL     CE
    pipe(timedTurn("a", 1_000, 10, 1, null, c1(1, 0.875f, 0.25f, null)));
    pipe(StudentPrediction.newBuilder(timedTurn("b", 2_000, 20, 2, null, c1(1, 0.875f, 0.5f, null)))
        .setSelectionProbability(0.25).build());
    pipe(timedTurn("c", 3_000, 30, 0, null, c1(0, 0.25f, 1.0f, null)));
    pipe(StudentPrediction.newBuilder(timedTurn("g", 4_000, 40, 0, 2, c1(2, 0.5f, null, 0.5f)))
        .setTeacherIndex(-1).setTeacherLabel("").setTeacherScored(false).build());
    pipe(timedTurn("z", 16_000, 5, 1, null, c1(1, 0.5f, null, null)));

    // Then g is a turn and a gold turn, never teacher evidence:
    // agreement a, c of the scored a, b, c: 2 / 3; weighted (1 + 1) / (1 + 4 + 1) = 2 / 6
    // KL (0.25 + 0.5 + 1.0) / 3; weighted (0.25 + 4 * 0.5 + 1.0) / 6 = 3.25 / 6
    // ECE teacher: bin 13 (a, b) |1 - 1.75|, bin 3 (c) |1 - 0.25|; over 3 turns = 1.5 / 3
    //   weighted: bin 13 |1 - (0.875 + 4 * 0.875)| = 3.375, bin 3 0.75; over weight 6 = 4.125 / 6
    // gold: g alone, right, unweighted: accuracy 1, CE 0.5, ECE gold |1 - 0.5| = 0.5, macro-F1 1
    // latency 10 20 30 40: p50 = 2nd, p95 = p99 = 4th
    assertThat(evaluator.metrics.readKeyValuesToList()).containsExactly(KeyValue.pair("c1",
        timeWindow("c1", "challenger", 0, 10_000)
            .setTurns(4)
            .setGoldOnlyTurns(1)
            .setTeacherAgreements(2)
            .setTeacherAgreement(2.0 / 3)
            .setTeacherAgreementWeighted(2.0 / 6)
            .setKlTeacher(1.75 / 3)
            .setKlTeacherWeighted(3.25 / 6)
            .setGoldTurns(1)
            .setGoldCorrect(1)
            .setGoldAccuracy(1.0)
            .setGoldCrossEntropy(0.5)
            .setMacroF1(1.0)
            .setOosRecall(null)
            .setEceTeacher(1.5 / 3)
            .setEceTeacherWeighted(4.125 / 6)
            .setEceGold(0.5)
            .setLatencyP50Ms(20L)
            .setLatencyP95Ms(40L)
            .setLatencyP99Ms(40L)
            .setLatencySampleTurns(4)
            .build()));
  }

  @Test
  void shouldPublishNothingForAWindowInWhichNoTurnHappened() {
    // Given
    start(Map.of());

    // When: turns at 1 s and 25 s, none in [10 s, 20 s); stream time 41 s closes [20 s, 30 s)
    pipe(turn("r1", 1_000, 3, null, challenger("c1", 3)));
    pipe(turn("r2", 25_000, 3, null, challenger("c1", 1)));
    pipe(turn("r3", 41_000, 3, null, challenger("c1", 3)));

    // Then: an empty window emits no record at all (not a record of zeros); the two others,
    // each of one turn at p = 0.5: ECE teacher |agreeing - 0.5| / 1
    assertThat(evaluator.metrics.readKeyValuesToList()).containsExactly(
        KeyValue.pair("c1", sameLatency(timeWindow("c1", "challenger", 0, 10_000), 5, 1)
            .setTurns(1).setTeacherAgreements(1).setTeacherAgreement(1.0).setEceTeacher(0.5 / 1).build()),
        KeyValue.pair("c1", sameLatency(timeWindow("c1", "challenger", 20_000, 30_000), 5, 1)
            .setTurns(1).setTeacherAgreements(0).setTeacherAgreement(0.0).setEceTeacher(0.5 / 1).build()));
  }

  @Test
  void shouldLeaveEveryGoldMetricNullInAWindowWithoutGoldLabels() {
    // Given
    start(Map.of());

    // When: three turns without gold labels, one predicted out-of-scope
    //         turn  time   latency teacher gold  predicted  p      KL
    pipe(timedTurn("n1", 1_000, 7, 1, null, c1(1, 0.75f, 0.5f, null)));
    pipe(timedTurn("n2", 2_000, 3, 2, null, c1(0, 0.875f, 1.5f, null)));
    pipe(timedTurn("n3", 3_000, 11, 0, null, c1(0, 0.625f, 0.25f, null)));
    pipe(timedTurn("n4", 20_000, 5, 1, null, c1(1, 0.5f, null, null)));

    // Then: accuracy, cross-entropy, macro-F1, oos precision and recall (gold-based) and ECE
    // against gold are null; teacher agreement 2 / 3 (n1, n3), KL (0.5 + 1.5 + 0.25) / 3, ECE
    // teacher: bin 9 (n3) |1 - 0.625|, bin 11 (n1) |1 - 0.75|, bin 13 (n2) |0 - 0.875| over 3
    // turns; latency sorted 3 7 11: p50 = 2nd, p95 = p99 = 3rd
    assertThat(evaluator.metrics.readKeyValuesToList()).containsExactly(KeyValue.pair("c1",
        timeWindow("c1", "challenger", 0, 10_000)
            .setTurns(3)
            .setTeacherAgreements(2)
            .setTeacherAgreement(2.0 / 3)
            .setKlTeacher((0.5 + 1.5 + 0.25) / 3)
            .setEceTeacher((0.375 + 0.25 + 0.875) / 3)
            .setLatencyP50Ms(7L)
            .setLatencyP95Ms(11L)
            .setLatencyP99Ms(11L)
            .setLatencySampleTurns(3)
            .build()));
  }

  @Test
  void shouldCountLateTurnsWithinGraceAndDropAndCountThoseBeyondIt() {
    // Given tumbling 10 s windows with 5 s grace
    start(Map.of());

    // When: two gold turns and, late but within grace, a third turn in window [0 s, 10 s)
    pipe(turn("r1", 1_000, 3, 3, challenger("c1", 3), champion("k0", 3)));
    pipe(turn("r2", 4_000, 2, 7, challenger("c1", 2), champion("k0", 7)));
    pipe(turn("r3", 12_000, 1, null, challenger("c1", 1), champion("k0", 1)));
    pipe(turn("r4", 8_000, 4, null, challenger("c1", 0), champion("k0", 4)));

    // Then: nothing yet, stream time 12 s has not passed the first window's end plus grace (15 s)
    assertThat(evaluator.metrics.readKeyValuesToList()).isEmpty();

    // When: stream time reaches 16 s
    pipe(turn("r5", 16_000, 6, null, challenger("c1", 6), champion("k0", 0)));

    // Then: the first window with r4 counted as late (it came at stream time 12 s, after the
    // window's end). All turns have p = 0.5 (bin 7) and latency 5 ms.
    // c1: agrees on r1, r2 of r1, r2, r4; gold-right on r1 of r1, r2; macro-F1 over labels 2, 3,
    //   7: (0 + 1 + 0) / 3; ECE teacher |2 - 1.5| / 3; ECE gold |1 - 1.0| / 2
    // k0: agrees on r1, r4; gold-right on r1 and r2; macro-F1 over labels 3, 7: (1 + 1) / 2;
    //   ECE teacher |2 - 1.5| / 3; ECE gold |2 - 1.0| / 2
    assertThat(evaluator.metrics.readKeyValuesToList()).containsExactly(
        KeyValue.pair("c1", sameLatency(timeWindow("c1", "challenger", 0, 10_000), 5, 3)
            .setTurns(3).setTeacherAgreements(2).setTeacherAgreement(2.0 / 3).setLateTurns(1)
            .setGoldTurns(2).setGoldCorrect(1).setGoldAccuracy(1.0 / 2).setMacroF1((0.0 + 1.0 + 0.0) / 3)
            .setEceTeacher(0.5 / 3).setEceGold(0.0 / 2).build()),
        KeyValue.pair("k0", sameLatency(timeWindow("k0", "champion", 0, 10_000), 5, 3)
            .setTurns(3).setTeacherAgreements(2).setTeacherAgreement(2.0 / 3).setLateTurns(1)
            .setGoldTurns(2).setGoldCorrect(2).setGoldAccuracy(2.0 / 2).setMacroF1((1.0 + 1.0) / 2)
            .setEceTeacher(0.5 / 3).setEceGold(1.0 / 2).build()));

    // When: a turn of the closed first window arrives (beyond grace), then stream time reaches 30 s
    pipe(turn("r6", 9_000, 2, 2, challenger("c1", 2), champion("k0", 2)));
    pipe(turn("r7", 30_000, 1, null, challenger("c1", 1)));

    // Then: r6 was dropped for both models and counted: in the counter and in each model's next
    // record, the second window (r3, r5, no gold label: every gold metric null).
    // c1 agrees on r3 and r5: ECE teacher |2 - 1.0| / 2; k0 on r3 only: |1 - 1.0| / 2
    assertThat(evaluator.metrics.readKeyValuesToList()).containsExactly(
        KeyValue.pair("c1", sameLatency(timeWindow("c1", "challenger", 10_000, 20_000), 5, 2)
            .setTurns(2).setTeacherAgreements(2).setTeacherAgreement(1.0).setLateDroppedTurns(1)
            .setEceTeacher(1.0 / 2).build()),
        KeyValue.pair("k0", sameLatency(timeWindow("k0", "champion", 10_000, 20_000), 5, 2)
            .setTurns(2).setTeacherAgreements(1).setTeacherAgreement(0.5).setLateDroppedTurns(1)
            .setEceTeacher(0.0 / 2).build()));
    assertThat(evaluator.lateTurns.total()).isEqualTo(2);
  }

  @Test
  void shouldPublishMetricsOverTheLastNTurnsOfEachModelAndRole() {
    // Given N = 3, a record every 2 turns of a model and role, and hour-long time windows that
    // do not close during the test
    start(Map.of(EvaluatorConfig.METRICS_LAST_TURNS, 3, EvaluatorConfig.METRICS_LAST_TURNS_EVERY, 2,
        EvaluatorConfig.WINDOW_SIZE_MS, 3_600_000L, EvaluatorConfig.WINDOW_ADVANCE_MS, 3_600_000L));

    // When: four turns of c1 (event times out of order), one of champion k1
    //         turn   time   latency teacher gold  predicted  p      KL     CE
    pipe(timedTurn("l1", 5_000, 10, 1, 1, c1(1, 0.75f, 0.5f, 0.25f), champion("k1", 1)));
    pipe(timedTurn("l2", 1_000, 20, 2, null, c1(1, 0.5f, 1.0f, null)));

    // Then, after c1's 2nd turn: l1, l2 from 1 s to 5 s + 1 ms; k1 has 1 turn, no record yet.
    // agreement 1 / 2 (l1); gold l1 right: accuracy 1 / 1, macro-F1 over label 1 = 1;
    // KL (0.5 + 1.0) / 2; CE 0.25 / 1; ECE gold bin 11 |1 - 0.75| / 1; ECE teacher bin 7 (l2)
    // |0 - 0.5| + bin 11 (l1) |1 - 0.75| over 2; latency 10 20: p50 = 1st, p95 = p99 = 2nd
    assertThat(evaluator.metrics.readKeyValuesToList()).containsExactly(KeyValue.pair("c1",
        lastTurns("c1", "challenger", 3, 1_000, 5_001)
            .setTurns(2).setTeacherAgreements(1).setTeacherAgreement(1.0 / 2)
            .setKlTeacher((0.5 + 1.0) / 2)
            .setGoldTurns(1).setGoldCorrect(1).setGoldAccuracy(1.0 / 1).setGoldCrossEntropy(0.25 / 1)
            .setMacroF1(1.0)
            .setEceGold(0.25 / 1).setEceTeacher((0.5 + 0.25) / 2)
            .setLatencyP50Ms(10L).setLatencyP95Ms(20L).setLatencyP99Ms(20L).setLatencySampleTurns(2)
            .build()));

    // When: two more turns of c1
    pipe(timedTurn("l3", 3_000, 30, 0, 0, c1(0, 0.875f, 0.25f, 0.125f)));
    pipe(timedTurn("l4", 7_000, 40, 2, 1, c1(2, 0.625f, 2.0f, 3.0f)));

    // Then: the last 3 turns are l2, l3, l4 (l1 has left), from 1 s to 7 s + 1 ms.
    // agreement 2 / 3 (l3, l4); gold l3 (right, oos) and l4 (says 2 for 1): accuracy 1 / 2,
    // macro-F1 labels 0: 1, 1: 0 (FN), 2: 0 (FP): (1 + 0 + 0) / 3; oos precision 1 / 1, recall
    // 1 / 1; KL (1.0 + 0.25 + 2.0) / 3; CE (0.125 + 3.0) / 2; ECE gold bin 9 (l4) |0 - 0.625|
    // + bin 13 (l3) |1 - 0.875| over 2; ECE teacher bin 7 (l2) |0 - 0.5| + bin 9 (l4)
    // |1 - 0.625| + bin 13 (l3) |1 - 0.875| over 3; latency 20 30 40: p50 = 2nd, p95 = p99 = 3rd
    assertThat(evaluator.metrics.readKeyValuesToList()).containsExactly(KeyValue.pair("c1",
        lastTurns("c1", "challenger", 3, 1_000, 7_001)
            .setTurns(3).setTeacherAgreements(2).setTeacherAgreement(2.0 / 3)
            .setKlTeacher((1.0 + 0.25 + 2.0) / 3)
            .setGoldTurns(2).setGoldCorrect(1).setGoldAccuracy(1.0 / 2).setGoldCrossEntropy((0.125 + 3.0) / 2)
            .setMacroF1((1.0 + 0.0 + 0.0) / 3)
            .setOosPrecision(1.0 / 1).setOosRecall(1.0 / 1)
            .setEceGold((0.625 + 0.125) / 2).setEceTeacher((0.5 + 0.375 + 0.125) / 3)
            .setLatencyP50Ms(30L).setLatencyP95Ms(40L).setLatencyP99Ms(40L).setLatencySampleTurns(3)
            .build()));
  }

  @Test
  void shouldForgetTheLastTurnsOfAModelNotSeenForTheRetention() {
    // Given N = 2, a record every 2 turns, and keys forgotten after 10 s of event time without a turn
    start(Map.of(EvaluatorConfig.METRICS_LAST_TURNS, 2, EvaluatorConfig.METRICS_LAST_TURNS_EVERY, 2,
        EvaluatorConfig.METRICS_LAST_TURNS_RETENTION_MS, 10_000L,
        EvaluatorConfig.WINDOW_SIZE_MS, 3_600_000L, EvaluatorConfig.WINDOW_ADVANCE_MS, 3_600_000L));

    // When: one turn of c1 at 0 s, then two of k1 at 15 s and 21 s, then a second turn of c1
    pipe(turn("f1", 0, 1, null, challenger("c1", 1)));
    pipe(turn("f2", 15_000, 1, null, champion("k1", 1)));
    pipe(turn("f3", 21_000, 1, null, champion("k1", 2)));
    pipe(turn("f4", 22_000, 1, null, challenger("c1", 1)));

    // Then: only k1's record; c1 was forgotten once stream time passed 10 s with c1 idle since 0 s,
    // so f4 is its first turn again. k1: f2 agrees, f3 does not, both at p = 0.5: ECE |1 - 1.0| / 2
    assertThat(evaluator.metrics.readKeyValuesToList()).containsExactly(KeyValue.pair("k1",
        sameLatency(lastTurns("k1", "champion", 2, 15_000, 21_001), 5, 2)
            .setTurns(2).setTeacherAgreements(1).setTeacherAgreement(1.0 / 2).setEceTeacher(0.0 / 2).build()));
  }
}
