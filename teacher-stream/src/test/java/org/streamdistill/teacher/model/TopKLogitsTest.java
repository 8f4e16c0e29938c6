package org.streamdistill.teacher.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TopKLogitsTest {

  @Test
  void shouldKeepTheKLargestLogitsByDecreasingValueAndTheMassOfTheRest() {
    float[] logits = {0f, 3f, 1f, 3f, -2f, 2f};

    TopKLogits top = TopKLogits.of(logits, 3, 2.0);

    // Ties keep index order: label 1 before label 3
    assertThat(top.indices()).containsExactly(1, 3, 5);
    assertThat(top.logits()).containsExactly(3f, 3f, 2f);
    double[] e = new double[logits.length];
    double z = 0;
    for (int i = 0; i < logits.length; i++) {
      e[i] = Math.exp(logits[i] / 2.0);
      z += e[i];
    }
    assertThat((double) top.remainingMass()).isCloseTo((e[0] + e[2] + e[4]) / z, within(1e-7));
  }

  @Test
  void shouldLetAConsumerRecoverTheExactProbabilitiesOfTheListedLabels() {
    float[] logits = {1.5f, -0.5f, 4f, 0.25f, 2f, -3f, 0f};
    double temperature = 1.7;
    float[] full = SoftLabels.softmax(logits, temperature);

    TopKLogits top = TopKLogits.of(logits, 2, temperature);

    double partial = 0;
    for (float l : top.logits()) {
      partial += Math.exp(l / temperature);
    }
    double z = partial / (1 - top.remainingMass());
    for (int i = 0; i < top.indices().length; i++) {
      assertThat(Math.exp(top.logits()[i] / temperature) / z).as("p of label %d", top.indices()[i])
          .isCloseTo(full[top.indices()[i]], within(1e-6));
    }
  }

  @Test
  void shouldKeepATinyTailMassRatherThanRoundItAway() {
    float[] logits = {40f, 0f, 0f};

    TopKLogits top = TopKLogits.of(logits, 1, 1.0);

    assertThat((double) top.remainingMass()).isCloseTo(2 * Math.exp(-40), within(1e-22));
  }

  @Test
  void shouldRefuseAKThatCompactsNothing() {
    assertThatThrownBy(() -> TopKLogits.of(new float[] {1f, 2f}, 2, 1.0)).hasMessageContaining("k must be in [1, 2)");
    assertThatThrownBy(() -> TopKLogits.of(new float[] {1f, 2f}, 0, 1.0)).hasMessageContaining("got 0");
  }
}
