package org.streamdistill.evaluator.lag;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * The status rules, after LinkedIn Burrow's evaluator, applied to one partition's sliding
 * window of samples (oldest first, the last sample is "now"). Burrow evaluates the offsets a
 * group commits; this monitor samples instead, so a sample can repeat a committed offset, and
 * commit times are approximated by the first sample that saw each offset ({@link
 * LagSample#committedSinceMs()}). The rules, first match wins:
 *
 * <ol>
 *   <li><b>OK</b> when the latest lag is 0. Lag is measured against the last stable offset
 *       and a gap of only transaction markers counts as 0 ({@link LagSample#measure}), so an
 *       exactly-once consumer at the end of its topic is OK, not lagging by 1 for ever.
 *   <li><b>STOP</b> when the committed offset has not changed for at least {@code stopAfter}
 *       (latest sample time - {@code committedSinceMs} &gt;= {@code stopAfter}) and the lag is
 *       &gt; 0: the group's commits stopped. Checked before the next rule, as Burrow does: a
 *       consumer that was caught up once and then died is still stopped.
 *   <li><b>OK</b> when any sample of the window has lag 0: the group caught up within it.
 *   <li><b>REWIND</b> when a committed offset is smaller than the one before it in the
 *       window (samples without a committed offset are skipped).
 *   <li><b>OK</b> when the window is not full yet: the trend rules below need a full window,
 *       or a group committing less often than the monitor samples would flap to STALL.
 *   <li><b>STALL</b> when the committed offset is the same in every sample of the full
 *       window (and, by rule 3, the lag is &gt; 0 in every one).
 *   <li><b>WARN</b> when the committed offsets advance but the lag grows: taking the lags at
 *       the first sample and at every sample whose committed offset differs from its
 *       predecessor's (Burrow's list of commits, as observed), the lag never decreases from
 *       one to the next and the last is larger than the first. Unlike Burrow a constant lag
 *       is not WARN: a consumer that commits at checkpoints keeps a steady in-flight lag.
 *   <li><b>OK</b> otherwise.
 * </ol>
 *
 * <p>A group's status is the most severe of its partitions' ({@link ConsumerStatus} order:
 * OK &lt; WARN &lt; REWIND &lt; STALL &lt; STOP); a group without partitions is OK. The
 * window span ({@code windowSamples - 1} sampling intervals) must exceed the slowest commit
 * interval of a healthy group (the teacher job's checkpoint interval), or STALL fires between
 * commits.
 */
public final class LagEvaluator {

  private final int windowSamples;
  private final long stopAfterMs;

  /**
   * @param windowSamples samples per window, at least 2
   * @param stopAfter how long a committed offset may stay unchanged, with lag, before STOP
   */
  public LagEvaluator(int windowSamples, Duration stopAfter) {
    if (windowSamples < 2) {
      throw new IllegalArgumentException("windowSamples must be >= 2, got " + windowSamples);
    }
    if (stopAfter.isNegative() || stopAfter.isZero()) {
      throw new IllegalArgumentException("stopAfter must be > 0, got " + stopAfter);
    }
    this.windowSamples = windowSamples;
    this.stopAfterMs = stopAfter.toMillis();
  }

  public int windowSamples() {
    return windowSamples;
  }

  /** The status of one partition from its window, oldest sample first; an empty window is OK. */
  public ConsumerStatus partitionStatus(List<LagSample> window) {
    if (window.isEmpty()) {
      return ConsumerStatus.OK;
    }
    LagSample latest = window.get(window.size() - 1);
    if (latest.lag() == 0) {
      return ConsumerStatus.OK;
    }
    if (latest.timeMs() - latest.committedSinceMs() >= stopAfterMs) {
      return ConsumerStatus.STOP;
    }
    if (window.stream().anyMatch(sample -> sample.lag() == 0)) {
      return ConsumerStatus.OK;
    }
    if (rewound(window)) {
      return ConsumerStatus.REWIND;
    }
    if (window.size() < windowSamples) {
      return ConsumerStatus.OK;
    }
    if (window.stream().allMatch(sample -> sample.committedOffset() == window.get(0).committedOffset())) {
      return ConsumerStatus.STALL;
    }
    if (lagGrowsAtCommits(window)) {
      return ConsumerStatus.WARN;
    }
    return ConsumerStatus.OK;
  }

  /** The most severe of the statuses; OK for none. */
  public static ConsumerStatus groupStatus(Collection<ConsumerStatus> partitionStatuses) {
    ConsumerStatus worst = ConsumerStatus.OK;
    for (ConsumerStatus status : partitionStatuses) {
      worst = worst.worst(status);
    }
    return worst;
  }

  private static boolean rewound(List<LagSample> window) {
    long previous = LagSample.NO_OFFSET;
    for (LagSample sample : window) {
      if (!sample.hasCommit()) {
        continue;
      }
      if (previous != LagSample.NO_OFFSET && sample.committedOffset() < previous) {
        return true;
      }
      previous = sample.committedOffset();
    }
    return false;
  }

  private static boolean lagGrowsAtCommits(List<LagSample> window) {
    long first = window.get(0).lag();
    long last = first;
    for (int i = 1; i < window.size(); i++) {
      LagSample sample = window.get(i);
      if (sample.committedOffset() == window.get(i - 1).committedOffset()) {
        continue;
      }
      if (sample.lag() < last) {
        return false;
      }
      last = sample.lag();
    }
    return last > first;
  }
}
