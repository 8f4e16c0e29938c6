package org.streamdistill.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PercentilesTest {

  @Test
  void shouldPickNearestRankValuesOfTheSample() {
    // Given 1..100 ms in shuffled order
    double[] millis = new double[100];
    for (int i = 0; i < 100; i++) {
      millis[i] = (i * 37) % 100 + 1;
    }

    // When summarised
    Percentiles p = Percentiles.ofMillis(millis);

    // Then every percentile is the value of rank ceil(p * n)
    assertThat(p).isEqualTo(new Percentiles(100, 50.5, 50, 95, 99, 100));
  }

  @Test
  void shouldRoundTheRankUpOnSmallSamples() {
    Percentiles p = Percentiles.ofMillis(new double[] {30, 10, 20});

    // ranks: p50 -> ceil(1.5) = 2, p95 -> ceil(2.85) = 3, p99 -> 3
    assertThat(p).isEqualTo(new Percentiles(3, 20, 20, 30, 30, 30));
  }

  @Test
  void shouldConvertNanosecondsToMilliseconds() {
    Percentiles p = Percentiles.ofNanos(new long[] {1_500_000, 500_000});

    assertThat(p).isEqualTo(new Percentiles(2, 1.0, 0.5, 1.5, 1.5, 1.5));
  }

  @Test
  void shouldReportAnEmptySampleAsNotANumber() {
    Percentiles p = Percentiles.ofMillis(new long[0]);

    assertThat(p.count()).isZero();
    assertThat(p.p50()).isNaN();
    assertThat(p.p99()).isNaN();
  }

  @Test
  void shouldNotReorderTheCallersArray() {
    double[] millis = {3, 1, 2};

    Percentiles.ofMillis(millis);

    assertThat(millis).containsExactly(3, 1, 2);
  }
}
