package org.streamdistill.producers.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OriginalPaceTest {

  @Test
  void shouldScaleGapsByTheSpeedAndCapLongOnes() {
    long[] times = {1_000, 3_000, 3_000, 603_000};

    OriginalPace pace = new OriginalPace(times, 2.0, 60_000);

    // gaps 2 s, 0 s, 600 s capped to 60 s; halved
    assertThat(pace.dueNanos(0)).isZero();
    assertThat(pace.dueNanos(1)).isEqualTo(1_000_000_000L);
    assertThat(pace.dueNanos(2)).isEqualTo(1_000_000_000L);
    assertThat(pace.dueNanos(3)).isEqualTo(31_000_000_000L);
  }

  @Test
  void shouldSleepOnlyUntilEachTurnIsDueCountingFromTheFirst() throws Exception {
    long[] clock = {5_000};
    List<Long> sleeps = new ArrayList<>();
    OriginalPace pace = new OriginalPace(new long[] {0, 10, 20}, 1.0, 0, () -> clock[0], nanos -> {
      sleeps.add(nanos);
      clock[0] += nanos;
    });

    pace.await(0);
    clock[0] += 4_000_000; // the send took 4 ms
    pace.await(1);
    clock[0] += 15_000_000; // a slow send: turn 2 is already due
    pace.await(2);

    assertThat(sleeps).containsExactly(6_000_000L);
  }

  @Test
  void shouldRefuseDecreasingTimesAndNonPositiveSpeed() {
    assertThatThrownBy(() -> new OriginalPace(new long[] {10, 5}, 1, 0))
        .hasMessage("timestamps must not decrease: turn 1 is 5 ms before the one preceding it");
    assertThatThrownBy(() -> new OriginalPace(new long[] {1}, 0, 0)).hasMessage("speed must be > 0, got 0.0");
  }
}
