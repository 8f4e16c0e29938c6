package org.streamdistill.teacher.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EnsembleLogitsTest {

  @Test
  void shouldAverageTheMembersLogProbabilitiesWithTheirWeightsAndDivideByTheCalibrationTemperature() {
    // Given member A, indifferent (p = 1/2, 1/2), and member B, sure of label 0 (logits ln 3, 0: p = 3/4, 1/4)
    float[][] members = {{0f, 0f}, {(float) Math.log(3), 0f}};

    // When weighted 1/4 and 3/4 and divided by a calibration temperature of 2
    float[] combined = EnsembleLogits.combine(members, new double[] {0.25, 0.75}, 2.0);

    // Then logit c = (1/4 ln p_A(c) + 3/4 ln p_B(c)) / 2:
    // label 0: (0.25 * -0.693147 + 0.75 * -0.287682) / 2 = -0.194524
    // label 1: (0.25 * -0.693147 + 0.75 * -1.386294) / 2 = -0.606504
    assertThat(combined[0]).isCloseTo(-0.194524f, within(1e-6f));
    assertThat(combined[1]).isCloseTo(-0.606504f, within(1e-6f));
  }

  @Test
  void shouldGiveTheNormalisedWeightedGeometricMeanOfTheMembersProbabilities() {
    float[][] members = {{0f, 0f}, {(float) Math.log(3), 0f}};

    float[] p = SoftLabels.softmax(EnsembleLogits.combine(members, new double[] {0.25, 0.75}, 1.0), 1.0);

    // p(0) ∝ 0.5^0.25 * 0.75^0.75 = 0.6777, p(1) ∝ 0.5^0.25 * 0.25^0.75 = 0.2973: 0.6951 and 0.3049
    assertThat(p[0]).isCloseTo(0.695076f, within(1e-5f));
    assertThat(p[1]).isCloseTo(0.304924f, within(1e-5f));
  }

  @Test
  void shouldIgnoreAConstantAddedToOneMembersLogits() {
    float[][] members = {{1f, 2f, 4f}, {0.5f, -1f, 0f}};
    float[][] shifted = {{101f, 102f, 104f}, {0.5f, -1f, 0f}};

    float[] a = EnsembleLogits.combine(members, new double[] {0.5, 0.5}, 1.0);
    float[] b = EnsembleLogits.combine(shifted, new double[] {0.5, 0.5}, 1.0);

    assertThat(b).containsExactly(a, within(1e-5f));
  }

  @Test
  void shouldEqualTheOnlyMembersLogProbabilitiesWhenItHasAllTheWeight() {
    float[][] members = {{1f, 2f, 4f}, {9f, -9f, 0f}};

    float[] combined = EnsembleLogits.combine(members, new double[] {1, 0}, 1.0);

    double[] logP = EnsembleLogits.logSoftmax(members[0]);
    assertThat(combined).containsExactly(new float[] {(float) logP[0], (float) logP[1], (float) logP[2]}, within(1e-6f));
    // ln softmax(1, 2, 4) = x - ln(e + e^2 + e^4) = x - 4.1698
    assertThat(logP[2]).isCloseTo(4 - 4.169846, within(1e-6));
  }

  @Test
  void shouldRefuseMembersThatDisagreeOnShape() {
    assertThatThrownBy(() -> EnsembleLogits.combine(new float[][] {{1f, 2f}, {1f}}, new double[] {0.5, 0.5}, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("member 1 has 1 logits, member 0 has 2");
    assertThatThrownBy(() -> EnsembleLogits.combine(new float[][] {{1f, 2f}}, new double[] {0.5, 0.5}, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("need one weight per member (and at least one member), got 1 members and 2 weights");
  }
}
