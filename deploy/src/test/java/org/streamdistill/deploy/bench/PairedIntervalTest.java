package org.streamdistill.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Against figures worked out by hand with two degrees of freedom, where Student's t has a closed
 * form: F(t) = 1/2 + t / (2 sqrt(t^2 + 2)), so its 0.975 quantile is 0.95 sqrt(2 / (1 - 0.95^2)).
 */
class PairedIntervalTest {

  @Test
  void shouldGiveTheMeanItsStudentTIntervalAndTwoSidedPValue() {
    // mean 2, sd 1, standard error 1/sqrt(3); quantile 4.302653 -> half width 2.484138;
    // t = 2 sqrt(3) = 3.464102 -> F = 1/2 + 3.464102 / (2 sqrt(14)) = 0.962910, p = 0.074180
    PairedInterval interval = PairedInterval.of(new double[] {1, 2, 3});

    assertThat(interval.n()).isEqualTo(3);
    assertThat(interval.mean()).isCloseTo(2, within(1e-12));
    assertThat(interval.low()).isCloseTo(2 - 2.484138, within(1e-5));
    assertThat(interval.high()).isCloseTo(2 + 2.484138, within(1e-5));
    assertThat(interval.p()).isCloseTo(0.074180, within(1e-5));
    assertThat(interval.describe()).isEqualTo("95 % interval of the mean -0.4841 to +4.4841, includes 0 (paired t "
        + "test, p = 0.074)");
  }

  @Test
  void shouldSayWhichSideOfZeroAnIntervalThatExcludesItLiesOn() {
    // mean 0.01, sd 0.001: half width 4.302653 x 0.001 / sqrt(3) = 0.002484
    assertThat(PairedInterval.of(new double[] {0.009, 0.010, 0.011}).describe())
        .startsWith("95 % interval of the mean +0.0075 to +0.0125, above 0 (paired t test, p = 0.00");
    assertThat(PairedInterval.of(new double[] {-0.009, -0.010, -0.011}).describe())
        .startsWith("95 % interval of the mean -0.0125 to -0.0075, below 0");
  }

  @Test
  void shouldGiveNoIntervalForOnePairAndAPointForIdenticalDifferences() {
    assertThat(PairedInterval.of(new double[] {0.003}).describe()).isEqualTo("one seed: no interval");
    PairedInterval same = PairedInterval.of(new double[] {0.002, 0.002});
    assertThat(same.low()).isEqualTo(same.high()).isCloseTo(0.002, within(1e-12));
    assertThat(same.p()).isZero();
    assertThat(PairedInterval.of(new double[] {0, 0}).p()).isEqualTo(1);
    assertThatThrownBy(() -> PairedInterval.of(new double[0])).isInstanceOf(IllegalArgumentException.class);
  }
}
