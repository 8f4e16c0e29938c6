package org.streamdistill.teacher.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeadTrainerTest {

  private static final float[] UNIT_WEIGHTS = {1f, 1f};

  @Test
  void shouldComputeCrossEntropyAndItsGradientOnOneExample() {
    // Given the identity head, x = [1, 2], true class 1: logits [1, 2], p = [1/(1+e), e/(1+e)]
    SoftmaxHead head = new SoftmaxHead(new float[][] {{1f, 0f}, {0f, 1f}}, new float[] {0f, 0f});
    float[][] x = {{1f, 2f}};
    int[] y = {1};
    double p0 = 1 / (1 + Math.E);

    // When
    HeadTrainer.Gradient gradient = HeadTrainer.gradient(head, x, y, new int[] {0}, UNIT_WEIGHTS, 0.0);

    // Then loss = -log p1 = log(1 + e) - 1; d loss / d logits = p - onehot = [p0, -p0]
    assertThat(gradient.loss()).isCloseTo(Math.log(1 + Math.E) - 1, within(1e-7));
    assertThat(gradient.bias()[0]).isCloseTo((float) p0, within(1e-7f));
    assertThat(gradient.bias()[1]).isCloseTo((float) -p0, within(1e-7f));
    assertThat(gradient.weights()[0][0]).isCloseTo((float) p0, within(1e-7f));
    assertThat(gradient.weights()[0][1]).isCloseTo((float) (2 * p0), within(1e-7f));
    assertThat(gradient.weights()[1][0]).isCloseTo((float) -p0, within(1e-7f));
    assertThat(gradient.weights()[1][1]).isCloseTo((float) (-2 * p0), within(1e-7f));
  }

  @Test
  void shouldAddTheL2PenaltyToWeightsButNotToTheBias() {
    // Given the same example with l2 = 0.5: loss + 0.25 * ||W||^2 = loss + 0.5, grad W + 0.5 W
    SoftmaxHead head = new SoftmaxHead(new float[][] {{1f, 0f}, {0f, 1f}}, new float[] {0f, 0f});
    double p0 = 1 / (1 + Math.E);

    // When
    HeadTrainer.Gradient gradient = HeadTrainer.gradient(head, new float[][] {{1f, 2f}}, new int[] {1},
        new int[] {0}, UNIT_WEIGHTS, 0.5);

    // Then
    assertThat(gradient.loss()).isCloseTo(Math.log(1 + Math.E) - 1 + 0.5, within(1e-7));
    assertThat(gradient.weights()[0][0]).isCloseTo((float) (p0 + 0.5), within(1e-7f));
    assertThat(gradient.weights()[1][1]).isCloseTo((float) (-2 * p0 + 0.5), within(1e-7f));
    assertThat(gradient.bias()[0]).isCloseTo((float) p0, within(1e-7f));
  }

  @Test
  void shouldScaleAnExamplesLossAndGradientByItsClassWeight() {
    SoftmaxHead head = new SoftmaxHead(new float[][] {{1f, 0f}, {0f, 1f}}, new float[] {0f, 0f});

    HeadTrainer.Gradient plain = HeadTrainer.gradient(head, new float[][] {{1f, 2f}}, new int[] {1},
        new int[] {0}, UNIT_WEIGHTS, 0.0);
    HeadTrainer.Gradient weighted = HeadTrainer.gradient(head, new float[][] {{1f, 2f}}, new int[] {1},
        new int[] {0}, new float[] {1f, 3f}, 0.0);

    assertThat(weighted.loss()).isCloseTo(3 * plain.loss(), within(1e-7));
    assertThat(weighted.weights()[0][1]).isCloseTo(3 * plain.weights()[0][1], within(1e-6f));
    assertThat(weighted.bias()[1]).isCloseTo(3 * plain.bias()[1], within(1e-6f));
  }

  @Test
  void shouldTakeOneAdamStepOfLearningRateAgainstTheGradientSign() {
    // Given zero weights, x = [1, 2], class 1: gradient W = [[0.5, 1], [-0.5, -1]], b = [0.5, -0.5].
    // Adam's first bias-corrected step is lr * g / (|g| + eps), i.e. lr against the sign.
    HeadTrainer trainer = new HeadTrainer(new HeadTrainer.Settings(1, 1, 0.1, 0.0, 7));

    // When one epoch of one example = one step
    SoftmaxHead head = trainer.fit(new float[][] {{1f, 2f}}, new int[] {1}, 2, UNIT_WEIGHTS,
        HeadTrainer.EpochListener.NONE);

    // Then
    assertThat(head.weights()[0][0]).isCloseTo(-0.1f, within(1e-6f));
    assertThat(head.weights()[0][1]).isCloseTo(-0.1f, within(1e-6f));
    assertThat(head.weights()[1][0]).isCloseTo(0.1f, within(1e-6f));
    assertThat(head.weights()[1][1]).isCloseTo(0.1f, within(1e-6f));
    assertThat(head.bias()[0]).isCloseTo(-0.1f, within(1e-6f));
    assertThat(head.bias()[1]).isCloseTo(0.1f, within(1e-6f));
  }

  @Test
  void shouldMatchFiniteDifferencesOfTheLoss() {
    // Given a random head and batch, with unequal class weights and an L2 penalty
    Random random = new Random(3);
    int classes = 4;
    int dimension = 5;
    float[][] weights = randomMatrix(random, classes, dimension);
    float[] bias = randomMatrix(random, 1, classes)[0];
    float[][] x = randomMatrix(random, 6, dimension);
    int[] y = {0, 1, 2, 3, 1, 2};
    int[] all = {0, 1, 2, 3, 4, 5};
    float[] classWeights = {1f, 2f, 1f, 0.5f};
    double l2 = 0.1;
    HeadTrainer.Gradient analytic = HeadTrainer.gradient(new SoftmaxHead(weights, bias), x, y, all, classWeights, l2);
    double h = 1e-2;

    // When / Then: every partial derivative matches the central difference
    for (int c = 0; c < classes; c++) {
      for (int d = 0; d < dimension; d++) {
        float[][] plus = copy(weights);
        float[][] minus = copy(weights);
        plus[c][d] += (float) h;
        minus[c][d] -= (float) h;
        double numeric = (HeadTrainer.gradient(new SoftmaxHead(plus, bias), x, y, all, classWeights, l2).loss()
            - HeadTrainer.gradient(new SoftmaxHead(minus, bias), x, y, all, classWeights, l2).loss()) / (2 * h);
        assertThat((double) analytic.weights()[c][d]).as("dW[%d][%d]", c, d).isCloseTo(numeric, within(1e-4));
      }
      float[] plus = bias.clone();
      float[] minus = bias.clone();
      plus[c] += (float) h;
      minus[c] -= (float) h;
      double numeric = (HeadTrainer.gradient(new SoftmaxHead(weights, plus), x, y, all, classWeights, l2).loss()
          - HeadTrainer.gradient(new SoftmaxHead(weights, minus), x, y, all, classWeights, l2).loss()) / (2 * h);
      assertThat((double) analytic.bias()[c]).as("db[%d]", c).isCloseTo(numeric, within(1e-4));
    }
  }

  @Test
  void shouldSeparateSeparableClustersAndRepeatForTheSameSeed() {
    // Given three clusters around the axes of R^3
    Random random = new Random(11);
    List<float[]> xs = new ArrayList<>();
    List<Integer> ys = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      int label = i % 3;
      float[] x = new float[3];
      for (int d = 0; d < 3; d++) {
        x[d] = (float) (random.nextGaussian() * 0.2 + (d == label ? 1 : 0));
      }
      xs.add(x);
      ys.add(label);
    }
    float[][] x = xs.toArray(new float[0][]);
    int[] y = ys.stream().mapToInt(Integer::intValue).toArray();
    HeadTrainer.Settings settings = new HeadTrainer.Settings(30, 8, 0.05, 1e-4, 5);
    List<Double> losses = new ArrayList<>();

    // When
    SoftmaxHead head = new HeadTrainer(settings).fit(x, y, 3, new float[] {1f, 1f, 1f},
        (epoch, loss) -> losses.add(loss));
    SoftmaxHead again = new HeadTrainer(settings).fit(x, y, 3, new float[] {1f, 1f, 1f},
        HeadTrainer.EpochListener.NONE);

    // Then
    int right = 0;
    for (int i = 0; i < x.length; i++) {
      right += head.predict(x[i]) == y[i] ? 1 : 0;
    }
    assertThat(right).isEqualTo(60);
    assertThat(losses).hasSize(30);
    assertThat(losses.get(29)).isLessThan(losses.get(0) / 4);
    assertThat(again).isEqualTo(head);
  }

  @Test
  void shouldRejectInvalidSettingsAndLabels() {
    assertThatThrownBy(() -> new HeadTrainer.Settings(0, 1, 0.1, 0, 1))
        .hasMessage("epochs must be >= 1, got 0");
    assertThatThrownBy(() -> new HeadTrainer.Settings(1, 1, 0.1, -1, 1))
        .hasMessage("l2 must be >= 0, got -1.0");
    HeadTrainer trainer = new HeadTrainer(new HeadTrainer.Settings(1, 1, 0.1, 0, 1));
    assertThatThrownBy(() -> trainer.fit(new float[][] {{1f}}, new int[] {2}, 2, UNIT_WEIGHTS,
        HeadTrainer.EpochListener.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("label 2 of example 0 is outside [0, 2)");
  }

  private static float[][] randomMatrix(Random random, int rows, int columns) {
    float[][] m = new float[rows][columns];
    for (float[] row : m) {
      for (int j = 0; j < columns; j++) {
        row[j] = (float) random.nextGaussian();
      }
    }
    return m;
  }

  private static float[][] copy(float[][] m) {
    float[][] c = new float[m.length][];
    for (int i = 0; i < m.length; i++) {
      c[i] = m[i].clone();
    }
    return c;
  }
}
