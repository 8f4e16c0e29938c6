package org.streamdistill.teacher.fit;

/**
 * Temperature scaling (Guo et al., 2017): the single temperature {@code T} that minimises the
 * negative log-likelihood of held-out labels under {@code softmax(logits / T)}. A head trained
 * to low training loss is over-confident (T &lt; 1 sharpens, T &gt; 1 softens); dividing its
 * logits by the fitted T makes its probabilities calibrated without changing any prediction,
 * and makes the distillation temperature mean the same thing whatever the head's L2 or epochs.
 */
public final class TemperatureScaling {

  /** Searched range of T; the NLL is unimodal in log T (it is convex in 1/T). */
  static final double MIN_TEMPERATURE = 0.05;
  static final double MAX_TEMPERATURE = 20;
  private static final double GOLDEN = (Math.sqrt(5) - 1) / 2;

  private TemperatureScaling() {}

  /**
   * The NLL-minimising temperature for {@code logits} with true labels {@code y}, found by
   * golden-section search on {@code log T} to a relative precision of about 1e-6.
   */
  public static double fit(float[][] logits, int[] y) {
    if (logits.length != y.length || logits.length == 0) {
      throw new IllegalArgumentException("need as many labels as logit vectors (and at least one), got "
          + logits.length + " and " + y.length);
    }
    double lo = Math.log(MIN_TEMPERATURE);
    double hi = Math.log(MAX_TEMPERATURE);
    double a = hi - GOLDEN * (hi - lo);
    double b = lo + GOLDEN * (hi - lo);
    double fa = negativeLogLikelihood(logits, y, Math.exp(a));
    double fb = negativeLogLikelihood(logits, y, Math.exp(b));
    while (hi - lo > 1e-6) {
      if (fa <= fb) {
        hi = b;
        b = a;
        fb = fa;
        a = hi - GOLDEN * (hi - lo);
        fa = negativeLogLikelihood(logits, y, Math.exp(a));
      } else {
        lo = a;
        a = b;
        fa = fb;
        b = lo + GOLDEN * (hi - lo);
        fb = negativeLogLikelihood(logits, y, Math.exp(b));
      }
    }
    return Math.exp((lo + hi) / 2);
  }

  /** Mean {@code -log softmax(logits / T)[y]}, in nats. */
  public static double negativeLogLikelihood(float[][] logits, int[] y, double temperature) {
    double total = 0;
    for (int i = 0; i < logits.length; i++) {
      float[] z = logits[i];
      double max = Double.NEGATIVE_INFINITY;
      for (float v : z) {
        max = Math.max(max, v / temperature);
      }
      double sum = 0;
      for (float v : z) {
        sum += Math.exp(v / temperature - max);
      }
      total += max + Math.log(sum) - z[y[i]] / temperature;
    }
    return total / logits.length;
  }
}
