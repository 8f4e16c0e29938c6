package org.streamdistill.evaluator.lag;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LagSampleTest {

  @Test
  void shouldMeasureNoLagWhenTheCommittedOffsetIsTheLastStableOffset() {
    LagSample sample = LagSample.measure(5_000, 42, 0, 42, OldestUnconsumed.UNKNOWN, null);

    assertThat(sample).isEqualTo(new LagSample(5_000, 42, 42, 0, 0, 5_000));
  }

  @Test
  void shouldMeasureNoLagWhenOnlyTransactionMarkersLieBeforeTheLastStableOffset() {
    // Given committed 10 = the commit marker's offset, last stable offset 11 (raw end may be more)
    LagSample sample = LagSample.measure(5_000, 10, 0, 11, OldestUnconsumed.ONLY_MARKERS, null);

    // Then lag and time lag are 0, and the end shown is still the last stable offset
    assertThat(sample).isEqualTo(new LagSample(5_000, 10, 11, 0, 0, 5_000));
  }

  @Test
  void shouldCountFromTheOldestUnconsumedRecordAndTimeItsAge() {
    // Given committed 10 (a marker), the first record at 11 written at t=1.5 s, last stable offset 15
    LagSample sample = LagSample.measure(5_000, 10, 0, 15, new OldestUnconsumed.Found(11, 1_500), null);

    // Then 4 records wait (11..14) and the oldest is 3.5 s old
    assertThat(sample).isEqualTo(new LagSample(5_000, 10, 15, 4, 3_500, 5_000));
  }

  @Test
  void shouldKeepTheOffsetLagButNoTimeLagWhenTheFetchTimedOut() {
    LagSample sample = LagSample.measure(5_000, 10, 0, 15, OldestUnconsumed.UNKNOWN, null);

    assertThat(sample).isEqualTo(new LagSample(5_000, 10, 15, 5, LagSample.UNKNOWN_TIME_LAG, 5_000));
  }

  @Test
  void shouldCountFromTheLogStartWithoutACommitOrWhenRetentionPassedTheCommit() {
    LagSample none = LagSample.measure(5_000, LagSample.NO_OFFSET, 3, 8, new OldestUnconsumed.Found(3, 4_000), null);
    LagSample deleted = LagSample.measure(5_000, 2, 5, 9, new OldestUnconsumed.Found(5, 4_500), null);

    assertThat(none).isEqualTo(new LagSample(5_000, LagSample.NO_OFFSET, 8, 5, 1_000, 5_000));
    assertThat(deleted).isEqualTo(new LagSample(5_000, 2, 9, 4, 500, 5_000));
  }

  @Test
  void shouldNeverReportANegativeTimeLagForARecordStampedInTheFuture() {
    LagSample sample = LagSample.measure(5_000, 10, 0, 12, new OldestUnconsumed.Found(10, 6_000), null);

    assertThat(sample.timeLagMs()).isZero();
  }

  @Test
  void shouldKeepTheTimeTheCommittedOffsetWasFirstSeenUntilItChanges() {
    LagSample first = LagSample.measure(1_000, 10, 0, 12, new OldestUnconsumed.Found(10, 0), null);
    LagSample same = LagSample.measure(2_000, 10, 0, 13, new OldestUnconsumed.Found(10, 0), first);
    LagSample moved = LagSample.measure(3_000, 11, 0, 13, new OldestUnconsumed.Found(11, 0), same);

    assertThat(same.committedSinceMs()).isEqualTo(1_000);
    assertThat(moved.committedSinceMs()).isEqualTo(3_000);
  }
}
