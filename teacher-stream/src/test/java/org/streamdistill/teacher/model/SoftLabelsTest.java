package org.streamdistill.teacher.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SoftLabelsTest {

  @Test
  void shouldDivideLogitsByTheTemperatureBeforeTheSoftmax() {
    // Given logits [2, 0]
    float[] logits = {2f, 0f};

    // When
    float[] atOne = SoftLabels.softmax(logits, 1.0);
    float[] atTwo = SoftLabels.softmax(logits, 2.0);

    // Then p0 = 1 / (1 + e^(-2/T))
    assertThat(atOne[0]).isCloseTo((float) (1 / (1 + Math.exp(-2))), within(1e-7f));
    assertThat(atOne[1]).isCloseTo((float) (1 / (1 + Math.exp(2))), within(1e-7f));
    assertThat(atTwo[0]).isCloseTo((float) (1 / (1 + Math.exp(-1))), within(1e-7f));
    assertThat(atTwo[1]).isCloseTo((float) (1 / (1 + Math.exp(1))), within(1e-7f));
  }

  @Test
  void shouldNotOverflowOnHugeLogits() {
    float[] p = SoftLabels.softmax(new float[] {1000f, 999f, -1000f}, 1.0);

    assertThat(p[0]).isCloseTo((float) (1 / (1 + Math.exp(-1))), within(1e-6f));
    assertThat(p[1]).isCloseTo((float) (1 / (1 + Math.exp(1))), within(1e-6f));
    assertThat(p[2]).isZero();
  }

  @Test
  void shouldMeasureEntropyInNats() {
    assertThat(SoftLabels.entropy(new float[] {0.25f, 0.25f, 0.25f, 0.25f})).isCloseTo(Math.log(4), within(1e-9));
    assertThat(SoftLabels.entropy(new float[] {1f, 0f, 0f})).isZero();
    assertThat(SoftLabels.entropy(new float[] {0.5f, 0.5f, 0f})).isCloseTo(Math.log(2), within(1e-9));
  }

  @Test
  void shouldRejectNonPositiveTemperatures() {
    assertThatThrownBy(() -> SoftLabels.softmax(new float[] {1f}, 0.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("temperature must be > 0, got 0.0");
    assertThatThrownBy(() -> SoftLabels.softmax(new float[] {1f}, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
