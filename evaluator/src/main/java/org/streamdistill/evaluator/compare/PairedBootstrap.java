package org.streamdistill.evaluator.compare;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile interval of a paired difference of two rates by the bootstrap: the paired turns are
 * drawn again with replacement, {@code samples} times, and the difference of the two models'
 * rates is computed on each draw. Pairs are drawn as pairs, so what the two models share (the
 * same hard turns) stays shared.
 *
 * <p>Each pair is one of four kinds (both right, only the baseline, only the variant, both
 * wrong) and only the counts of the two discordant kinds move the difference, so a draw is
 * generated as counts, not as a list of pairs: each of the {@code n} draws lands on a
 * discordant kind with its observed frequency.
 */
public final class PairedBootstrap {

  private PairedBootstrap() {}

  /** An interval of the difference (variant minus baseline). */
  public record Interval(double low, double high) {}

  /**
   * @param n paired turns
   * @param onlyBaseline pairs only the baseline got right
   * @param onlyVariant pairs only the variant got right
   * @param samples bootstrap draws
   * @param confidence e.g. 0.95
   * @param seed the draws' seed: the same inputs and seed give the same interval
   */
  public static Interval interval(long n, long onlyBaseline, long onlyVariant, int samples, double confidence,
      long seed) {
    if (n <= 0) {
      return new Interval(Double.NaN, Double.NaN);
    }
    if (onlyBaseline < 0 || onlyVariant < 0 || onlyBaseline + onlyVariant > n) {
      throw new IllegalArgumentException("discordant pairs " + onlyBaseline + " + " + onlyVariant
          + " must be between 0 and the " + n + " pairs");
    }
    SplittableRandom random = new SplittableRandom(seed);
    double pBaseline = (double) onlyBaseline / n;
    double pDiscordant = (double) (onlyBaseline + onlyVariant) / n;
    double[] differences = new double[samples];
    for (int s = 0; s < samples; s++) {
      long baselineWins = 0;
      long variantWins = 0;
      for (long i = 0; i < n; i++) {
        double u = random.nextDouble();
        if (u < pBaseline) {
          baselineWins++;
        } else if (u < pDiscordant) {
          variantWins++;
        }
      }
      differences[s] = (double) (variantWins - baselineWins) / n;
    }
    Arrays.sort(differences);
    double tail = (1.0 - confidence) / 2.0;
    return new Interval(quantile(differences, tail), quantile(differences, 1.0 - tail));
  }

  /** The {@code q}-quantile of sorted values, interpolated between neighbours. */
  static double quantile(double[] sorted, double q) {
    double position = q * (sorted.length - 1);
    int below = (int) Math.floor(position);
    int above = Math.min(sorted.length - 1, below + 1);
    double weight = position - below;
    return sorted[below] * (1.0 - weight) + sorted[above] * weight;
  }
}
