package org.streamdistill.student.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.streamdistill.student.loss.DistillationLoss;
import org.streamdistill.student.optim.Parameter;

/**
 * Central finite differences against the analytic gradients of every entry of every parameter
 * tensor of a tiny TextCNN, through the full distillation loss (KL at T=2 plus the gold term).
 */
class TextCnnGradientCheckTest {

  private static final TextCnnConfig TINY = new TextCnnConfig(20, 4, List.of(2, 3), 3, 6, 4,
      0f, false, 11L);
  private static final float EPS = 1e-3f;
  // Float forward passes carry ~1e-7 relative rounding; divided by 2*eps that is up to ~1e-5 of
  // absolute noise in a numeric derivative, hence the small absolute allowance next to the
  // 0.1 % (ten times stricter than the 1 % usually asked of float gradient checks; it passes).
  private static final double RELATIVE = 1e-3;
  private static final double ABSOLUTE = 1e-5;

  // Example 0 is shorter than the widest filter (padded), example 1 repeats token 7 (its
  // embedding gradient must accumulate), example 2 is cut after 6 ids (token 8 is dropped).
  private final List<int[]> ids = List.of(new int[] {5}, new int[] {3, 7, 7, 12},
      new int[] {1, 2, 3, 4, 5, 6, 7, 8});
  private final List<Integer> gold = Arrays.asList(null, 2, 0);
  private final DistillationLoss loss = new DistillationLoss(0.5f);
  private final List<float[]> teacher = new ArrayList<>();

  TextCnnGradientCheckTest() {
    SplittableRandom random = new SplittableRandom(5);
    for (int b = 0; b < ids.size(); b++) {
      float[] t = new float[4];
      for (int c = 0; c < 4; c++) {
        t[c] = (float) (random.nextDouble() * 6 - 3);
      }
      teacher.add(t);
    }
  }

  @Test
  void shouldMatchFiniteDifferencesOnEveryParameterEntry() {
    TextCnn model = new TextCnn(TINY);

    checkAllParameters(model);

    // The loss the training step reports is the inference-mode loss when there is no dropout.
    double trainingLoss = model.computeGradients(ids, teacher, 2f, gold, loss);
    assertThat(model.meanLoss(ids, teacher, 2f, gold, loss)).isEqualTo(trainingLoss);
  }

  @Test
  void shouldMatchFiniteDifferencesWithDropoutUnderAFixedMask() {
    TextCnn model = new TextCnn(TINY.withDropout(0.3f).withSeed(12L));

    checkAllParameters(model);
  }

  @Test
  void shouldGiveNoGradientToPaddingCutTokensAndAbsentRows() {
    TextCnn model = new TextCnn(TINY);

    model.computeGradients(ids, teacher, 2f, gold, loss);

    Parameter embedding = model.parameter(TextCnn.EMBEDDING);
    List<Integer> touched = new ArrayList<>();
    for (int slot = 0; slot < embedding.touchedRowCount(); slot++) {
      touched.add(embedding.touchedRow(slot));
    }
    // Rows of the ids that reach the network, in first-seen order; not 0 (padding), not 8 (cut).
    assertThat(touched).containsExactly(5, 3, 7, 12, 1, 2, 4, 6);
  }

  private void checkAllParameters(TextCnn model) {
    checkAllParameters(model, teacher);
  }

  @Test
  void shouldMatchFiniteDifferencesWithAGoldOnlyExampleInTheBatch() {
    // Example 1 (gold 2) without teacher logits: it adds only its gold term, alpha * CE.
    List<float[]> withGoldOnly = new ArrayList<>(teacher);
    withGoldOnly.set(1, null);
    TextCnn model = new TextCnn(TINY);

    checkAllParameters(model, withGoldOnly);

    // And its loss is the full batch's minus the teacher term example 1 no longer has.
    TextCnn same = new TextCnn(TINY);
    double full = same.meanLoss(ids, teacher, 2f, gold, loss);
    double goldOnly = same.meanLoss(ids, withGoldOnly, 2f, gold, loss);
    double teacherTermOfExample1 = new DistillationLoss(0f).evaluate(
        same.logits(ids.get(1)), teacher.get(1), 2f, null).loss();
    assertThat(goldOnly).isCloseTo(full - teacherTermOfExample1 / ids.size(), org.assertj.core.api.Assertions.within(1e-6));
  }

  private void checkAllParameters(TextCnn model, List<float[]> teacher) {
    // Biases start at exactly zero, and a window of padding then outputs exactly 0: a ReLU kink
    // where a one-sided difference disagrees with the subgradient 0. Trained biases are not 0.
    SplittableRandom random = new SplittableRandom(9);
    for (Parameter p : model.parameters()) {
      if (p.name().endsWith(".bias")) {
        for (int k = 0; k < p.size(); k++) {
          p.values()[k] = (float) (random.nextDouble() * 0.2 - 0.1);
        }
        p.markModified();
      }
    }
    long randomState = model.randomState();
    model.computeGradients(ids, teacher, 2f, gold, loss);
    List<float[]> analytic = new ArrayList<>();
    for (Parameter p : model.parameters()) {
      analytic.add(p.gradientAsDense());
    }
    model.setRandomState(randomState);

    for (int i = 0; i < model.parameters().size(); i++) {
      Parameter p = model.parameters().get(i);
      float[] values = p.values();
      int significant = 0;
      for (int k = 0; k < values.length; k++) {
        if (p.name().equals(TextCnn.EMBEDDING) && k < TINY.embeddingDim()) {
          continue; // Padding row: deliberately frozen (see TextCnn), so no gradient to compare.
        }
        float original = values[k];
        values[k] = original + EPS;
        p.markModified();
        double plus = lossAt(model, randomState, teacher);
        float up = values[k];
        values[k] = original - EPS;
        p.markModified();
        double minus = lossAt(model, randomState, teacher);
        float down = values[k];
        values[k] = original;
        p.markModified();

        double numeric = (plus - minus) / ((double) up - down);
        double exact = analytic.get(i)[k];
        assertThat(Math.abs(exact - numeric))
            .as("%s[%d]: analytic %s vs numeric %s", p.name(), k, exact, numeric)
            .isLessThanOrEqualTo(
                RELATIVE * Math.max(Math.abs(exact), Math.abs(numeric)) + ABSOLUTE);
        if (Math.abs(exact) > 1e-3) {
          significant++;
        }
      }
      // Guards against a vacuous pass (for example every ReLU dead and all gradients zero).
      assertThat(significant).as("entries of %s with |gradient| > 1e-3", p.name())
          .isGreaterThanOrEqualTo(Math.min(3, p.size() / 4));
    }
  }

  private double lossAt(TextCnn model, long randomState, List<float[]> teacher) {
    model.setRandomState(randomState);
    return model.computeGradients(ids, teacher, 2f, gold, loss);
  }
}
