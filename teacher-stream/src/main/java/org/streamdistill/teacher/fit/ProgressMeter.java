package org.streamdistill.teacher.fit;

import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A periodic one-line status for long work: items done, rate and time left, at most once per
 * interval, plus a closing line. Time comes from an injected nanosecond clock so that tests
 * can drive it.
 *
 * <p>Items may cost unequal work (a batch of long sentences takes longer than one of short
 * ones, and {@link TeacherFit} embeds shortest first), so the caller reports work alongside
 * items and the time left is extrapolated from the work rate, not the item rate.
 */
final class ProgressMeter {

  private final String what;
  private final String unit;
  private final int totalItems;
  private final long totalWork;
  private final Consumer<String> sink;
  private final LongSupplier nanoTime;
  private final long intervalNanos;
  private final long start;
  private long lastReport;
  private int items;
  private long work;

  ProgressMeter(String what, String unit, int totalItems, long totalWork, Consumer<String> sink,
      LongSupplier nanoTime, long intervalNanos) {
    this.what = what;
    this.unit = unit;
    this.totalItems = totalItems;
    this.totalWork = Math.max(1, totalWork);
    this.sink = sink;
    this.nanoTime = nanoTime;
    this.intervalNanos = intervalNanos;
    this.start = nanoTime.getAsLong();
    this.lastReport = start;
  }

  /** Records {@code n} more items costing {@code cost} work; reports if the interval has passed. */
  void advance(int n, long cost) {
    items += n;
    work += cost;
    long now = nanoTime.getAsLong();
    if (items < totalItems && now - lastReport >= intervalNanos) {
      lastReport = now;
      double seconds = (now - start) / 1e9;
      double eta = seconds * (totalWork - work) / Math.max(1, work);
      sink.accept(String.format(Locale.ROOT, "%s: %,d/%,d %s (%d%% of the work), %.0f %s/s, ETA %.0f s",
          what, items, totalItems, unit, (int) (100 * work / totalWork), items / seconds, unit, eta));
    }
  }

  /** Reports the totals; returns the overall rate in items per second. */
  double finish() {
    double seconds = Math.max(1e-9, (nanoTime.getAsLong() - start) / 1e9);
    double rate = items / seconds;
    sink.accept(String.format(Locale.ROOT, "%s: %,d %s in %.1f s, %.0f %s/s", what, items, unit, seconds, rate, unit));
    return rate;
  }
}
