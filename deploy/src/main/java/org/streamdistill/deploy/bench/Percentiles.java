package org.streamdistill.deploy.bench;

import java.util.Arrays;

/**
 * Summary of a sample of durations in milliseconds: count, mean, the 50th, 95th and 99th
 * percentiles by the nearest-rank method (the smallest value with at least p % of the sample
 * at or below it, so every reported percentile is a value that was measured) and the maximum.
 * An empty sample has count 0 and NaN everywhere else.
 */
public record Percentiles(long count, double mean, double p50, double p95, double p99, double max) {

  /** Summarises {@code millis}; the array is not modified. */
  public static Percentiles ofMillis(double[] millis) {
    if (millis.length == 0) {
      return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double[] sorted = millis.clone();
    Arrays.sort(sorted);
    double sum = 0;
    for (double v : sorted) {
      sum += v;
    }
    return new Percentiles(sorted.length, sum / sorted.length, nearestRank(sorted, 50), nearestRank(sorted, 95),
        nearestRank(sorted, 99), sorted[sorted.length - 1]);
  }

  /** Summarises durations given in nanoseconds, reported in milliseconds. */
  public static Percentiles ofNanos(long[] nanos) {
    double[] millis = new double[nanos.length];
    for (int i = 0; i < nanos.length; i++) {
      millis[i] = nanos[i] / 1e6;
    }
    return ofMillis(millis);
  }

  /** Summarises durations given in whole milliseconds. */
  public static Percentiles ofMillis(long[] millis) {
    double[] values = new double[millis.length];
    for (int i = 0; i < millis.length; i++) {
      values[i] = millis[i];
    }
    return ofMillis(values);
  }

  /** The value of rank {@code ceil(p / 100 * n)} (1-based) of an ascending sample. */
  static double nearestRank(double[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }
}
