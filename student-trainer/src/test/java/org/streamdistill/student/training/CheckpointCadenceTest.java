package org.streamdistill.student.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointCadenceTest {

  @Test
  void shouldDoubleFromTheFirstVersionUntilTheRegularCadence() {
    CheckpointCadence cadence = new CheckpointCadence(250, 2_000, 15_000);

    assertThat(versionsAt(cadence, 32, 9_000)).containsExactly(256L, 512L, 1024L, 2048L, 4064L, 6080L, 8096L);
  }

  @Test
  void shouldKeepAConstantCadenceWhenTheFirstIsNotSmaller() {
    assertThat(versionsAt(new CheckpointCadence(2_000, 2_000, 15_000), 100, 6_000)).containsExactly(2_000L, 4_000L,
        6_000L);
    assertThat(versionsAt(new CheckpointCadence(250, 100, 15_000), 50, 400)).containsExactly(100L, 200L, 300L, 400L);
  }

  @Test
  void shouldSaveAfterTheLongestTimeOrWhenForcedButNeverWithoutNewTurns() {
    CheckpointCadence cadence = new CheckpointCadence(250, 2_000, 15_000);

    assertThat(cadence.due(5_010, 5_000, 15_000, false)).isTrue();
    assertThat(cadence.due(5_010, 5_000, 14_999, false)).isFalse();
    assertThat(cadence.due(5_010, 5_000, 0, true)).isTrue();
    assertThat(cadence.due(5_000, 5_000, 60_000, true)).isFalse();
    // a restored student (10,000 turns learned) is past the doubling: the regular cadence
    assertThat(cadence.interval(10_000)).isEqualTo(2_000);
    assertThat(cadence.interval(0)).isEqualTo(250);
  }

  @Test
  void shouldRefuseNonPositiveSettings() {
    assertThatThrownBy(() -> new CheckpointCadence(0, 2_000, 15_000)).isInstanceOf(IllegalArgumentException.class);
  }

  /** Turns learned at each version when batches of {@code batch} are learned up to {@code total}. */
  private static List<Long> versionsAt(CheckpointCadence cadence, int batch, long total) {
    List<Long> versions = new ArrayList<>();
    long last = 0;
    for (long seen = batch; seen <= total; seen += batch) {
      if (cadence.due(seen, last, 0, false)) {
        versions.add(seen);
        last = seen;
      }
    }
    return versions;
  }
}
