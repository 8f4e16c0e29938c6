package org.streamdistill.teacher.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JobRateTest {

  @Test
  void shouldSplitAJobsRateEvenlyOverItsSubtasksAndKeepZero() {
    assertThat(JobRate.perSubtask(100, 1)).isEqualTo(100.0);
    assertThat(JobRate.perSubtask(15.8, 2)).isEqualTo(7.9);
    assertThat(JobRate.perSubtask(100, 3)).isEqualTo(100.0 / 3);
    // 0 means "no limit" for the fallback's cap: it must stay 0, not become a tiny rate
    assertThat(JobRate.perSubtask(0, 4)).isEqualTo(0.0);
  }

  @Test
  void shouldRefuseNoSubtasksAndRatesThatAreNotFiniteAndNonNegative() {
    assertThatThrownBy(() -> JobRate.perSubtask(10, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("subtasks must be >= 1, got 0");
    assertThatThrownBy(() -> JobRate.perSubtask(-1, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JobRate.perSubtask(Double.NaN, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JobRate.perSubtask(Double.POSITIVE_INFINITY, 2))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
