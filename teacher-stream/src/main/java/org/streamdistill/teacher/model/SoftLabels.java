package org.streamdistill.teacher.model;

/**
 * Soft labels from logits: {@code softmax(logits / T)}, the distribution the student is
 * distilled towards, and its entropy. A higher temperature {@code T} spreads probability onto
 * the runner-up labels, which is the "dark knowledge" distillation transfers; at {@code T = 1}
 * a well-fitted head is nearly one-hot.
 */
public final class SoftLabels {

  private SoftLabels() {}

  /**
   * {@code softmax(logits / temperature)}, computed in double after subtracting the largest
   * logit so that no exponent overflows.
   *
   * @throws IllegalArgumentException if {@code temperature} is not a positive finite number
   */
  public static float[] softmax(float[] logits, double temperature) {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    if (logits.length == 0) {
      throw new IllegalArgumentException("softmax of no logits");
    }
    float max = logits[SoftmaxHead.argMax(logits)];
    double[] exp = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      exp[i] = Math.exp((logits[i] - max) / temperature);
      sum += exp[i];
    }
    float[] p = new float[logits.length];
    for (int i = 0; i < logits.length; i++) {
      p[i] = (float) (exp[i] / sum);
    }
    return p;
  }

  /** Shannon entropy in nats, {@code -sum p log p}, with {@code 0 log 0 = 0}. */
  public static double entropy(float[] probabilities) {
    double h = 0;
    for (float p : probabilities) {
      if (p > 0) {
        h -= p * Math.log(p);
      }
    }
    return h;
  }
}
