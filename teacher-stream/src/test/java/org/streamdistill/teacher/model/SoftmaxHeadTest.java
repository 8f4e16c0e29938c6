package org.streamdistill.teacher.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SoftmaxHeadTest {

  private static final float[][] WEIGHTS = {{1f, 2f, 3f}, {-1f, 0f, 0.5f}};
  private static final float[] BIAS = {0.5f, -2f};

  @Test
  void shouldComputeLogitsAsWeightsTimesInputPlusBias() {
    // Given
    SoftmaxHead head = new SoftmaxHead(WEIGHTS, BIAS);

    // When
    float[] logits = head.logits(new float[] {1f, -1f, 2f});

    // Then: [1 - 2 + 6 + 0.5, -1 + 0 + 1 - 2]
    assertThat(logits).containsExactly(5.5f, -2f);
    assertThat(head.predict(new float[] {1f, -1f, 2f})).isZero();
    assertThat(head.predict(new float[] {-1f, 0f, -1f})).isEqualTo(1); // [-3.5, -1.5]
  }

  @Test
  void shouldScaleLogitsWhenScaled() {
    // Given
    SoftmaxHead head = new SoftmaxHead(WEIGHTS, BIAS);

    // When
    float[] logits = head.scaled(0.5).logits(new float[] {1f, -1f, 2f});

    // Then
    assertThat(logits).containsExactly(2.75f, -1f);
  }

  @Test
  void shouldNotBeChangedThroughTheArraysItWasBuiltFromOrHandsOut() {
    // Given
    float[][] weights = {{1f, 2f}};
    float[] bias = {3f};
    SoftmaxHead head = new SoftmaxHead(weights, bias);

    // When
    weights[0][0] = 100f;
    bias[0] = 100f;
    head.weights()[0][1] = 100f;
    head.bias()[0] = 100f;

    // Then
    assertThat(head.weights()[0]).containsExactly(1f, 2f);
    assertThat(head.bias()).containsExactly(3f);
  }

  @Test
  void shouldStartFromUniformLogitsWhenZero() {
    SoftmaxHead head = SoftmaxHead.zeros(3, 4);

    assertThat(head.classes()).isEqualTo(3);
    assertThat(head.dimension()).isEqualTo(4);
    assertThat(head.logits(new float[] {1f, 2f, 3f, 4f})).containsExactly(0f, 0f, 0f);
  }

  @Test
  void shouldRejectRaggedWeightsMismatchedBiasAndWrongInputWidth() {
    assertThatThrownBy(() -> new SoftmaxHead(new float[][] {{1f, 2f}, {3f}}, new float[2]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight row 1 has 1 columns, row 0 has 2");
    assertThatThrownBy(() -> new SoftmaxHead(new float[][] {{1f, 2f}}, new float[2]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bias has 2 entries for 1 classes");
    assertThatThrownBy(() -> new SoftmaxHead(WEIGHTS, BIAS).logits(new float[2]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("input has 2 dimensions, head expects 3");
  }

  @Test
  void shouldPickTheFirstMaximumOnTies() {
    assertThat(SoftmaxHead.argMax(new float[] {1f, 3f, 3f, 2f})).isEqualTo(1);
  }

  @Test
  void shouldComputeDotProductsOfOddLengths() {
    float[] a = {1f, 2f, 3f, 4f, 5f, 6f, 7f};
    float[] b = {1f, 1f, 1f, 1f, 1f, 1f, -1f};

    assertThat(SoftmaxHead.dot(a, b)).isCloseTo(14.0, within(1e-12));
  }
}
