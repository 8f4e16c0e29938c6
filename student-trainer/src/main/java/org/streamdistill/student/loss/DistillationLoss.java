package org.streamdistill.student.loss;

/**
 * The knowledge-distillation loss of one example (Hinton et al., 2015):
 *
 * <pre>
 *   L = T^2 * KL( softmax(t / T) || softmax(s / T) )  +  alpha * CE( softmax(s), gold )
 * </pre>
 *
 * where {@code s} are the student's logits, {@code t} the teacher's, {@code T} the temperature
 * carried by the soft label, and the cross-entropy term is present only when the example has
 * a gold label. The {@code T^2} factor keeps the soft term's gradient on the same scale for
 * any temperature. The gradient with respect to the student's logits is
 *
 * <pre>
 *   dL/ds = T * (softmax(s / T) - softmax(t / T))  +  alpha * (softmax(s) - onehot(gold))
 * </pre>
 *
 * <p><b>Gold-only examples.</b> A turn the teacher did not score (its selection gate skipped it)
 * but that carries a gold label has no teacher logits: pass {@code null} for them. Its loss is
 * the gold term alone, with the same weight as on any other gold turn,
 *
 * <pre>
 *   L = alpha * CE( softmax(s), gold ),   dL/ds = alpha * (softmax(s) - onehot(gold))
 * </pre>
 *
 * so the teacher's absence removes the teacher's term and changes nothing else (the temperature
 * plays no part). With {@code alpha = 0} such an example teaches nothing.
 *
 * <p>Consumes float logits, produces the loss (a double) and writes {@code dL/ds} into a
 * caller-supplied buffer. Softmaxes are computed in double through log-sum-exp with the
 * maximum subtracted, so logits in the thousands neither overflow nor lose the loss.
 * Immutable and thread-safe.
 */
public final class DistillationLoss {

  /**
   * Default weight of the gold-label term. Not tuned on real soft labels here: 0.5 is the
   * usual starting point, and gold labels arrive on only a fraction of the turns.
   */
  public static final float DEFAULT_ALPHA = 0.5f;

  /** Marks an example without a gold label. */
  public static final int NO_GOLD = -1;

  private final float alpha;

  public DistillationLoss(float alpha) {
    if (!(alpha >= 0) || !Float.isFinite(alpha)) {
      throw new IllegalArgumentException("alpha must be a finite value >= 0, got " + alpha);
    }
    this.alpha = alpha;
  }

  /** The loss with {@link #DEFAULT_ALPHA}. */
  public static DistillationLoss withDefaults() {
    return new DistillationLoss(DEFAULT_ALPHA);
  }

  public float alpha() {
    return alpha;
  }

  /** A loss value with its gradient with respect to the student's logits. */
  public record Result(double loss, float[] gradient) {}

  /**
   * Allocating convenience form of {@link #lossAndGradient}; {@code gold} may be null, and so may
   * {@code teacherLogits} when {@code gold} is not (a gold-only example).
   */
  public Result evaluate(float[] studentLogits, float[] teacherLogits, float temperature,
      Integer gold) {
    float[] gradient = new float[studentLogits.length];
    double loss = lossAndGradient(studentLogits, teacherLogits, temperature,
        gold == null ? NO_GOLD : gold, gradient);
    return new Result(loss, gradient);
  }

  /**
   * Computes the loss of one example and writes {@code dL/ds} into {@code gradientOut}
   * (overwritten, same length as the logits).
   *
   * @param teacherLogits the teacher's logits, or null for a gold-only example (then {@code gold}
   *     must be given)
   * @param gold index of the gold label, or {@link #NO_GOLD}
   * @return the loss, >= 0
   */
  public double lossAndGradient(float[] studentLogits, float[] teacherLogits, float temperature,
      int gold, float[] gradientOut) {
    if (teacherLogits == null) {
      return goldOnlyLossAndGradient(studentLogits, gold, gradientOut);
    }
    int n = studentLogits.length;
    if (teacherLogits.length != n) {
      throw new IllegalArgumentException("teacher has " + teacherLogits.length
          + " logits but the student has " + n
          + ": the soft label was made for a different label set");
    }
    if (gradientOut.length != n) {
      throw new IllegalArgumentException(
          "gradient buffer has length " + gradientOut.length + ", expected " + n);
    }
    if (!(temperature > 0) || !Float.isFinite(temperature)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    if (gold != NO_GOLD && (gold < 0 || gold >= n)) {
      throw new IllegalArgumentException(
          "gold index " + gold + " is outside [0, " + n + ") (use NO_GOLD for none)");
    }
    double invT = 1.0 / temperature;
    double maxS = Double.NEGATIVE_INFINITY;
    double maxT = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      maxS = Math.max(maxS, studentLogits[i]);
      maxT = Math.max(maxT, teacherLogits[i]);
    }
    if (!Double.isFinite(maxS) || !Double.isFinite(maxT)) {
      throw new IllegalArgumentException("logits must be finite (student max " + maxS
          + ", teacher max " + maxT + ")");
    }
    // Softmaxes through log-sum-exp with the maximum subtracted. The small per-call arrays
    // save recomputing each exp (the loss would otherwise cost 6 exps per class).
    double[] expS = new double[n];
    double[] expT = new double[n];
    double sumS = 0;
    double sumT = 0;
    for (int i = 0; i < n; i++) {
      expS[i] = Math.exp((studentLogits[i] - maxS) * invT);
      expT[i] = Math.exp((teacherLogits[i] - maxT) * invT);
      sumS += expS[i];
      sumT += expT[i];
    }
    double logZs = Math.log(sumS);
    double logZt = Math.log(sumT);
    boolean hard = gold != NO_GOLD && alpha > 0;
    double[] exp1 = expS;
    double sum1 = sumS;
    if (hard && temperature != 1f) {
      // The gold term uses the student's softmax at temperature 1.
      exp1 = new double[n];
      sum1 = 0;
      for (int i = 0; i < n; i++) {
        exp1[i] = Math.exp(studentLogits[i] - maxS);
        sum1 += exp1[i];
      }
    }
    double kl = 0;
    for (int i = 0; i < n; i++) {
      double p = expT[i] / sumT;
      if (p > 0) {
        double logQ = (studentLogits[i] - maxS) * invT - logZs;
        double logP = (teacherLogits[i] - maxT) * invT - logZt;
        kl += p * (logP - logQ);
      }
      double g = temperature * (expS[i] / sumS - p);
      if (hard) {
        g += alpha * (exp1[i] / sum1 - (i == gold ? 1.0 : 0.0));
      }
      gradientOut[i] = (float) g;
    }
    // KL is >= 0 mathematically; rounding can leave a -1e-17 when the distributions match.
    double loss = temperature * (double) temperature * Math.max(kl, 0.0);
    if (hard) {
      loss += alpha * (Math.log(sum1) - (studentLogits[gold] - maxS));
    }
    return loss;
  }

  /**
   * The loss of a gold-only example (no teacher logits): {@code alpha * CE(softmax(s), gold)};
   * writes {@code alpha * (softmax(s) - onehot(gold))} into {@code gradientOut}.
   */
  public double goldOnlyLossAndGradient(float[] studentLogits, int gold, float[] gradientOut) {
    int n = studentLogits.length;
    if (gradientOut.length != n) {
      throw new IllegalArgumentException(
          "gradient buffer has length " + gradientOut.length + ", expected " + n);
    }
    if (gold < 0 || gold >= n) {
      throw new IllegalArgumentException("an example without teacher logits needs a gold label; gold index "
          + gold + " is outside [0, " + n + ")");
    }
    double max = Double.NEGATIVE_INFINITY;
    for (float v : studentLogits) {
      max = Math.max(max, v);
    }
    if (!Double.isFinite(max)) {
      throw new IllegalArgumentException("logits must be finite (student max " + max + ")");
    }
    double sum = 0;
    for (float v : studentLogits) {
      sum += Math.exp(v - max);
    }
    for (int i = 0; i < n; i++) {
      gradientOut[i] = (float) (alpha * (Math.exp(studentLogits[i] - max) / sum - (i == gold ? 1.0 : 0.0)));
    }
    return alpha * (Math.log(sum) - (studentLogits[gold] - max));
  }
}
