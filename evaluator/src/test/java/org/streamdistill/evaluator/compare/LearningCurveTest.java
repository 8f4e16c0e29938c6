package org.streamdistill.evaluator.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.StudentPrediction;

class LearningCurveTest {

  @Test
  void shouldCutTheOrderedPredictionsIntoBlocksAndCountTurnsLearned() {
    // 10 predictions, every one learned but the held-out 5th and 10th; the first 5 right on 1, the last 5 on 4
    List<PredictedTurn> ordered = new ArrayList<>();
    boolean[] agrees = {true, false, false, false, false, true, true, true, false, true};
    for (int i = 0; i < 10; i++) {
      boolean heldOut = i == 4 || i == 9;
      ordered.add(new PredictedTurn("t" + i, i, heldOut, !heldOut, agrees[i], i % 2 == 0 ? agrees[i] : null));
    }

    List<LearningCurve.Point> curve = LearningCurve.of(ordered, 2);

    assertThat(curve).hasSize(2);
    assertThat(curve.get(0).turnsLearned()).isEqualTo(4);
    assertThat(curve.get(0).agreement()).isEqualTo(0.2);
    assertThat(curve.get(0).goldAccuracy()).isEqualTo(1.0 / 3); // t0 right, t2 and t4 wrong
    assertThat(curve.get(1).turnsLearned()).isEqualTo(8);
    assertThat(curve.get(1).agreement()).isEqualTo(0.8);
    assertThat(curve.get(1).goldAccuracy()).isEqualTo(0.5); // t6 right, t8 wrong
  }

  @Test
  void shouldTakeAgreementOnlyOverTheTurnsTheTeacherScoredAndGoldOverGoldOnlyTurnsToo() {
    // Given a block of 4: two scored turns (one agrees), two gold-only turns (no teacher, gold right)
    List<PredictedTurn> ordered = List.of(new PredictedTurn("a", 1, false, true, true, null),
        new PredictedTurn("g1", 2, false, true, null, true), new PredictedTurn("b", 3, false, true, false, null),
        new PredictedTurn("g2", 4, false, true, null, true));

    LearningCurve.Point point = LearningCurve.of(ordered, 1).get(0);

    assertThat(point.agreement()).isEqualTo(0.5);
    assertThat(point.goldAccuracy()).isEqualTo(1.0);
    assertThat(point.turnsLearned()).isEqualTo(4);
    // And a gold-only prediction record reads as no agreement evidence
    PredictedTurn goldOnly = new NamespacePredictions.Builder("ns", "student").add(StudentPrediction.newBuilder(
        Predictions.record("g3", 5, false, true, 0, 0, 2, "student-v1")).setTeacherIndex(-1).setTeacherLabel("")
        .setTeacherScored(false).build()).build().turns().get("g3");
    assertThat(goldOnly.agreesWithTeacher()).isNull();
    assertThat(goldOnly.goldCorrect()).isFalse();
  }
}
