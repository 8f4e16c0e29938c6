package org.streamdistill.teacher.model;

import java.util.Arrays;

/**
 * The teacher's classifier: one linear layer from a sentence embedding ({@link #dimension()}
 * floats) to one logit per label ({@link #classes()}), {@code logits = W x + b}. Soft labels
 * are {@code softmax(logits / T)}, see {@link SoftLabels}.
 *
 * <p>Immutable: the weights are copied in and out. {@link HeadTrainer} fits one.
 */
public final class SoftmaxHead {

  private final float[][] weights;
  private final float[] bias;

  /**
   * @param weights {@code [classes][dimension]}, row {@code c} scores class {@code c}
   * @param bias {@code [classes]}
   */
  public SoftmaxHead(float[][] weights, float[] bias) {
    if (weights.length == 0) {
      throw new IllegalArgumentException("a head needs at least one class");
    }
    if (bias.length != weights.length) {
      throw new IllegalArgumentException("bias has " + bias.length + " entries for "
          + weights.length + " classes");
    }
    int dimension = weights[0].length;
    if (dimension == 0) {
      throw new IllegalArgumentException("a head needs at least one input dimension");
    }
    this.weights = new float[weights.length][];
    for (int c = 0; c < weights.length; c++) {
      if (weights[c].length != dimension) {
        throw new IllegalArgumentException("weight row " + c + " has " + weights[c].length
            + " columns, row 0 has " + dimension);
      }
      this.weights[c] = weights[c].clone();
    }
    this.bias = bias.clone();
  }

  /** A head whose logits are all zero: uniform soft labels. The starting point of a fit. */
  public static SoftmaxHead zeros(int classes, int dimension) {
    return new SoftmaxHead(new float[classes][dimension], new float[classes]);
  }

  public int classes() {
    return weights.length;
  }

  public int dimension() {
    return weights[0].length;
  }

  /** {@code W x + b}. */
  public float[] logits(float[] x) {
    if (x.length != dimension()) {
      throw new IllegalArgumentException("input has " + x.length + " dimensions, head expects "
          + dimension());
    }
    float[] logits = new float[weights.length];
    for (int c = 0; c < weights.length; c++) {
      logits[c] = (float) (bias[c] + dot(weights[c], x));
    }
    return logits;
  }

  /** Index of the largest logit (the first one on ties). */
  public int predict(float[] x) {
    return argMax(logits(x));
  }

  /**
   * This head with weights and bias multiplied by {@code factor}: its logits are this head's
   * times {@code factor}. Dividing by a calibration temperature {@code T} gives a head whose
   * plain softmax equals this head's {@code softmax(logits / T)}.
   */
  public SoftmaxHead scaled(double factor) {
    if (!(factor > 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("scale factor must be > 0, got " + factor);
    }
    float[][] w = weights();
    float[] b = bias();
    for (int c = 0; c < w.length; c++) {
      for (int d = 0; d < w[c].length; d++) {
        w[c][d] = (float) (w[c][d] * factor);
      }
      b[c] = (float) (b[c] * factor);
    }
    return new SoftmaxHead(w, b);
  }

  /** A copy of the weights, {@code [classes][dimension]}. */
  public float[][] weights() {
    float[][] copy = new float[weights.length][];
    for (int c = 0; c < weights.length; c++) {
      copy[c] = weights[c].clone();
    }
    return copy;
  }

  /** A copy of the bias, {@code [classes]}. */
  public float[] bias() {
    return bias.clone();
  }

  /** Index of the largest value (the first one on ties). */
  public static int argMax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  /**
   * Dot product accumulated in double over four lanes: independent accumulators let the JIT
   * overlap the multiplies, and double keeps the sum stable at 384 terms.
   */
  static double dot(float[] a, float[] b) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int n = a.length;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++) {
      s0 += a[i] * b[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SoftmaxHead other && Arrays.deepEquals(weights, other.weights)
        && Arrays.equals(bias, other.bias);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.deepHashCode(weights) + Arrays.hashCode(bias);
  }

  @Override
  public String toString() {
    return "SoftmaxHead[" + classes() + " classes x " + dimension() + " dimensions]";
  }
}
