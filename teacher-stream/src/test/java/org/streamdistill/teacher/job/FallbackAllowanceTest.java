package org.streamdistill.teacher.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FallbackAllowanceTest {

  @Test
  void shouldLetEveryTurnGoWithoutALimit() {
    FallbackAllowance unlimited = new FallbackAllowance(0);
    for (int i = 0; i < 10_000; i++) {
      assertThat(unlimited.tryTake(0)).isTrue();
    }
  }

  @Test
  void shouldAllowTheRateAndSaveUpAtMostOneSecond() {
    FallbackAllowance allowance = new FallbackAllowance(4);
    // a full bucket at the start: 4 turns, then none
    assertThat(takes(allowance, 0, 10)).isEqualTo(4);
    // half a second refills 2
    assertThat(takes(allowance, 500, 10)).isEqualTo(2);
    // ten quiet seconds save up one second's worth, not ten
    assertThat(takes(allowance, 10_500, 100)).isEqualTo(4);
    // a clock that steps back refills nothing
    assertThat(takes(allowance, 9_000, 10)).isZero();
  }

  @Test
  void shouldKeepAFractionalRate() {
    FallbackAllowance allowance = new FallbackAllowance(2.5);
    int taken = takes(allowance, 0, 10);
    for (long t = 100; t <= 10_000; t += 100) {
      taken += takes(allowance, t, 10);
    }
    // 2 at the start (a bucket of 2.5 holds 2 whole turns), then 2.5 a second for 10 s
    assertThat(taken).isBetween(26, 27);
  }

  @Test
  void shouldRefuseANegativeOrInfiniteRate() {
    assertThatThrownBy(() -> new FallbackAllowance(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FallbackAllowance(Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FallbackAllowance(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }

  private static int takes(FallbackAllowance allowance, long now, int tries) {
    int taken = 0;
    for (int i = 0; i < tries; i++) {
      if (allowance.tryTake(now)) {
        taken++;
      }
    }
    return taken;
  }
}
