package org.streamdistill.student.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class InverseSqrtDecayTest {

  @Test
  void shouldKeepTheFullRateThenDecayAsTheInverseSquareRootOfTheStep() {
    InverseSqrtDecay schedule = new InverseSqrtDecay(100);

    assertThat(schedule.factor(1)).isEqualTo(1.0);
    assertThat(schedule.factor(100)).isEqualTo(1.0);
    // sqrt(100 / 400) = 0.5, sqrt(100 / 1600) = 0.25, sqrt(100 / 150) = 0.8164966
    assertThat(schedule.factor(400)).isEqualTo(0.5);
    assertThat(schedule.factor(1600)).isEqualTo(0.25);
    assertThat(schedule.factor(150)).isCloseTo(0.8164966, within(1e-7));
  }

  @Test
  void shouldNotDecayWhenTheConstantPhaseIsZero() {
    assertThat(new InverseSqrtDecay(0).factor(1_000_000)).isEqualTo(1.0);
  }

  @Test
  void shouldRejectANegativeConstantPhase() {
    assertThatThrownBy(() -> new InverseSqrtDecay(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -1");
  }
}
