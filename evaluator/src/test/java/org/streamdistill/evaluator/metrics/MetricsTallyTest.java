package org.streamdistill.evaluator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.streamdistill.evaluator.ModelRole;
import org.streamdistill.evaluator.Turns;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.RollingMetrics;
import org.streamdistill.records.StudentPrediction;

class MetricsTallyTest {

  private static final ModelKey KEY = new ModelKey("c1", "challenger");

  private static TurnOutcome outcome(long sampleKey, long latencyMs) {
    return new TurnOutcome(0, 1, true, null, false, false, 0.5f, null, null, latencyMs, sampleKey);
  }

  @Test
  void shouldBinProbabilitiesIntoFifteenEqualWidthBins() {
    assertThat(MetricsTally.binOf(0.0f)).isZero();
    assertThat(MetricsTally.binOf(0.066f)).isZero();
    assertThat(MetricsTally.binOf(0.067f)).isEqualTo(1);
    assertThat(MetricsTally.binOf(0.5f)).isEqualTo(7);
    assertThat(MetricsTally.binOf(0.93f)).isEqualTo(13);
    assertThat(MetricsTally.binOf(0.94f)).isEqualTo(14);
    assertThat(MetricsTally.binOf(1.0f)).isEqualTo(14);
  }

  @Test
  void shouldTakeNearestRankPercentilesOfEveryTurnWhileTheSampleHasRoom() {
    // Given latencies 1..20 ms
    MetricsTally tally = new MetricsTally(100);
    for (int latency = 20; latency >= 1; latency--) {
      tally.add(outcome(latency * 7919L, latency), false);
    }

    // When
    RollingMetrics metrics = tally.toRollingMetrics(KEY, 0, 10, "time", null, 0);

    // Then: p50 = 10th of 20, p95 = 19th, p99 = 20th
    assertThat(List.of(metrics.getLatencyP50Ms(), metrics.getLatencyP95Ms(), metrics.getLatencyP99Ms(),
        metrics.getLatencySampleTurns())).containsExactly(10L, 19L, 20L, 20L);
  }

  @Test
  void shouldKeepTheTurnsWithTheSmallestSampleKeysWhateverTheirOrder() {
    // Given 10 turns whose sample key is their latency, offered in two different orders
    List<Long> latencies = new ArrayList<>();
    for (long latency = 1; latency <= 10; latency++) {
      latencies.add(latency);
    }
    List<Long> shuffled = new ArrayList<>(latencies);
    Collections.shuffle(shuffled, new Random(3));
    MetricsTally inOrder = new MetricsTally(4);
    MetricsTally outOfOrder = new MetricsTally(4);
    latencies.forEach(latency -> inOrder.add(outcome(latency, latency), false));
    shuffled.forEach(latency -> outOfOrder.add(outcome(latency, latency), false));

    // When
    RollingMetrics first = inOrder.toRollingMetrics(KEY, 0, 10, "time", null, 0);
    RollingMetrics second = outOfOrder.toRollingMetrics(KEY, 0, 10, "time", null, 0);

    // Then: the sample holds latencies 1-4 (the smallest keys): p50 = 2nd, p95 = p99 = 4th
    assertThat(first).isEqualTo(second);
    assertThat(List.of(first.getTurns(), first.getLatencySampleTurns(), first.getLatencyP50Ms(),
        first.getLatencyP95Ms(), first.getLatencyP99Ms())).containsExactly(10L, 4L, 2L, 4L, 4L);
  }

  @Test
  void shouldPublishTheSameMetricsAfterARoundTripThroughItsSerde() {
    // Given a tally with gold and non-gold turns, oos, KL and cross-entropy
    MetricsTally tally = new MetricsTally(8);
    tally.add(new TurnOutcome(1, 0, true, 0, true, true, 0.875f, 0.25f, 0.5f, 12, 5), false);
    tally.add(new TurnOutcome(2, 3, false, 4, false, false, 0.375f, 1.5f, 2.0f, 7, 9), true);
    tally.add(new TurnOutcome(3, 4, true, null, false, false, 0.625f, 0.75f, null, 30, 1, 20.0), false);
    tally.add(new TurnOutcome(4, 2, false, 2, false, false, 0.5f, null, 0.125f, 3, 2, 1.0, false), false);

    // When
    byte[] bytes = MetricsTally.serde().serializer().serialize("t", tally);
    MetricsTally copy = MetricsTally.serde().deserializer().deserialize("t", bytes);

    // Then
    assertThat(copy.toRollingMetrics(KEY, 0, 10, "time", null, 3))
        .isEqualTo(tally.toRollingMetrics(KEY, 0, 10, "time", null, 3));
  }

  @Test
  void shouldRefuseATallyOfAnUnknownFormat() {
    byte[] bytes = MetricsTally.serde().serializer().serialize("t", new MetricsTally(1));
    bytes[0] = 7;
    assertThatThrownBy(() -> MetricsTally.serde().deserializer().deserialize("metrics-time-windows-changelog", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessage("a MetricsTally on metrics-time-windows-changelog has format version 7, this evaluator reads"
            + " versions 1 to 3");
  }

  @Test
  void shouldReadATurnOutcomeFromAPredictionAndRoundTripIt() {
    // Given a gold turn labelled oos that c1 predicted as oos, 40 ms after it happened
    ModelPrediction model = Turns.model("c1", ModelRole.CHALLENGER, 0, 0.75f, 0.5f, 0.25f);
    StudentPrediction turn = Turns.timedTurn("t1", 1_000, 40, 3, 0, model);

    // When
    TurnOutcome outcome = TurnOutcome.of(turn, model, "oos");

    // Then
    assertThat(outcome).isEqualTo(new TurnOutcome(1_000, 0, false, 0, true, true, 0.75f, 0.5f, 0.25f, 40,
        TurnOutcome.sampleKeyOf("t1")));
    assertThat(TurnOutcome.serde().deserializer().deserialize("t",
        TurnOutcome.serde().serializer().serialize("t", outcome))).isEqualTo(outcome);
    assertThat(TurnOutcome.of(turn, model, "out_of_scope").predictedOos()).isFalse();
  }

  @Test
  void shouldIgnoreACrossEntropyOnATurnWithoutGold() {
    ModelPrediction model = Turns.model("c1", ModelRole.CHALLENGER, 2, 0.5f, null, 1.0f);
    StudentPrediction turn = StudentPrediction.newBuilder(Turns.turn("t2", 0, 3, null, model))
        .setPredictedAt(Instant.ofEpochMilli(9))
        .build();

    TurnOutcome outcome = TurnOutcome.of(turn, model, "oos");

    assertThat(outcome.goldCrossEntropy()).isNull();
    assertThat(outcome.latencyMs()).isEqualTo(9);
    assertThat(outcome.hasGold()).isFalse();
  }

  @Test
  void shouldWeightTeacherAgreementByInverseSelectionProbability() {
    // Given three turns the teacher scored: two it had to (weight 1), agreeing and not, and one audited at 5 % (weight 20)
    MetricsTally tally = new MetricsTally(8);
    tally.add(new TurnOutcome(1, 0, true, null, false, false, 0.5f, null, null, 1, 1, 1.0), false);
    tally.add(new TurnOutcome(2, 0, false, null, false, false, 0.5f, null, null, 1, 2, 1.0), false);
    tally.add(new TurnOutcome(3, 0, true, null, false, false, 0.5f, null, null, 1, 3, 20.0), false);

    // When
    var metrics = tally.toRollingMetrics(KEY, 0, 10, "time", null, 0);

    // Then the plain share counts turns, the weighted one the stream they stand for: (1 + 20) / 22
    assertThat(metrics.getTeacherAgreement()).isEqualTo(2.0 / 3);
    assertThat(metrics.getTeacherAgreementWeighted()).isEqualTo(21.0 / 22);
  }

  @Test
  void shouldWeightKlAndTeacherCalibrationAndCountAGoldOnlyTurnWithoutTakingItAsTeacherEvidence() {
    // Given three turns the teacher scored and one gold-only turn (skipped by the gate, gold 2, right):
    //   a: p 0.875 (bin 13), agrees,    kl 0.25, weight 1
    //   b: p 0.875 (bin 13), disagrees, kl 0.5,  weight 4 (uniform at 0.25)
    //   c: p 0.25  (bin 3),  agrees,    kl 1.0,  weight 1
    //   g: p 0.5   (bin 7),  gold-only, no kl,   weight 1
    MetricsTally tally = new MetricsTally(8);
    tally.add(new TurnOutcome(1, 0, true, null, false, false, 0.875f, 0.25f, null, 1, 1, 1.0), false);
    tally.add(new TurnOutcome(2, 1, false, null, false, false, 0.875f, 0.5f, null, 1, 2, 4.0), false);
    tally.add(new TurnOutcome(3, 0, true, null, false, false, 0.25f, 1.0f, null, 1, 3, 1.0), false);
    tally.add(new TurnOutcome(4, 2, false, 2, false, false, 0.5f, null, 0.5f, 1, 4, 1.0, false), false);

    // When
    RollingMetrics metrics = tally.toRollingMetrics(KEY, 0, 10, "time", null, 0);

    // Then the gold-only turn counts as a turn and a gold turn, never as teacher evidence:
    //   agreement 2 of 3 scored turns; weighted (1 + 1) / (1 + 4 + 1) = 1/3
    //   KL (0.25 + 0.5 + 1) / 3; weighted (0.25 + 4 * 0.5 + 1) / 6 = 3.25 / 6
    //   ECE teacher: bin 13 |1 - 1.75| + bin 3 |1 - 0.25| = 1.5 over 3 turns = 0.5;
    //   weighted: bin 13 |1 - 5 * 0.875| = 3.375, bin 3 0.75, over weight 6 = 0.6875
    //   gold: 1 turn, right, ECE gold |1 - 0.5| = 0.5, unweighted
    assertThat(List.of(metrics.getTurns(), metrics.getGoldOnlyTurns(), metrics.getTeacherAgreements(),
        metrics.getGoldTurns(), metrics.getGoldCorrect())).containsExactly(4L, 1L, 2L, 1L, 1L);
    assertThat(metrics.getTeacherAgreement()).isEqualTo(2.0 / 3);
    assertThat(metrics.getTeacherAgreementWeighted()).isEqualTo(2.0 / 6);
    assertThat(metrics.getKlTeacher()).isEqualTo(1.75 / 3);
    assertThat(metrics.getKlTeacherWeighted()).isEqualTo(3.25 / 6);
    assertThat(metrics.getEceTeacher()).isEqualTo(0.5);
    assertThat(metrics.getEceTeacherWeighted()).isEqualTo(0.6875);
    assertThat(metrics.getEceGold()).isEqualTo(0.5);
    assertThat(metrics.getGoldCrossEntropy()).isEqualTo(0.5);
  }

  @Test
  void shouldLeaveTheWeightedMetricsNullWhenEveryTurnWeighsOneGoldOnlyTurnsIncluded() {
    // Given two scored turns of weight 1 and a gold-only turn
    MetricsTally tally = new MetricsTally(8);
    tally.add(new TurnOutcome(1, 0, true, null, false, false, 0.875f, 0.25f, null, 1, 1, 1.0), false);
    tally.add(new TurnOutcome(2, 1, false, null, false, false, 0.25f, 0.5f, null, 1, 2, 1.0), false);
    tally.add(new TurnOutcome(3, 2, false, 1, false, false, 0.5f, null, null, 1, 3, 1.0, false), false);

    // When
    RollingMetrics metrics = tally.toRollingMetrics(KEY, 0, 10, "time", null, 0);

    // Then nothing is weighted, and the plain teacher metrics cover the two scored turns
    assertThat(Arrays.asList(metrics.getTeacherAgreementWeighted(), metrics.getKlTeacherWeighted(),
        metrics.getEceTeacherWeighted())).containsOnlyNulls();
    assertThat(metrics.getTeacherAgreement()).isEqualTo(0.5);
    assertThat(metrics.getKlTeacher()).isEqualTo(0.375);
  }

  @Test
  void shouldReadAGoldOnlyPredictionAsATurnWithoutTeacherEvidence() {
    // Given a gold-only turn (teacher index -1) whose prediction, oddly, carries a KL
    ModelPrediction model = Turns.model("c1", ModelRole.CHALLENGER, 2, 0.75f, 0.5f, 0.25f);
    StudentPrediction turn = StudentPrediction.newBuilder(Turns.timedTurn("t1", 1_000, 40, 3, 2, model))
        .setTeacherIndex(-1).setTeacherLabel("").setTeacherScored(false).build();

    // When
    TurnOutcome outcome = TurnOutcome.of(turn, model, "oos");

    // Then it agrees with no teacher, has no KL, and says so through the serde too
    assertThat(outcome).isEqualTo(new TurnOutcome(1_000, 2, false, 2, false, false, 0.75f, null, 0.25f, 40,
        TurnOutcome.sampleKeyOf("t1"), 1.0, false));
    assertThat(TurnOutcome.serde().deserializer().deserialize("t",
        TurnOutcome.serde().serializer().serialize("t", outcome))).isEqualTo(outcome);
  }

  @Test
  void shouldReadAWeightFromAPredictionsSelectionProbabilityAndAStoredOutcomeWithoutOneAsOne() {
    // Given a turn the gate audited at a 0.05 share
    ModelPrediction model = Turns.model("c1", ModelRole.CHALLENGER, 0, 0.75f, 0.5f, 0.25f);
    StudentPrediction turn = StudentPrediction.newBuilder(Turns.timedTurn("t1", 1_000, 40, 3, 0, model))
        .setSelectionProbability(0.05).build();

    // When
    TurnOutcome outcome = TurnOutcome.of(turn, model, "oos");

    // Then it stands for 20 turns, through the serde too
    assertThat(outcome.weight()).isEqualTo(20.0, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(TurnOutcome.serde().deserializer().deserialize("t",
        TurnOutcome.serde().serializer().serialize("t", outcome))).isEqualTo(outcome);
    // and an outcome stored before weights existed (format 2: no weight at the end) reads as weight 1
    byte[] current = TurnOutcome.serde().serializer().serialize("t", outcome);
    byte[] old = java.util.Arrays.copyOf(current, current.length - Double.BYTES);
    old[0] = 2;
    assertThat(TurnOutcome.serde().deserializer().deserialize("t", old).weight()).isEqualTo(1.0);
  }
}
