package org.streamdistill.teacher.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.streamdistill.teacher.model.SoftmaxHead;

class EvaluationTest {

  // Logits = [x0, x1, 0.5]: class 2 (out-of-scope) wins when both inputs are below 0.5.
  private static final SoftmaxHead HEAD = new SoftmaxHead(
      new float[][] {{1f, 0f}, {0f, 1f}, {0f, 0f}}, new float[] {0f, 0f, 0.5f});

  @Test
  void shouldScoreInScopeAccuracyOosRecallAndSoftLabelEntropySeparately() {
    // Given
    float[][] x = {{2f, 0f}, {0f, 2f}, {2f, 0f}, {0f, 0f}, {0f, 1f}};
    int[] y = {0, 1, 1, 2, 2};
    // right: yes, yes, no (predicts 0); oos: yes, no (predicts 1)

    // When
    Evaluation evaluation = Evaluation.of(HEAD, x, y, 2, 2.0);

    // Then
    double[][] logits = {{2, 0, 0.5}, {0, 2, 0.5}, {2, 0, 0.5}, {0, 0, 0.5}, {0, 1, 0.5}};
    double entropy = 0;
    double top = 0;
    for (double[] z : logits) {
      double[] p = softmax(z, 2.0);
      for (double v : p) {
        entropy -= v * Math.log(v);
      }
      top += Math.max(p[0], Math.max(p[1], p[2]));
    }
    assertThat(evaluation.inScopeExamples()).isEqualTo(3);
    assertThat(evaluation.oosExamples()).isEqualTo(2);
    assertThat(evaluation.inScopeAccuracy()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(evaluation.oosRecall()).isCloseTo(0.5, within(1e-12));
    assertThat(evaluation.meanEntropyNats()).isCloseTo(entropy / 5, within(1e-6));
    assertThat(evaluation.meanTopProbability()).isCloseTo(top / 5, within(1e-6));
  }

  @Test
  void shouldReportNoOosRecallWithoutAnOosLabel() {
    Evaluation evaluation = Evaluation.of(HEAD, new float[][] {{2f, 0f}}, new int[] {0}, -1, 1.0);

    assertThat(evaluation.inScopeAccuracy()).isEqualTo(1.0);
    assertThat(evaluation.oosExamples()).isZero();
    assertThat(evaluation.oosRecall()).isNaN();
  }

  private static double[] softmax(double[] z, double t) {
    double sum = 0;
    double[] p = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      p[i] = Math.exp(z[i] / t);
      sum += p[i];
    }
    for (int i = 0; i < z.length; i++) {
      p[i] /= sum;
    }
    return p;
  }
}
