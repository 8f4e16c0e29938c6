package org.streamdistill.producers.publish;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A periodic one-line status of a long replay: a bar, count, share, rate and time left,
 * e.g. {@code replay [#####---------------] 12,500/50,000 25.0% 1,234 turns/s ETA 0:00:30}.
 * Printed at most once per interval and once at the end, as whole lines, so it reads the
 * same in a terminal and in a log file. Safe to call from the producer's I/O thread.
 */
public final class ProgressLine implements TurnPublisher.Progress {

  private static final int BAR_WIDTH = 20;

  private final String label;
  private final long total;
  private final PrintStream out;
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private final long start;
  private long lastPrinted;

  /**
   * @param total expected count; 0 or less when unknown (no bar, share or ETA)
   */
  public ProgressLine(String label, long total, PrintStream out, long intervalMillis) {
    this(label, total, out, intervalMillis, System::nanoTime);
  }

  public ProgressLine(String label, long total, PrintStream out, long intervalMillis, LongSupplier nanoClock) {
    this.label = label;
    this.total = total;
    this.out = out;
    this.intervalNanos = intervalMillis * 1_000_000L;
    this.nanoClock = nanoClock;
    this.start = nanoClock.getAsLong();
    this.lastPrinted = start;
  }

  @Override
  public synchronized void acknowledged(long count) {
    long now = nanoClock.getAsLong();
    if (count == total || now - lastPrinted >= intervalNanos) {
      lastPrinted = now;
      out.println(format(label, count, total, now - start));
    }
  }

  /** The status line for {@code done} of {@code total} after {@code elapsedNanos}. */
  public static String format(String label, long done, long total, long elapsedNanos) {
    double seconds = elapsedNanos / 1e9;
    double rate = seconds > 0 ? done / seconds : 0;
    if (total <= 0) {
      return String.format(Locale.ROOT, "%s %,d turns %,.0f turns/s", label, done, rate);
    }
    double share = Math.min(1.0, (double) done / total);
    int filled = (int) Math.round(share * BAR_WIDTH);
    String bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
    String eta = rate > 0 ? clock(Math.round((total - done) / rate)) : "?";
    return String.format(Locale.ROOT, "%s [%s] %,d/%,d %.1f%% %,.0f turns/s ETA %s",
        label, bar, done, total, share * 100, rate, eta);
  }

  private static String clock(long seconds) {
    seconds = Math.max(0, seconds);
    return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60);
  }
}
