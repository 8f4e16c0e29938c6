package org.streamdistill.deploy.bench;

import java.util.Locale;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The mean of paired differences (one per seed, e.g. two students' accuracies on the same turns)
 * with its 95 % confidence interval and the two-sided p value of a paired t test, so that a report
 * says whether a difference stands out of the seeds' spread, not only its sign. Student's t
 * quantiles come from commons-math3 (already on the class path through Flink).
 *
 * @param n the number of pairs
 * @param mean their mean difference
 * @param low the interval's lower end (NaN with fewer than 2 pairs)
 * @param high its upper end (NaN with fewer than 2 pairs)
 * @param p the two-sided p value of the hypothesis "mean difference 0" (NaN with fewer than 2 pairs)
 */
record PairedInterval(int n, double mean, double low, double high, double p) {

  static final double LEVEL = 0.95;

  /** @throws IllegalArgumentException when {@code differences} is empty */
  static PairedInterval of(double[] differences) {
    int n = differences.length;
    if (n == 0) {
      throw new IllegalArgumentException("no paired differences");
    }
    double mean = 0;
    for (double d : differences) {
      mean += d / n;
    }
    if (n < 2) {
      return new PairedInterval(n, mean, Double.NaN, Double.NaN, Double.NaN);
    }
    double squares = 0;
    for (double d : differences) {
      squares += (d - mean) * (d - mean);
    }
    double standardError = Math.sqrt(squares / (n - 1) / n);
    if (standardError == 0) {
      return new PairedInterval(n, mean, mean, mean, mean == 0 ? 1 : 0);
    }
    TDistribution t = new TDistribution(null, n - 1);
    double half = t.inverseCumulativeProbability(1 - (1 - LEVEL) / 2) * standardError;
    double p = 2 * t.cumulativeProbability(-Math.abs(mean / standardError));
    return new PairedInterval(n, mean, mean - half, mean + half, p);
  }

  /** e.g. {@code 95 % interval of the mean +0.0002 to +0.0030, above 0 (paired t test, p = 0.031)}. */
  String describe() {
    if (n < 2) {
      return "one seed: no interval";
    }
    String where = low > 0 ? "above 0" : high < 0 ? "below 0" : "includes 0";
    return String.format(Locale.ROOT, "95 %% interval of the mean %+.4f to %+.4f, %s (paired t test, p = %.3f)", low,
        high, where, p);
  }
}
