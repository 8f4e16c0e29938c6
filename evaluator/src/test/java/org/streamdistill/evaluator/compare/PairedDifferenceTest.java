package org.streamdistill.evaluator.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamdistill.evaluator.compare.PredictedTurn.Metric;
import org.streamdistill.evaluator.compare.PredictedTurn.Split;

class PairedDifferenceTest {

  private static final PairedDifference.Method METHOD = new PairedDifference.Method(20_000, 0.95, 7);

  /**
   * 100 held-out turns: both right on 67, only the baseline on 3, only the variant on 10, both
   * wrong on 20. By hand: baseline 70 %, variant 77 %, difference +7 points; McNemar two-sided
   * exact p = 2 P(X >= 10 | X ~ Bin(13, 1/2)) = 2 (C(13,10) + C(13,11) + C(13,12) + C(13,13)) / 2^13
   * = 2 (286 + 78 + 13 + 1) / 8192 = 756 / 8192 = 0.0922851...; the interval about the normal
   * approximation's 0.07 +- 1.96 sqrt((0.13 - 0.07^2) / 100) = [0.0007, 0.1393].
   */
  @Test
  void shouldMatchTheFiguresComputedByHand() {
    Map<String, PredictedTurn> baseline = new HashMap<>();
    Map<String, PredictedTurn> variant = new HashMap<>();
    add(baseline, variant, 67, true, true, true);
    add(baseline, variant, 3, true, false, true);
    add(baseline, variant, 10, false, true, true);
    add(baseline, variant, 20, false, false, true);
    // training turns and turns only one side predicted must not count among the held-out pairs
    add(baseline, variant, 50, false, true, false);
    baseline.put("only-baseline", turn("only-baseline", true, true));

    PairedDifference d = PairedDifference.of(baseline, variant, Split.HELD_OUT, Metric.TEACHER_AGREEMENT, METHOD);

    assertThat(d.pairs()).isEqualTo(100);
    assertThat(d.baselineRate()).isEqualTo(0.70);
    assertThat(d.variantRate()).isEqualTo(0.77);
    assertThat(d.difference()).isCloseTo(0.07, within(1e-12));
    assertThat(d.onlyBaseline()).isEqualTo(3);
    assertThat(d.onlyVariant()).isEqualTo(10);
    assertThat(d.pValue()).isCloseTo(756.0 / 8192.0, within(1e-12));
    assertThat(d.interval().low()).isCloseTo(0.0007, within(0.015));
    assertThat(d.interval().high()).isCloseTo(0.1393, within(0.015));
    assertThat(d.significant(0.95)).isFalse(); // p = 0.092
    // the training turns form their own comparison: 50 pairs, the variant right on all, the baseline on none
    PairedDifference training = PairedDifference.of(baseline, variant, Split.TRAINING, Metric.TEACHER_AGREEMENT,
        METHOD);
    assertThat(training.pairs()).isEqualTo(50);
    assertThat(training.difference()).isEqualTo(1.0);
    assertThat(training.interval().low()).isEqualTo(1.0);
    assertThat(training.pValue()).isCloseTo(2.0 / Math.pow(2, 50), within(1e-20));
    assertThat(training.significant(0.95)).isTrue();
  }

  @Test
  void shouldCountGoldAccuracyOnlyOnTurnsWithAGoldLabel() {
    Map<String, PredictedTurn> baseline = new HashMap<>();
    Map<String, PredictedTurn> variant = new HashMap<>();
    baseline.put("a", new PredictedTurn("a", 1, true, false, true, true));
    variant.put("a", new PredictedTurn("a", 1, true, false, true, false));
    baseline.put("b", new PredictedTurn("b", 2, true, false, true, null));
    variant.put("b", new PredictedTurn("b", 2, true, false, true, null));

    PairedDifference d = PairedDifference.of(baseline, variant, Split.HELD_OUT, Metric.GOLD_ACCURACY, METHOD);

    assertThat(d.pairs()).isEqualTo(1);
    assertThat(d.baselineRate()).isEqualTo(1.0);
    assertThat(d.variantRate()).isEqualTo(0.0);
    assertThat(d.onlyBaseline()).isEqualTo(1);
  }

  @Test
  void shouldGiveTheSameIntervalForTheSameSeedAndADifferentOneOtherwise() {
    PairedBootstrap.Interval a = PairedBootstrap.interval(200, 20, 30, 2_000, 0.95, 1);
    PairedBootstrap.Interval b = PairedBootstrap.interval(200, 20, 30, 2_000, 0.95, 1);
    PairedBootstrap.Interval c = PairedBootstrap.interval(200, 20, 30, 2_000, 0.95, 2);

    assertThat(a).isEqualTo(b);
    assertThat(c).isNotEqualTo(a);
    assertThat(a.low()).isLessThan(0.05).isGreaterThan(-0.05);
    assertThat(a.high()).isGreaterThan(0.05).isLessThan(0.15);
  }

  private static int next;

  private static void add(Map<String, PredictedTurn> baseline, Map<String, PredictedTurn> variant, int count,
      boolean baselineRight, boolean variantRight, boolean heldOut) {
    for (int i = 0; i < count; i++) {
      String id = "turn-" + next++;
      baseline.put(id, turn(id, baselineRight, heldOut));
      variant.put(id, turn(id, variantRight, heldOut));
    }
  }

  private static PredictedTurn turn(String id, boolean agrees, boolean heldOut) {
    return new PredictedTurn(id, 0, heldOut, !heldOut, agrees, null);
  }
}
