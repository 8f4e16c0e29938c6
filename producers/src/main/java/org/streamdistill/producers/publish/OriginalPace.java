package org.streamdistill.producers.publish;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Replays turns at the pace they originally happened, sped up by a factor: turn {@code i}
 * is due {@code (t_i - t_0) / speed} after the first one. Gaps longer than {@code maxGapMillis}
 * (nights, weekends) are shortened to it before scaling. Like {@link RateLimiter}, due
 * times are computed from the start, so a slow send is made up for by the next ones.
 */
public final class OriginalPace implements Pacer {

  private final long[] dueNanos;
  private final LongSupplier nanoClock;
  private final Sleeper sleeper;
  private long start = -1;

  /** How to wait; tests replace it to check due times without sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;
  }

  /**
   * @param timestampsMillis each turn's original time, in replay order (not decreasing)
   * @param speed 2.0 replays twice as fast as it happened; must be > 0
   * @param maxGapMillis longest wait between two turns before scaling; 0 for no limit
   */
  public OriginalPace(long[] timestampsMillis, double speed, long maxGapMillis) {
    this(timestampsMillis, speed, maxGapMillis, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
  }

  public OriginalPace(long[] timestampsMillis, double speed, long maxGapMillis, LongSupplier nanoClock, Sleeper sleeper) {
    if (!(speed > 0)) {
      throw new IllegalArgumentException("speed must be > 0, got " + speed);
    }
    if (maxGapMillis < 0) {
      throw new IllegalArgumentException("max gap must be >= 0 (0 = no limit), got " + maxGapMillis);
    }
    this.nanoClock = nanoClock;
    this.sleeper = sleeper;
    this.dueNanos = new long[timestampsMillis.length];
    double elapsedMillis = 0;
    for (int i = 1; i < timestampsMillis.length; i++) {
      long gap = timestampsMillis[i] - timestampsMillis[i - 1];
      if (gap < 0) {
        throw new IllegalArgumentException("timestamps must not decrease: turn " + i + " is " + (-gap)
            + " ms before the one preceding it");
      }
      if (maxGapMillis > 0) {
        gap = Math.min(gap, maxGapMillis);
      }
      elapsedMillis += gap / speed;
      dueNanos[i] = (long) (elapsedMillis * 1e6);
    }
  }

  /** When turn {@code position} is due, in nanoseconds after the first one. */
  public long dueNanos(int position) {
    return dueNanos[position];
  }

  @Override
  public void await(long position) throws InterruptedException {
    long now = nanoClock.getAsLong();
    if (start < 0) {
      start = now;
    }
    if (position >= dueNanos.length) {
      return;
    }
    long wait = start + dueNanos[(int) position] - now;
    if (wait > 0) {
      sleeper.sleepNanos(wait);
    }
  }
}
