package org.streamdistill.evaluator.promotion;

import java.math.BigInteger;

/**
 * The exact one-sided McNemar test, which on paired binary outcomes is the sign test on the
 * discordant pairs: under the null hypothesis that both models are equally good, each of the
 * {@code b + c} turns where exactly one model was right is equally likely to favour either, so
 * {@code b ~ Binomial(b + c, 1/2)}.
 */
public final class McNemarExactTest {

  /** Up to this many discordant pairs the p-value is computed exactly (then rounded once). */
  static final int EXACT_MAX_PAIRS = 1000;

  private static final double LN_2 = Math.log(2.0);

  private McNemarExactTest() {}

  /**
   * {@code P(X >= b)} for {@code X ~ Binomial(b + c, 1/2)}: the probability of the challenger
   * winning at least {@code b} of the discordant pairs if it were no better than the champion.
   *
   * @param b pairs only the challenger got right
   * @param c pairs only the champion got right
   * @return the one-sided p-value, 1 when there are no discordant pairs
   */
  public static double oneSidedPValue(long b, long c) {
    if (b < 0 || c < 0) {
      throw new IllegalArgumentException("discordant counts must be >= 0, got b=" + b + ", c=" + c);
    }
    long n = b + c;
    if (b == 0) {
      return 1.0;
    }
    return n <= EXACT_MAX_PAIRS ? exactTail(b, (int) n) : logSpaceTail(b, n);
  }

  /**
   * The two-sided exact p-value: twice the smaller tail, at most 1. The question of a comparison
   * that has no favourite ({@code compare}: is the variant different from the baseline?).
   *
   * @param b pairs only one model got right
   * @param c pairs only the other got right
   */
  public static double twoSidedPValue(long b, long c) {
    if (b == c) {
      return 1.0;
    }
    return Math.min(1.0, 2.0 * oneSidedPValue(Math.max(b, c), Math.min(b, c)));
  }

  /**
   * The tail as an exact integer sum of binomial coefficients over 2^n, rounded once: {@link
   * BigInteger#doubleValue()} rounds correctly and scaling by a power of two is exact while the
   * result stays above 2^-1022, which holds for n up to {@value #EXACT_MAX_PAIRS}.
   */
  private static double exactTail(long b, int n) {
    BigInteger coefficient = BigInteger.ONE; // C(n, 0)
    BigInteger sum = BigInteger.ZERO;
    for (int i = 0; i <= n; i++) {
      if (i >= b) {
        sum = sum.add(coefficient);
      }
      coefficient = coefficient.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1L));
    }
    return Math.scalb(sum.doubleValue(), -n);
  }

  /**
   * The tail summed in log space, for many discordant pairs: 2^-n underflows a double beyond
   * n = 1074. Relative error about n ulps, far below what any threshold can tell apart.
   */
  private static double logSpaceTail(long b, long n) {
    double logCoefficient = 0.0; // log C(n, 0)
    double[] logTerms = new double[(int) (n - b + 1)];
    for (long i = 1; i <= n; i++) {
      logCoefficient += Math.log((double) (n - i + 1) / i);
      if (i >= b) {
        logTerms[(int) (i - b)] = logCoefficient - n * LN_2;
      }
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double term : logTerms) {
      max = Math.max(max, term);
    }
    double sum = 0.0;
    for (double term : logTerms) {
      sum += Math.exp(term - max);
    }
    return Math.min(1.0, Math.exp(max + Math.log(sum)));
  }
}
