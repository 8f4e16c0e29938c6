package org.streamdistill.evaluator.lag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LagEvaluatorTest {

  private static final long INTERVAL_MS = 1_000;
  /** A window of 5 samples, STOP after 10 s without a new committed offset. */
  private final LagEvaluator evaluator = new LagEvaluator(5, Duration.ofSeconds(10));

  /**
   * Samples 1 s apart, starting at {@code startMs}, with the given committed offsets and lags;
   * {@code committedSinceMs} follows the committed offsets as the monitor tracks it, the first
   * sample's offset being first seen at {@code firstSeenMs}.
   */
  private static List<LagSample> window(long startMs, long firstSeenMs, long[] committed, long[] lags) {
    List<LagSample> samples = new ArrayList<>();
    for (int i = 0; i < committed.length; i++) {
      long time = startMs + i * INTERVAL_MS;
      long since = i == 0 ? firstSeenMs
          : committed[i] == committed[i - 1] ? samples.get(i - 1).committedSinceMs() : time;
      long end = committed[i] == LagSample.NO_OFFSET ? lags[i] : committed[i] + lags[i];
      samples.add(new LagSample(time, committed[i], end, lags[i], lags[i] == 0 ? 0 : 1_000 * lags[i], since));
    }
    return samples;
  }

  private static long[] of(long... values) {
    return values;
  }

  @Test
  void shouldBeOkWhenTheLatestLagIsZeroWhateverCameBefore() {
    // Given a group that lagged behind on a fixed offset, then caught up
    List<LagSample> samples = window(0, 0, of(10, 10, 10, 10, 30), of(5, 8, 12, 20, 0));

    // When evaluated, Then it is OK
    assertThat(evaluator.partitionStatus(samples)).isEqualTo(ConsumerStatus.OK);
  }

  @Test
  void shouldBeOkWhenTheGroupWasCaughtUpAtSomeSampleOfTheWindow() {
    // Given a full window whose committed offset never moved, but whose lag was 0 at its start
    List<LagSample> samples = window(0, 0, of(10, 10, 10, 10, 10), of(0, 1, 2, 3, 4));

    // When evaluated, Then it is OK (not STALL): the records arrived after the window began
    assertThat(evaluator.partitionStatus(samples)).isEqualTo(ConsumerStatus.OK);
  }

  @Test
  void shouldStallWhenTheCommittedOffsetDoesNotMoveAcrossAFullWindowWithLag() {
    // Given a full window on one committed offset with lag at every sample, for 4 s < stop-after
    List<LagSample> samples = window(0, 0, of(10, 10, 10, 10, 10), of(5, 6, 7, 8, 9));

    // When evaluated, Then the partition stalls
    assertThat(evaluator.partitionStatus(samples)).isEqualTo(ConsumerStatus.STALL);
  }

  @Test
  void shouldNotStallBeforeTheWindowIsFull() {
    // Given four samples of a five-sample window, all on one committed offset with lag
    List<LagSample> samples = window(0, 0, of(10, 10, 10, 10), of(5, 6, 7, 8));

    // When evaluated, Then there is not enough history for a trend: OK
    assertThat(evaluator.partitionStatus(samples)).isEqualTo(ConsumerStatus.OK);
  }

  @Test
  void shouldStopWhenTheCommittedOffsetHasNotChangedForStopAfterWithLag() {
    // Given a committed offset first seen at t=0 and still the same at t=10 s, with lag
    List<LagSample> samples = window(6_000, 0, of(10, 10, 10, 10, 10), of(5, 6, 7, 8, 9));

    // When evaluated, Then the group's commits stopped
    assertThat(evaluator.partitionStatus(samples)).isEqualTo(ConsumerStatus.STOP);
  }

  @Test
  void shouldStallNotStopOneSampleBeforeStopAfter() {
    // Given the same committed offset for 9 s < 10 s stop-after
    List<LagSample> samples = window(5_000, 0, of(10, 10, 10, 10, 10), of(5, 6, 7, 8, 9));

    // When evaluated, Then it stalls but has not stopped
    assertThat(evaluator.partitionStatus(samples)).isEqualTo(ConsumerStatus.STALL);
  }

  @Test
  void shouldStopEvenWhenTheWindowIsNotFull() {
    // Given two samples of a committed offset unchanged for 20 s, with lag
    List<LagSample> samples = window(19_000, 0, of(10, 10), of(5, 6));

    // When evaluated, Then STOP needs no full window
    assertThat(evaluator.partitionStatus(samples)).isEqualTo(ConsumerStatus.STOP);
  }

  @Test
  void shouldStopAConsumerThatWasCaughtUpThenDied() {
    // Given a group caught up at the start of the window whose offset has not moved for 10 s since
    List<LagSample> samples = window(6_000, 0, of(10, 10, 10, 10, 10), of(0, 0, 3, 6, 9));

    // When evaluated, Then STOP wins over the zero lag early in the window (Burrow's order)
    assertThat(evaluator.partitionStatus(samples)).isEqualTo(ConsumerStatus.STOP);
  }

  @Test
  void shouldWarnWhenCommittedOffsetsAdvanceButTheLagGrows() {
    // Given a full window of advancing commits whose lag grows at every commit
    List<LagSample> samples = window(0, 0, of(10, 20, 30, 40, 50), of(5, 6, 6, 8, 9));

    // When evaluated, Then the group falls behind: WARN
    assertThat(evaluator.partitionStatus(samples)).isEqualTo(ConsumerStatus.WARN);
  }

  @Test
  void shouldBeOkWhenCommittedOffsetsAdvanceWithAConstantLag() {
    // Given advancing commits that keep a steady in-flight lag (a checkpointing consumer)
    List<LagSample> samples = window(0, 0, of(10, 20, 30, 40, 50), of(7, 7, 7, 7, 7));

    // When evaluated, Then it keeps pace: OK (Burrow would WARN on a fixed lag)
    assertThat(evaluator.partitionStatus(samples)).isEqualTo(ConsumerStatus.OK);
  }

  @Test
  void shouldBeOkWhenTheLagDecreasesOnceAcrossTheWindow() {
    // Given advancing commits whose lag grows, dips once, then grows again
    List<LagSample> samples = window(0, 0, of(10, 20, 30, 40, 50), of(5, 7, 4, 8, 9));

    // When evaluated, Then the lag did not grow in every interval: OK
    assertThat(evaluator.partitionStatus(samples)).isEqualTo(ConsumerStatus.OK);
  }

  @Test
  void shouldJudgeTheLagTrendAtCommitsWhenSamplingFasterThanTheGroupCommits() {
    // Given a group committing every other sample: the lag climbs between commits and drops at them
    LagEvaluator six = new LagEvaluator(6, Duration.ofSeconds(10));
    List<LagSample> keepingPace = window(0, 0, of(10, 10, 20, 20, 30, 30), of(3, 9, 3, 9, 3, 9));
    List<LagSample> fallingBehind = window(0, 0, of(10, 10, 20, 20, 30, 30), of(3, 9, 4, 10, 5, 11));

    // When evaluated, Then only the lags right after commits count: the first is OK, the second WARN
    assertThat(six.partitionStatus(keepingPace)).isEqualTo(ConsumerStatus.OK);
    assertThat(six.partitionStatus(fallingBehind)).isEqualTo(ConsumerStatus.WARN);
  }

  @Test
  void shouldReportRewindWhenACommittedOffsetGoesBackwards() {
    // Given a committed offset reset from 60 to 40 within the window, with lag throughout
    List<LagSample> samples = window(0, 0, of(50, 60, 40, 45, 55), of(5, 5, 30, 28, 20));

    // When evaluated, Then REWIND
    assertThat(evaluator.partitionStatus(samples)).isEqualTo(ConsumerStatus.REWIND);
  }

  @Test
  void shouldReportRewindBeforeTheWindowIsFull() {
    // Given two samples, the second committed offset below the first
    List<LagSample> samples = window(0, 0, of(60, 40), of(5, 30));

    // When evaluated, Then REWIND needs no full window
    assertThat(evaluator.partitionStatus(samples)).isEqualTo(ConsumerStatus.REWIND);
  }

  @Test
  void shouldNotTakeAFirstCommitAfterNoneForARewind() {
    // Given a partition without commits that then gets its first committed offset
    List<LagSample> samples = window(0, 0, of(LagSample.NO_OFFSET, LagSample.NO_OFFSET, 5, 10, 15),
        of(20, 22, 18, 14, 10));

    // When evaluated, Then it catches up: OK
    assertThat(evaluator.partitionStatus(samples)).isEqualTo(ConsumerStatus.OK);
  }

  @Test
  void shouldStallAGroupThatNeverCommittedWhileRecordsWait() {
    // Given a full window without any committed offset and records waiting
    List<LagSample> samples = window(0, 0, of(-1, -1, -1, -1, -1), of(20, 21, 22, 23, 24));

    // When evaluated, Then nobody consumes them: STALL
    assertThat(evaluator.partitionStatus(samples)).isEqualTo(ConsumerStatus.STALL);
  }

  @Test
  void shouldBeOkForAnEmptyWindow() {
    assertThat(evaluator.partitionStatus(List.of())).isEqualTo(ConsumerStatus.OK);
  }

  @Test
  void shouldReadATransactionMarkerGapAsCaughtUpForGood() {
    // Given an exactly-once consumer that committed "last record + 1" = the commit marker's
    // offset 10 while the last stable offset is 11, sampled for 60 s on the same offset
    List<LagSample> samples = new ArrayList<>();
    LagSample previous = null;
    for (long t = 0; t <= 60_000; t += 15_000) {
      previous = LagSample.measure(t, 10, 0, 11, OldestUnconsumed.ONLY_MARKERS, previous);
      samples.add(previous);
    }

    // When evaluated
    ConsumerStatus status = evaluator.partitionStatus(samples);

    // Then every sample has lag 0 and time lag 0 against end 11, and the status is OK, not STALL or STOP
    assertThat(samples).extracting(LagSample::endOffset, LagSample::lag, LagSample::timeLagMs)
        .containsOnly(tuple(11L, 0L, 0L));
    assertThat(samples.get(4).timeMs() - samples.get(4).committedSinceMs()).isEqualTo(60_000);
    assertThat(status).isEqualTo(ConsumerStatus.OK);
  }

  @Test
  void shouldTakeTheMostSevereStatusOfThePartitionsForTheGroup() {
    assertThat(LagEvaluator.groupStatus(List.of(ConsumerStatus.OK, ConsumerStatus.WARN, ConsumerStatus.OK)))
        .isEqualTo(ConsumerStatus.WARN);
    assertThat(LagEvaluator.groupStatus(List.of(ConsumerStatus.REWIND, ConsumerStatus.STALL)))
        .isEqualTo(ConsumerStatus.STALL);
    assertThat(LagEvaluator.groupStatus(List.of(ConsumerStatus.STALL, ConsumerStatus.STOP, ConsumerStatus.WARN)))
        .isEqualTo(ConsumerStatus.STOP);
    assertThat(LagEvaluator.groupStatus(List.of(ConsumerStatus.WARN, ConsumerStatus.REWIND)))
        .isEqualTo(ConsumerStatus.REWIND);
    assertThat(LagEvaluator.groupStatus(List.of())).isEqualTo(ConsumerStatus.OK);
  }
}
