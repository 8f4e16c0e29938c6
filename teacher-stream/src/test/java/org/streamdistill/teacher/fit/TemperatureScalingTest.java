package org.streamdistill.teacher.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TemperatureScalingTest {

  @Test
  void shouldFindTheTemperatureThatMatchesTheObservedFrequency() {
    // Given logits [2, 0] four times, with labels 0, 0, 0, 1: the NLL is lowest when
    // softmax([2, 0] / T)[0] = 3/4, i.e. 2 / T = ln 3
    float[][] logits = {{2f, 0f}, {2f, 0f}, {2f, 0f}, {2f, 0f}};
    int[] y = {0, 0, 0, 1};

    // When
    double t = TemperatureScaling.fit(logits, y);

    // Then
    assertThat(t).isCloseTo(2 / Math.log(3), within(1e-5));
    double best = TemperatureScaling.negativeLogLikelihood(logits, y, t);
    assertThat(best).isCloseTo(-0.75 * Math.log(0.75) - 0.25 * Math.log(0.25), within(1e-9));
    assertThat(TemperatureScaling.negativeLogLikelihood(logits, y, t * 1.1)).isGreaterThan(best);
    assertThat(TemperatureScaling.negativeLogLikelihood(logits, y, t / 1.1)).isGreaterThan(best);
  }

  @Test
  void shouldStopAtTheSmallestTemperatureWhenEveryLabelIsRight() {
    // Sharper is always better when nothing is wrong; the search range bounds it.
    double t = TemperatureScaling.fit(new float[][] {{1f, 0f}, {0f, 1f}}, new int[] {0, 1});

    assertThat(t).isCloseTo(TemperatureScaling.MIN_TEMPERATURE, within(1e-4));
  }
}
