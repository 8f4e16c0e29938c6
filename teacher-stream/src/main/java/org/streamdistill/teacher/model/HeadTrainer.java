package org.streamdistill.teacher.model;

import java.util.Arrays;
import java.util.Random;

/**
 * Fits a {@link SoftmaxHead} on frozen sentence embeddings by mini-batch Adam on the
 * class-weighted cross-entropy plus an L2 penalty on the weights (not the bias):
 *
 * <pre>
 *   loss = (1/B) sum_i w[y_i] * -log softmax(W x_i + b)[y_i]  +  (l2/2) ||W||^2
 * </pre>
 *
 * <p>Deterministic for a given seed: examples are shuffled by a {@link Random} seeded with
 * {@link Settings#seed()} and everything runs on the calling thread.
 */
public final class HeadTrainer {

  /**
   * Hyper-parameters of a fit.
   *
   * @param epochs passes over the training set, at least 1
   * @param batchSize examples per Adam step, at least 1
   * @param learningRate Adam step size, &gt; 0
   * @param l2 weight of the L2 penalty, &gt;= 0
   * @param seed seed of the shuffling
   */
  public record Settings(int epochs, int batchSize, double learningRate, double l2, long seed) {

    public Settings {
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
      }
      if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
        throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
      }
      if (!(l2 >= 0) || Double.isInfinite(l2)) {
        throw new IllegalArgumentException("l2 must be >= 0, got " + l2);
      }
    }
  }

  /** Told the mean training loss after every epoch (epochs count from 1). */
  @FunctionalInterface
  public interface EpochListener {
    void epochDone(int epoch, double meanLoss);

    EpochListener NONE = (epoch, meanLoss) -> {};
  }

  /** Loss and its gradient with respect to the weights and the bias. */
  public record Gradient(double loss, float[][] weights, float[] bias) {}

  static final double BETA1 = 0.9;
  static final double BETA2 = 0.999;
  static final double EPSILON = 1e-8;

  private final Settings settings;

  public HeadTrainer(Settings settings) {
    this.settings = settings;
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Fits a head from zero weights.
   *
   * @param x embeddings, {@code [n][dimension]}
   * @param y class index of each embedding, in {@code [0, classes)}
   * @param classWeights weight of each class in the loss ({@code [classes]}, all 1 for plain
   *     cross-entropy); raising a class's weight trades precision for recall on it
   */
  public SoftmaxHead fit(float[][] x, int[] y, int classes, float[] classWeights, EpochListener listener) {
    if (x.length == 0 || x.length != y.length) {
      throw new IllegalArgumentException("need as many labels as embeddings (and at least one), got "
          + x.length + " embeddings and " + y.length + " labels");
    }
    if (classWeights.length != classes) {
      throw new IllegalArgumentException("classWeights has " + classWeights.length
          + " entries for " + classes + " classes");
    }
    int dimension = x[0].length;
    for (int i = 0; i < y.length; i++) {
      if (y[i] < 0 || y[i] >= classes) {
        throw new IllegalArgumentException("label " + y[i] + " of example " + i
            + " is outside [0, " + classes + ")");
      }
    }
    Adam adam = new Adam(classes, dimension, settings.learningRate());
    float[][] weights = new float[classes][dimension];
    float[] bias = new float[classes];
    int[] order = new int[x.length];
    Arrays.setAll(order, i -> i);
    Random random = new Random(settings.seed());
    GradientBuffer buffer = new GradientBuffer(classes, dimension);
    for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
      shuffle(order, random);
      double lossSum = 0;
      int steps = 0;
      for (int start = 0; start < order.length; start += settings.batchSize()) {
        int end = Math.min(order.length, start + settings.batchSize());
        double loss = accumulate(weights, bias, x, y, order, start, end, classWeights, settings.l2(), buffer);
        adam.step(weights, bias, buffer);
        lossSum += loss;
        steps++;
      }
      listener.epochDone(epoch, lossSum / steps);
    }
    return new SoftmaxHead(weights, bias);
  }

  /**
   * The loss of {@code head} on the examples {@code indices} of {@code (x, y)} and its
   * gradient: exposed so that tests can check it against finite differences.
   */
  public static Gradient gradient(SoftmaxHead head, float[][] x, int[] y, int[] indices,
      float[] classWeights, double l2) {
    GradientBuffer buffer = new GradientBuffer(head.classes(), head.dimension());
    double loss = accumulate(head.weights(), head.bias(), x, y, indices, 0, indices.length,
        classWeights, l2, buffer);
    return new Gradient(loss, buffer.weights, buffer.bias);
  }

  /**
   * Overwrites {@code out} with the gradient over {@code order[start..end)} and returns the
   * loss there.
   */
  private static double accumulate(float[][] weights, float[] bias, float[][] x, int[] y,
      int[] order, int start, int end, float[] classWeights, double l2, GradientBuffer out) {
    int classes = weights.length;
    int dimension = weights[0].length;
    double batch = end - start;
    for (int c = 0; c < classes; c++) {
      Arrays.fill(out.weights[c], 0f);
    }
    Arrays.fill(out.bias, 0f);
    double[] logits = new double[classes];
    double loss = 0;
    for (int k = start; k < end; k++) {
      int i = order[k];
      float[] xi = x[i];
      if (xi.length != dimension) {
        throw new IllegalArgumentException("embedding " + i + " has " + xi.length
            + " dimensions, expected " + dimension);
      }
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        logits[c] = bias[c] + SoftmaxHead.dot(weights[c], xi);
        max = Math.max(max, logits[c]);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        logits[c] = Math.exp(logits[c] - max);
        sum += logits[c];
      }
      double weight = classWeights[y[i]];
      loss += weight * (Math.log(sum) - Math.log(logits[y[i]]));
      for (int c = 0; c < classes; c++) {
        // d loss / d logit_c = w * (p_c - [c == y]) / B
        double p = logits[c] / sum;
        float g = (float) (weight * (p - (c == y[i] ? 1 : 0)) / batch);
        out.bias[c] += g;
        float[] row = out.weights[c];
        for (int d = 0; d < dimension; d++) {
          row[d] += g * xi[d];
        }
      }
    }
    loss /= batch;
    if (l2 > 0) {
      double squares = 0;
      for (int c = 0; c < classes; c++) {
        float[] w = weights[c];
        float[] row = out.weights[c];
        for (int d = 0; d < dimension; d++) {
          row[d] += (float) (l2 * w[d]);
          squares += (double) w[d] * w[d];
        }
      }
      loss += 0.5 * l2 * squares;
    }
    return loss;
  }

  private static void shuffle(int[] order, Random random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
  }

  /** Reusable gradient storage, so a step allocates nothing of size classes x dimension. */
  static final class GradientBuffer {
    final float[][] weights;
    final float[] bias;

    GradientBuffer(int classes, int dimension) {
      weights = new float[classes][dimension];
      bias = new float[classes];
    }
  }

  /** Adam (Kingma and Ba, 2015) with bias-corrected moments. */
  static final class Adam {
    private final float[][] mWeights;
    private final float[][] vWeights;
    private final float[] mBias;
    private final float[] vBias;
    private final double learningRate;
    private int t;

    Adam(int classes, int dimension, double learningRate) {
      mWeights = new float[classes][dimension];
      vWeights = new float[classes][dimension];
      mBias = new float[classes];
      vBias = new float[classes];
      this.learningRate = learningRate;
    }

    void step(float[][] weights, float[] bias, GradientBuffer gradient) {
      t++;
      double stepSize = learningRate * Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t));
      // Epsilon is scaled the same way, so this equals the textbook update
      // w -= lr * mhat / (sqrt(vhat) + eps).
      double epsilon = EPSILON * Math.sqrt(1 - Math.pow(BETA2, t));
      for (int c = 0; c < weights.length; c++) {
        update(weights[c], gradient.weights[c], mWeights[c], vWeights[c], stepSize, epsilon);
      }
      update(bias, gradient.bias, mBias, vBias, stepSize, epsilon);
    }

    private static void update(float[] w, float[] g, float[] m, float[] v, double stepSize, double epsilon) {
      for (int i = 0; i < w.length; i++) {
        m[i] = (float) (BETA1 * m[i] + (1 - BETA1) * g[i]);
        v[i] = (float) (BETA2 * v[i] + (1 - BETA2) * g[i] * g[i]);
        w[i] -= (float) (stepSize * m[i] / (Math.sqrt(v[i]) + epsilon));
      }
    }
  }
}
