package org.streamdistill.student.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DistillationLossTest {

  private static final float LN2 = (float) Math.log(2);
  private static final float LN3 = (float) Math.log(3);

  private final DistillationLoss loss = new DistillationLoss(0.5f);

  @Test
  void shouldMatchHandComputedKlAtTemperatureOneWithoutGold() {
    // Given s = [0, 0] -> q = [1/2, 1/2]; t = [ln 3, 0] -> p = [3/4, 1/4]; T = 1.
    // KL(p||q) = 3/4 ln(3/4 / 1/2) + 1/4 ln(1/4 / 1/2) = 3/4 ln 1.5 + 1/4 ln 0.5
    //          = 0.75 * 0.4054651 - 0.25 * 0.6931472 = 0.1308120; L = T^2 KL = 0.1308120.
    // dL/ds = T (q - p) = [0.5 - 0.75, 0.5 - 0.25] = [-0.25, 0.25].
    DistillationLoss.Result r = loss.evaluate(new float[] {0, 0}, new float[] {LN3, 0}, 1f, null);

    assertThat(r.loss()).isCloseTo(0.1308120, within(1e-6));
    assertThat(r.gradient()).containsExactly(new float[] {-0.25f, 0.25f}, within(1e-6f));
  }

  @Test
  void shouldScaleKlByTemperatureSquaredAtTemperatureTwo() {
    // Given s = [0, 0] -> q = softmax(s/2) = [1/2, 1/2]; t = [2 ln 3, 0] -> t/2 = [ln 3, 0]
    // -> p = [3/4, 1/4]; T = 2. KL is the 0.1308120 of the T=1 case, so
    // L = 4 * 0.1308120 = 0.5232481 and dL/ds = T (q - p) = 2 [-0.25, 0.25] = [-0.5, 0.5].
    DistillationLoss.Result r =
        loss.evaluate(new float[] {0, 0}, new float[] {2 * LN3, 0}, 2f, null);

    assertThat(r.loss()).isCloseTo(0.5232481, within(1e-6));
    assertThat(r.gradient()).containsExactly(new float[] {-0.5f, 0.5f}, within(1e-6f));
  }

  @Test
  void shouldAddWeightedCrossEntropyWhenGoldIsPresentAtTemperatureOne() {
    // Given s = [ln 2, 0, 0] -> softmax(s) = q = [1/2, 1/4, 1/4]; t = [0, 0, 0] -> p = 1/3 each;
    // T = 1, gold = 1, alpha = 0.5.
    // KL = 1/3 [ln((1/3)/(1/2)) + 2 ln((1/3)/(1/4))] = 1/3 [ln(2/3) + 2 ln(4/3)]
    //    = 1/3 [-0.4054651 + 2 * 0.2876821] = 0.0566330.
    // CE = -ln(1/4) = 1.3862944; L = 0.0566330 + 0.5 * 1.3862944 = 0.7497802.
    // dL/ds = (q - p) + 0.5 (q - e1) = [1/6, -1/12, -1/12] + [0.25, -0.375, 0.125]
    //       = [0.4166667, -0.4583333, 0.0416667].
    DistillationLoss.Result r =
        loss.evaluate(new float[] {LN2, 0, 0}, new float[] {0, 0, 0}, 1f, 1);

    assertThat(r.loss()).isCloseTo(0.7497802, within(1e-6));
    assertThat(r.gradient())
        .containsExactly(new float[] {0.4166667f, -0.4583333f, 0.0416667f}, within(1e-6f));
  }

  @Test
  void shouldUseTemperatureOneSoftmaxForTheGoldTermAtTemperatureTwo() {
    // Given s = [2 ln 2, 0, 0]: s/2 = [ln 2, 0, 0] -> q = [1/2, 1/4, 1/4], while the gold term
    // sees softmax(s) = [4, 1, 1] / 6 = [2/3, 1/6, 1/6]; t = [0, 0, 0] -> p = 1/3 each;
    // T = 2, gold = 0, alpha = 0.5.
    // T^2 KL = 4 * 0.0566330 = 0.2265320; CE = -ln(2/3) = 0.4054651;
    // L = 0.2265320 + 0.5 * 0.4054651 = 0.4292646.
    // dL/ds = 2 (q - p) + 0.5 (softmax(s) - e0) = [1/3, -1/6, -1/6] + [-1/6, 1/12, 1/12]
    //       = [1/6, -1/12, -1/12].
    DistillationLoss.Result r =
        loss.evaluate(new float[] {2 * LN2, 0, 0}, new float[] {0, 0, 0}, 2f, 0);

    assertThat(r.loss()).isCloseTo(0.4292646, within(1e-6));
    assertThat(r.gradient())
        .containsExactly(new float[] {1 / 6f, -1 / 12f, -1 / 12f}, within(1e-6f));
  }

  @Test
  void shouldContributeOnlyTheWeightedCrossEntropyForAGoldOnlyExample() {
    // Given s = [ln 2, 0, 0] -> softmax(s) = [1/2, 1/4, 1/4]; no teacher logits; gold = 1; alpha = 0.5.
    // L = alpha CE = 0.5 * -ln(1/4) = 0.5 * 1.3862944 = 0.6931472.
    // dL/ds = alpha (softmax(s) - e1) = 0.5 [1/2, -3/4, 1/4] = [0.25, -0.375, 0.125].
    DistillationLoss.Result r = loss.evaluate(new float[] {LN2, 0, 0}, null, 1f, 1);

    assertThat(r.loss()).isCloseTo(0.6931472, within(1e-6));
    assertThat(r.gradient()).containsExactly(new float[] {0.25f, -0.375f, 0.125f}, within(1e-6f));
  }

  @Test
  void shouldIgnoreTheTemperatureForAGoldOnlyExample() {
    // Given the example above at T = 4: the gold term always uses softmax(s) at temperature 1, and
    // there is no teacher term to scale, so L and dL/ds are those of T = 1.
    DistillationLoss.Result r = loss.evaluate(new float[] {LN2, 0, 0}, null, 4f, 1);

    assertThat(r.loss()).isCloseTo(0.6931472, within(1e-6));
    assertThat(r.gradient()).containsExactly(new float[] {0.25f, -0.375f, 0.125f}, within(1e-6f));
  }

  @Test
  void shouldGiveAGoldOnlyExampleExactlyTheGoldTermOfAFullExample() {
    // Given a full example with gold and the same example without gold: their difference is the
    // gold term, which a gold-only example must equal.
    float[] s = {0.3f, -1.2f, 2.0f, 0.1f};
    float[] t = {1.0f, 0.5f, -0.5f, 2.0f};
    DistillationLoss.Result full = loss.evaluate(s, t, 3f, 2);
    DistillationLoss.Result softOnly = loss.evaluate(s, t, 3f, null);

    DistillationLoss.Result goldOnly = loss.evaluate(s, null, 3f, 2);

    assertThat(goldOnly.loss()).isCloseTo(full.loss() - softOnly.loss(), within(1e-6));
    for (int i = 0; i < s.length; i++) {
      assertThat(goldOnly.gradient()[i]).isCloseTo(full.gradient()[i] - softOnly.gradient()[i], within(1e-6f));
    }
  }

  @Test
  void shouldRefuseAnExampleWithNeitherTeacherLogitsNorGold() {
    assertThatThrownBy(() -> loss.evaluate(new float[] {0, 0}, null, 1f, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a gold label");
  }

  @Test
  void shouldBeZeroWhenStudentMatchesTeacherAndNoGold() {
    DistillationLoss.Result r =
        loss.evaluate(new float[] {1, -2, 3}, new float[] {1, -2, 3}, 4f, null);

    assertThat(r.loss()).isCloseTo(0, within(1e-12));
    assertThat(r.gradient()).containsExactly(new float[] {0, 0, 0}, within(1e-7f));
  }

  @Test
  void shouldStayFiniteAndShiftInvariantForHugeLogits() {
    // Softmax is invariant to adding a constant, so logits around 1000 must give the same
    // loss as the same logits around 0 (a naive exp would overflow to infinity).
    float[] s = {1000, 998, 990};
    float[] t = {1001, 1003, 995};
    DistillationLoss.Result big = loss.evaluate(s, t, 2f, 2);
    DistillationLoss.Result small =
        loss.evaluate(new float[] {10, 8, 0}, new float[] {6, 8, 0}, 2f, 2);

    assertThat(big.loss()).isFinite().isCloseTo(small.loss(), within(1e-9));
    assertThat(big.gradient()).containsExactly(small.gradient(), within(1e-6f));
  }

  @Test
  void shouldMatchFiniteDifferencesOfTheLoss() {
    SplittableRandom random = new SplittableRandom(3);
    for (int trial = 0; trial < 20; trial++) {
      int n = 2 + random.nextInt(6);
      float[] s = new float[n];
      float[] t = new float[n];
      for (int i = 0; i < n; i++) {
        s[i] = (float) (random.nextDouble() * 8 - 4);
        t[i] = (float) (random.nextDouble() * 8 - 4);
      }
      float temperature = trial % 2 == 0 ? 1f : 1f + (float) random.nextDouble() * 4;
      Integer gold = trial % 3 == 0 ? null : random.nextInt(n);
      float[] gradient = loss.evaluate(s, t, temperature, gold).gradient();
      for (int i = 0; i < n; i++) {
        // Central difference in double: perturb a copy of s by +-eps (representable in float).
        float eps = 1e-3f;
        float[] plus = s.clone();
        float[] minus = s.clone();
        plus[i] += eps;
        minus[i] -= eps;
        double numeric = (loss.evaluate(plus, t, temperature, gold).loss()
            - loss.evaluate(minus, t, temperature, gold).loss()) / (plus[i] - minus[i]);
        assertThat(gradient[i])
            .as("dL/ds[%d], n=%d, T=%s, gold=%s", i, n, temperature, gold)
            .isCloseTo((float) numeric, within(1e-4f));
      }
    }
  }

  @Test
  void shouldRejectTeacherOfDifferentLabelSet() {
    assertThatThrownBy(() -> loss.evaluate(new float[3], new float[4], 1f, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("teacher has 4 logits but the student has 3");
  }

  @Test
  void shouldRejectGoldOutsideTheLabelSetAndBadTemperature() {
    assertThatThrownBy(() -> loss.evaluate(new float[3], new float[3], 1f, 3))
        .hasMessageContaining("gold index 3 is outside [0, 3)");
    assertThatThrownBy(() -> loss.evaluate(new float[3], new float[3], 0f, null))
        .hasMessageContaining("temperature must be > 0, got 0.0");
  }
}
