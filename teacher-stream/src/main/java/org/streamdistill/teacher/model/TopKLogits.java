package org.streamdistill.teacher.model;

import java.util.Arrays;

/**
 * A soft label compacted to its {@code k} largest logits plus the probability mass of the rest,
 * for label sets too large to ship every logit with every turn.
 *
 * <p>{@code indices} lists the k labels by decreasing logit (ties: lower index first), so
 * {@code indices[0]} is the argmax; {@code logits[i]} is the logit of label {@code indices[i]};
 * {@code remainingMass} is {@code softmax(logits / temperature)} summed over the labels not listed.
 * From these a consumer recovers the exact probabilities of the listed labels:
 * {@code p_i = exp(logits[i] / T) / Z} with {@code Z = sum_i exp(logits[i] / T) / (1 - remainingMass)}.
 */
public record TopKLogits(int[] indices, float[] logits, float remainingMass) {

  public TopKLogits {
    indices = indices.clone();
    logits = logits.clone();
    if (indices.length != logits.length) {
      throw new IllegalArgumentException(indices.length + " indices for " + logits.length + " logits");
    }
  }

  /**
   * The top {@code k} of {@code logits}.
   *
   * @throws IllegalArgumentException if {@code k} is not in {@code [1, logits.length)} or the
   *     temperature is not positive
   */
  public static TopKLogits of(float[] logits, int k, double temperature) {
    if (k < 1 || k >= logits.length) {
      throw new IllegalArgumentException("k must be in [1, " + logits.length + "), got " + k);
    }
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    Integer[] order = new Integer[logits.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    // Stable sort: equal logits keep index order.
    Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
    int[] indices = new int[k];
    float[] top = new float[k];
    boolean[] listed = new boolean[logits.length];
    for (int i = 0; i < k; i++) {
      indices[i] = order[i];
      top[i] = logits[order[i]];
      listed[order[i]] = true;
    }
    // Summed from the small terms directly rather than as 1 - (top mass), which would round a
    // tail of 1e-9 to 0 or to float noise.
    double max = top[0];
    double total = 0;
    double rest = 0;
    for (int i = 0; i < logits.length; i++) {
      double e = Math.exp((logits[i] - max) / temperature);
      total += e;
      if (!listed[i]) {
        rest += e;
      }
    }
    return new TopKLogits(indices, top, (float) (rest / total));
  }

  @Override
  public int[] indices() {
    return indices.clone();
  }

  @Override
  public float[] logits() {
    return logits.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopKLogits other && Float.compare(remainingMass, other.remainingMass) == 0
        && Arrays.equals(indices, other.indices) && Arrays.equals(logits, other.logits);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(indices) + Arrays.hashCode(logits)) + Float.hashCode(remainingMass);
  }

  @Override
  public String toString() {
    return "TopKLogits[indices=" + Arrays.toString(indices) + ", logits=" + Arrays.toString(logits)
        + ", remainingMass=" + remainingMass + "]";
  }
}
