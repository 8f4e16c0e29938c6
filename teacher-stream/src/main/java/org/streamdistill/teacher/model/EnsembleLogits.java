package org.streamdistill.teacher.model;

/**
 * How an ensemble teacher combines its members: the weighted mean of each member's calibrated
 * log-probabilities, divided by the ensemble's own calibration temperature:
 *
 * <pre>
 *   logits = (sum_m w_m * log softmax(z_m)) / T_cal
 * </pre>
 *
 * <p>{@code z_m} are member {@code m}'s stored logits, which {@code fit} has already divided by
 * that member's calibration temperature, so every member speaks on the same (calibrated) scale
 * before it is averaged; averaging raw logits would let the most over-confident head dominate.
 * Softmax of the result is the normalised weighted geometric mean of the members' probabilities
 * (a log-linear pool). {@code T_cal} re-calibrates the pool on the validation split, so that the
 * distillation temperature means for an ensemble what it means for a single head.
 */
public final class EnsembleLogits {

  private EnsembleLogits() {}

  /**
   * Combines one logit vector per member.
   *
   * @param memberLogits {@code [members][labels]}, calibrated logits of each member
   * @param weights one per member, each &gt;= 0 (they are used as given, not normalised)
   * @param calibrationTemperature the ensemble's calibration temperature, &gt; 0
   * @throws IllegalArgumentException if the shapes disagree
   */
  public static float[] combine(float[][] memberLogits, double[] weights, double calibrationTemperature) {
    if (memberLogits.length == 0 || memberLogits.length != weights.length) {
      throw new IllegalArgumentException("need one weight per member (and at least one member), got "
          + memberLogits.length + " members and " + weights.length + " weights");
    }
    int labels = memberLogits[0].length;
    double[] sum = new double[labels];
    for (int m = 0; m < memberLogits.length; m++) {
      if (memberLogits[m].length != labels) {
        throw new IllegalArgumentException("member " + m + " has " + memberLogits[m].length
            + " logits, member 0 has " + labels);
      }
      double[] logProbabilities = logSoftmax(memberLogits[m]);
      for (int c = 0; c < labels; c++) {
        sum[c] += weights[m] * logProbabilities[c];
      }
    }
    float[] combined = new float[labels];
    for (int c = 0; c < labels; c++) {
      combined[c] = (float) (sum[c] / calibrationTemperature);
    }
    return combined;
  }

  /** {@code log softmax(z)}, computed after subtracting the largest logit so nothing overflows. */
  public static double[] logSoftmax(float[] z) {
    double max = z[SoftmaxHead.argMax(z)];
    double sum = 0;
    for (float v : z) {
      sum += Math.exp(v - max);
    }
    double logSum = max + Math.log(sum);
    double[] out = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      out[i] = z[i] - logSum;
    }
    return out;
  }
}
