package org.streamdistill.student.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class AdamTest {

  private static Adam adam(float learningRate, float maxGradientNorm) {
    return new Adam(new Adam.Settings(learningRate, 0.9, 0.999, 1e-8, maxGradientNorm));
  }

  @Test
  void shouldMatchHandComputedValuesForTwoSteps() {
    // Given p = [1, -2], lr 0.1, betas 0.9 / 0.999, eps 1e-8, no clipping.
    Parameter p = Parameter.dense("p", new float[] {1f, -2f}, 2);
    Adam adam = adam(0.1f, 0f);

    // Step 1, g = [0.5, -0.1]: m = 0.1 g = [0.05, -0.01]; v = 0.001 g^2 = [2.5e-4, 1e-5];
    // mhat = m / 0.1 = g; vhat = v / 0.001 = g^2; p -= 0.1 * g / (|g| + 1e-8)
    // -> p = [1 - 0.0999999980, -2 + 0.0999999900] = [0.9000000, -1.9000000].
    p.gradient()[0] = 0.5f;
    p.gradient()[1] = -0.1f;
    adam.step(List.of(p));
    assertThat(p.values()).containsExactly(new float[] {0.9f, -1.9f}, within(1e-6f));

    // Step 2, g = [0.2, 0.3]:
    // m = 0.9 [0.05, -0.01] + 0.1 [0.2, 0.3] = [0.065, 0.021]
    // v = 0.999 [2.5e-4, 1e-5] + 0.001 [0.04, 0.09] = [2.8975e-4, 9.999e-5]
    // mhat = m / (1 - 0.81) = [0.3421053, 0.1105263]
    // vhat = v / (1 - 0.998001) = [0.1449475, 0.0500200]; sqrt = [0.3807197, 0.2236515]
    // update = 0.1 mhat / sqrt = [0.0898575, 0.0494190]
    // p = [0.9 - 0.0898575, -1.9 - 0.0494190] = [0.8101425, -1.9494190].
    p.gradient()[0] = 0.2f;
    p.gradient()[1] = 0.3f;
    adam.step(List.of(p));
    assertThat(p.values()).containsExactly(new float[] {0.8101425f, -1.9494190f}, within(1e-6f));
    Adam.State state = adam.exportState();
    assertThat(state.step()).isEqualTo(2);
    assertThat(state.firstMoments().get("p")).containsExactly(new float[] {0.065f, 0.021f},
        within(1e-7f));
    assertThat(state.secondMoments().get("p"))
        .containsExactly(new float[] {2.8975e-4f, 9.999e-5f}, within(1e-9f));
    assertThat(p.version()).isEqualTo(2);
  }

  @Test
  void shouldScaleEachStepsLearningRateByTheScheduleFactorOfThatStep() {
    // Given lr 0.1 and a schedule that halves the rate on step 1 and quarters it on step 2.
    java.util.List<Long> asked = new java.util.ArrayList<>();
    Parameter p = Parameter.dense("p", new float[] {1f}, 1);
    Adam adam = new Adam(new Adam.Settings(0.1, 0.9, 0.999, 1e-8, 0)).useSchedule(step -> {
      asked.add(step);
      return step == 1 ? 0.5 : 0.25;
    });

    // When step 1 runs with g = 0.5: the bias-corrected first step moves by lr * factor * g / |g|.
    p.gradient()[0] = 0.5f;
    adam.step(List.of(p));

    // Then
    assertThat(p.values()[0]).isCloseTo(1f - 0.05f, within(1e-6f));

    // When step 2 runs, it equals a constant-rate Adam at 0.1 * 0.25 continuing from the same state.
    Parameter q = Parameter.dense("p", p.values().clone(), 1);
    Adam reference = Adam.restore(new Adam.Settings(0.1 * 0.25, 0.9, 0.999, 1e-8, 0), adam.exportState());
    Adam copy = adam.copy();
    Parameter r = Parameter.dense("p", p.values().clone(), 1);
    p.gradient()[0] = 0.2f;
    q.gradient()[0] = 0.2f;
    r.gradient()[0] = 0.2f;
    adam.step(List.of(p));
    reference.step(List.of(q));
    copy.step(List.of(r));

    // Then the schedule was asked for steps 1, 2 and (by the copy, which keeps it) 2 again.
    assertThat(p.values()[0]).isEqualTo(q.values()[0]);
    assertThat(r.values()[0]).isEqualTo(q.values()[0]);
    assertThat(asked).containsExactly(1L, 2L, 2L);
  }

  @Test
  void shouldConvergeOnAQuadratic() {
    // f(p) = sum_i a_i (p_i - c_i)^2 with very different curvatures a_i; grad = 2 a (p - c).
    float[] a = {0.01f, 1f, 100f};
    float[] c = {3f, -1f, 0.5f};
    Parameter p = Parameter.dense("p", new float[] {-2f, 4f, 1.5f}, 3);
    Adam adam = adam(0.05f, 0f);

    for (int step = 0; step < 3000; step++) {
      for (int i = 0; i < 3; i++) {
        p.gradient()[i] = 2 * a[i] * (p.values()[i] - c[i]);
      }
      adam.step(List.of(p));
    }

    assertThat(p.values()).containsExactly(c, within(1e-3f));
  }

  @Test
  void shouldUpdateOnlyTouchedRowsOfARowSparseParameter() {
    // Given a 3 x 2 table where only row 1 has a gradient.
    Parameter table = Parameter.rowSparse("embedding", new float[] {1, 1, 2, 2, 3, 3}, 3, 2);
    int slot = table.touchRow(1);
    table.gradient()[slot * 2] = 0.5f;
    table.gradient()[slot * 2 + 1] = -0.5f;
    Adam adam = adam(0.1f, 0f);

    adam.step(List.of(table));

    // First Adam step moves each touched entry by lr * sign(g); the other rows are unchanged
    // and their moments stay zero (lazy update).
    assertThat(table.values())
        .containsExactly(new float[] {1, 1, 1.9f, 2.1f, 3, 3}, within(1e-6f));
    assertThat(adam.exportState().firstMoments().get("embedding"))
        .containsExactly(new float[] {0, 0, 0.05f, -0.05f, 0, 0}, within(1e-7f));
  }

  @Test
  void shouldClipByGlobalNormAcrossParameters() {
    // Given gradients [3] and [4]: global norm 5, clipped to 1 -> scaled by 1/5 = [0.6], [0.8].
    Parameter a = Parameter.dense("a", new float[] {0f}, 1);
    Parameter b = Parameter.dense("b", new float[] {0f}, 1);
    a.gradient()[0] = 3f;
    b.gradient()[0] = 4f;
    Adam adam = adam(0.1f, 1f);

    adam.step(List.of(a, b));

    // m = 0.1 * clipped gradient; the gradient buffers themselves are left untouched.
    assertThat(adam.lastGradientNorm()).isCloseTo(5.0, within(1e-9));
    assertThat(adam.exportState().firstMoments().get("a")[0]).isCloseTo(0.06f, within(1e-7f));
    assertThat(adam.exportState().firstMoments().get("b")[0]).isCloseTo(0.08f, within(1e-7f));
    assertThat(a.gradient()[0]).isEqualTo(3f);
  }

  @Test
  void shouldContinueIdenticallyAfterRestoringExportedState() {
    Parameter p1 = Parameter.dense("p", new float[] {1f, 2f}, 2);
    Adam first = adam(0.01f, 0f);
    p1.gradient()[0] = 0.3f;
    p1.gradient()[1] = -0.7f;
    first.step(List.of(p1));
    Parameter p2 = Parameter.dense("p", p1.values().clone(), 2);
    System.arraycopy(p1.gradient(), 0, p2.gradient(), 0, 2);
    Adam restored = Adam.restore(first.settings(), first.exportState());

    first.step(List.of(p1));
    restored.step(List.of(p2));

    assertThat(p2.values()).isEqualTo(p1.values());
    assertThat(restored.stepCount()).isEqualTo(2);
  }

  @Test
  void shouldRefuseStateOfADifferentShape() {
    Adam adam = adam(0.01f, 0f);
    adam.step(List.of(Parameter.dense("p", new float[2], 2)));

    assertThatThrownBy(() -> adam.step(List.of(Parameter.dense("p", new float[3], 3))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "optimizer state for parameter p has 2 values but the parameter has 3");
  }

  @Test
  void shouldRejectInvalidSettingsWithTheOffendingValue() {
    assertThatThrownBy(() -> new Adam.Settings(-1, 0.9, 0.999, 1e-8, 0))
        .hasMessage("learningRate must be > 0, got -1.0");
    assertThatThrownBy(() -> new Adam.Settings(0.1, 1, 0.999, 1e-8, 0))
        .hasMessage("beta1 must be in [0, 1), got 1.0");
  }
}
