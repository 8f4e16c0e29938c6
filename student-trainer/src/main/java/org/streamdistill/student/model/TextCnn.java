package org.streamdistill.student.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.streamdistill.student.loss.DistillationLoss;
import org.streamdistill.student.optim.Optimizer;
import org.streamdistill.student.optim.Parameter;

/**
 * The student: a TextCNN that consumes the teacher's WordPiece token ids and produces one
 * logit per class. Training steps consume soft labels (teacher logits, temperature, optional
 * gold index), back-propagate a {@link DistillationLoss} and let an {@link Optimizer} update
 * the weights.
 *
 * <h2>Architecture</h2>
 *
 * <ol>
 *   <li>Input: ids prepared by {@link #prepareTokens}: a leading [CLS] and a trailing [SEP]
 *       removed when {@link TextCnnConfig#stripSpecialTokens()}, cut to {@code maxTokens},
 *       padded with {@link TextCnnConfig#PAD_ID} up to the widest filter. Sequence length
 *       {@code L} varies per example; there is no padding to {@code maxTokens}.
 *   <li>Embedding lookup: {@code x[p, e] = embedding[id_p, e]}, giving {@code [L, E]}.
 *   <li>For each width {@code w} (in config order): valid 1-D convolution over positions
 *       {@code t = 0 .. L-w}: {@code c[t, f] = bias[f] + sum_{k<w, e<E} weight[f, k, e] *
 *       x[t+k, e]}, then max over {@code t}, then ReLU (ReLU after the max equals max of
 *       ReLU and is cheaper).
 *   <li>Concatenate the pooled vectors of all widths in config order: {@code [D = widths x
 *       F]}; inverted dropout on it during training when configured.
 *   <li>Dense: {@code logits[c] = bias[c] + sum_d weight[c, d] * h[d]}.
 * </ol>
 *
 * <h2>Parameter tensors (flat row-major float arrays; {@link #parameters()} order)</h2>
 *
 * <table>
 *   <caption>Named tensors</caption>
 *   <tr><th>name</th><th>shape</th><th>layout of element [i, j, k]</th></tr>
 *   <tr><td>{@code embedding}</td><td>{@code [V, E]}</td><td>{@code i*E + j}; row 0 (padding)
 *       starts at zero and is never trained</td></tr>
 *   <tr><td>{@code conv{w}.weight}</td><td>{@code [F, w, E]}</td><td>filter {@code i},
 *       window offset {@code j}, embedding channel {@code k}: {@code (i*w + j)*E + k}. An ONNX
 *       {@code Conv} over input {@code [N, E, L]} wants {@code [F, E, w]}: transpose the last
 *       two axes</td></tr>
 *   <tr><td>{@code conv{w}.bias}</td><td>{@code [F]}</td><td></td></tr>
 *   <tr><td>{@code dense.weight}</td><td>{@code [C, D]}</td><td>{@code i*D + j}; feature
 *       {@code j} is filter {@code j % F} of the {@code (j / F)}-th width in config order
 *       (ONNX {@code Gemm} with {@code transB=1})</td></tr>
 *   <tr><td>{@code dense.bias}</td><td>{@code [C]}</td><td></td></tr>
 * </table>
 *
 * <h2>Performance notes</h2>
 *
 * The kernels work on copies of the conv and dense weights held as arrays of rows (transposed
 * for the forward pass: {@code [w*E][F]} and {@code [D][C]}), so that every inner loop is a
 * multiply-add over one whole small array, the form the JIT vectorises; the copies are rebuilt
 * when a parameter's {@link Parameter#version()} changes, i.e. once per optimizer step. The
 * backward pass is cheap because max pooling routes each filter's gradient to one window. The
 * embedding gradient is row-sparse: only rows of tokens in the batch get a gradient slot.
 * Buffers are reused across calls.
 *
 * <p><b>Not thread-safe</b>: inference reuses the same buffers as training. Give each thread
 * its own {@link #copy()} (for example a frozen champion).
 */
public final class TextCnn {

  /** Name of the embedding tensor. */
  public static final String EMBEDDING = "embedding";
  /** Name of the dense weight tensor. */
  public static final String DENSE_WEIGHT = "dense.weight";
  /** Name of the dense bias tensor. */
  public static final String DENSE_BIAS = "dense.bias";

  /** Name of the weight tensor of the convolution of {@code width}. */
  public static String convWeightName(int width) {
    return "conv" + width + ".weight";
  }

  /** Name of the bias tensor of the convolution of {@code width}. */
  public static String convBiasName(int width) {
    return "conv" + width + ".bias";
  }

  private final TextCnnConfig config;
  private final int vocab;
  private final int dim;
  private final int filters;
  private final int classes;
  private final int features;
  private final int minLength;
  private final int maxLength;
  private final int[] widths;
  private final float dropout;

  private final Parameter embedding;
  private final Parameter[] convWeight;
  private final Parameter[] convBias;
  private final Parameter denseWeight;
  private final Parameter denseBias;
  private final List<Parameter> parameters;
  private final SplitMix64 dropoutRandom;

  // Weights re-laid out as arrays of rows for the kernels, with the parameter versions they were
  // built from. HotSpot C2 (JDK 17) vectorises "row[i] += a * other[i]" over whole small arrays
  // but not the same loop over slices of one big array at variable offsets: measured 3x faster
  // for the convolution. Forward reads transposed rows, backward reads rows of the original.
  private final float[][][] convForwardRows;   // per width: [w*E][F]
  private final float[][][][] convBackwardRows;  // per width: [F][w][E]
  private final long[] convRowsVersion;
  private final float[][] denseForwardRows;    // [D][C]
  private final float[][] denseBackwardRows;   // [C][D]
  private long denseRowsVersion = -1;
  // Gradients of the conv and dense weights, accumulated as rows, flattened once per batch.
  private final float[][][] convGradientRows;  // per width: [F][w*E]
  private final float[][] denseGradientRows;   // [C][D]

  // Per-batch scratch, grown on demand and reused.
  private int capacity;
  private int[][] batchIds = new int[0][];
  private int[] xOffset = new int[0];
  private float[] x = new float[0];
  private float[] pooled = new float[0];
  private int[] argMax = new int[0];
  private float[] denseIn = new float[0];
  private float[] dropMask = new float[0];
  private float[] logits = new float[0];
  // Per-example scratch.
  private final float[][] convOut;   // [maxLength][F]
  private final float[] logitRow;
  private final float[] studentRow;
  private final float[] dLogits;
  private final float[] featureRow;
  private final float[] dFeatures;
  private final float[][] dx;        // [maxLength][E]
  private final float[] window;      // [maxWidth*E]: the input window of one filter's maximum

  /** A freshly initialised model (weights drawn from {@code config.seed()}). */
  public TextCnn(TextCnnConfig config) {
    this(config, initialWeights(config), new SplitMix64(dropoutSeed(config.seed())).state());
  }

  /**
   * A model with the given weights (copied), e.g. read from a checkpoint. Every tensor of
   * {@link #tensorShapes(TextCnnConfig)} must be present with exactly that many values.
   */
  public static TextCnn fromWeights(TextCnnConfig config, Map<String, float[]> weights) {
    Map<String, int[]> shapes = tensorShapes(config);
    if (!weights.keySet().equals(shapes.keySet())) {
      throw new IllegalArgumentException("weights name tensors " + weights.keySet()
          + " but a TextCNN of this config has " + shapes.keySet());
    }
    float[][] values = new float[shapes.size()][];
    int i = 0;
    for (Map.Entry<String, int[]> e : shapes.entrySet()) {
      float[] v = weights.get(e.getKey());
      int expected = Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
      if (v.length != expected) {
        throw new IllegalArgumentException("tensor " + e.getKey() + " has " + v.length
            + " values but shape " + Arrays.toString(e.getValue()) + " needs " + expected);
      }
      values[i++] = v.clone();
    }
    return new TextCnn(config, values, new SplitMix64(dropoutSeed(config.seed())).state());
  }

  /** Names and shapes of the parameter tensors of a model of {@code config}, in order. */
  public static Map<String, int[]> tensorShapes(TextCnnConfig config) {
    int e = config.embeddingDim();
    int f = config.filtersPerWidth();
    Map<String, int[]> shapes = new LinkedHashMap<>();
    shapes.put(EMBEDDING, new int[] {config.vocabSize(), e});
    for (int w : config.filterWidths()) {
      shapes.put(convWeightName(w), new int[] {f, w, e});
      shapes.put(convBiasName(w), new int[] {f});
    }
    shapes.put(DENSE_WEIGHT, new int[] {config.numClasses(), config.featureDim()});
    shapes.put(DENSE_BIAS, new int[] {config.numClasses()});
    return shapes;
  }

  private TextCnn(TextCnnConfig config, float[][] values, long dropoutState) {
    this.config = config;
    this.vocab = config.vocabSize();
    this.dim = config.embeddingDim();
    this.filters = config.filtersPerWidth();
    this.classes = config.numClasses();
    this.features = config.featureDim();
    this.minLength = config.maxFilterWidth();
    this.maxLength = Math.max(config.maxTokens(), minLength);
    this.widths = config.filterWidths().stream().mapToInt(Integer::intValue).toArray();
    this.dropout = config.dropout();

    List<Parameter> all = new ArrayList<>();
    int next = 0;
    embedding = Parameter.rowSparse(EMBEDDING, values[next++], vocab, dim);
    all.add(embedding);
    convWeight = new Parameter[widths.length];
    convBias = new Parameter[widths.length];
    convForwardRows = new float[widths.length][][];
    convBackwardRows = new float[widths.length][][][];
    convGradientRows = new float[widths.length][][];
    convRowsVersion = new long[widths.length];
    for (int i = 0; i < widths.length; i++) {
      int w = widths[i];
      convWeight[i] = Parameter.dense(convWeightName(w), values[next++], filters, w, dim);
      convBias[i] = Parameter.dense(convBiasName(w), values[next++], filters);
      all.add(convWeight[i]);
      all.add(convBias[i]);
      convForwardRows[i] = new float[w * dim][filters];
      convBackwardRows[i] = new float[filters][w][dim];
      convGradientRows[i] = new float[filters][w * dim];
      convRowsVersion[i] = -1;
    }
    denseWeight = Parameter.dense(DENSE_WEIGHT, values[next++], classes, features);
    denseBias = Parameter.dense(DENSE_BIAS, values[next++], classes);
    all.add(denseWeight);
    all.add(denseBias);
    parameters = Collections.unmodifiableList(all);
    denseForwardRows = new float[features][classes];
    denseBackwardRows = new float[classes][features];
    denseGradientRows = new float[classes][features];
    dropoutRandom = new SplitMix64(dropoutState);

    convOut = new float[maxLength][filters];
    logitRow = new float[classes];
    studentRow = new float[classes];
    dLogits = new float[classes];
    featureRow = new float[features];
    dFeatures = new float[features];
    dx = new float[maxLength][dim];
    window = new float[minLength * dim];
  }

  /**
   * Initial weights: embedding uniform in [-0.25, 0.25) (Kim, 2014) with the padding row at
   * zero; conv weights He-uniform (bound sqrt(6 / (w*E)), suited to the ReLU that follows);
   * dense weights Glorot-uniform; biases zero.
   */
  private static float[][] initialWeights(TextCnnConfig config) {
    SplitMix64 random = new SplitMix64(config.seed());
    Map<String, int[]> shapes = tensorShapes(config);
    float[][] values = new float[shapes.size()][];
    int e = config.embeddingDim();
    int next = 0;
    float[] emb = new float[config.vocabSize() * e];
    for (int i = e; i < emb.length; i++) {
      emb[i] = random.nextSymmetric(0.25f);
    }
    values[next++] = emb;
    for (int w : config.filterWidths()) {
      float[] weight = new float[config.filtersPerWidth() * w * e];
      float bound = (float) Math.sqrt(6.0 / (w * e));
      for (int i = 0; i < weight.length; i++) {
        weight[i] = random.nextSymmetric(bound);
      }
      values[next++] = weight;
      values[next++] = new float[config.filtersPerWidth()];
    }
    float[] dense = new float[config.numClasses() * config.featureDim()];
    float bound = (float) Math.sqrt(6.0 / (config.numClasses() + config.featureDim()));
    for (int i = 0; i < dense.length; i++) {
      dense[i] = random.nextSymmetric(bound);
    }
    values[next++] = dense;
    values[next] = new float[config.numClasses()];
    return values;
  }

  private static long dropoutSeed(long seed) {
    return seed ^ 0x6A09E667F3BCC909L;
  }

  public TextCnnConfig config() {
    return config;
  }

  /**
   * The live parameter tensors in the documented order (embedding, then per width its conv
   * weight and bias, then dense weight and bias). Writing to their values requires {@link
   * Parameter#markModified()}.
   */
  public List<Parameter> parameters() {
    return parameters;
  }

  /** The live parameter called {@code name}. */
  public Parameter parameter(String name) {
    for (Parameter p : parameters) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("no parameter named '" + name + "'; the model has "
        + parameters.stream().map(Parameter::name).toList());
  }

  /** State of the dropout generator, for checkpoints (resuming draws the same masks). */
  public long randomState() {
    return dropoutRandom.state();
  }

  public void setRandomState(long state) {
    dropoutRandom.setState(state);
  }

  /** A deep copy (weights and dropout generator state; gradients start empty). */
  public TextCnn copy() {
    float[][] values = new float[parameters.size()][];
    for (int i = 0; i < values.length; i++) {
      values[i] = parameters.get(i).values().clone();
    }
    return new TextCnn(config, values, dropoutRandom.state());
  }

  /**
   * The ids the network actually sees for {@code tokenIds}: leading [CLS] and trailing [SEP]
   * removed if configured, cut to {@code maxTokens}, padded with {@code PAD_ID} to the widest
   * filter. A serving path outside this class (an ONNX export) must apply the same steps.
   *
   * @throws IllegalArgumentException if a kept id is outside {@code [0, vocabSize)}
   */
  public int[] prepareTokens(int[] tokenIds) {
    int from = 0;
    int to = tokenIds.length;
    if (config.stripSpecialTokens()) {
      if (to > from && tokenIds[from] == TextCnnConfig.CLS_ID) {
        from++;
      }
      if (to > from && tokenIds[to - 1] == TextCnnConfig.SEP_ID) {
        to--;
      }
    }
    int n = Math.min(to - from, config.maxTokens());
    int[] ids = new int[Math.max(n, minLength)];
    for (int i = 0; i < n; i++) {
      int id = tokenIds[from + i];
      if (id < 0 || id >= vocab) {
        throw new IllegalArgumentException("token id " + id + " at position " + (from + i)
            + " is outside the vocabulary [0, " + vocab + "): the ids come from a different "
            + "tokenizer than the student was configured for");
      }
      ids[i] = id;
    }
    return ids;
  }

  /** Logits of one text (inference: no dropout). */
  public float[] logits(int[] tokenIds) {
    forward(List.of(tokenIds), false);
    return Arrays.copyOf(logits, classes);
  }

  /** Logits of each text of a batch (inference: no dropout). */
  public float[][] logitsBatch(List<int[]> tokenIds) {
    requireNonEmpty(tokenIds);
    forward(tokenIds, false);
    float[][] out = new float[tokenIds.size()][];
    for (int b = 0; b < out.length; b++) {
      out[b] = Arrays.copyOfRange(logits, b * classes, (b + 1) * classes);
    }
    return out;
  }

  /** Index of the largest logit of one text (the first one on ties). */
  public int predict(int[] tokenIds) {
    forward(List.of(tokenIds), false);
    int best = 0;
    for (int c = 1; c < classes; c++) {
      if (logits[c] > logits[best]) {
        best = c;
      }
    }
    return best;
  }

  /**
   * One training step: forward with dropout, loss and gradients ({@link #computeGradients}),
   * then {@code optimizer.step(parameters())}.
   *
   * @param goldIndexOrNull null when no example has a gold label, else one entry per example,
   *     null where that example has none
   * @return the mean loss of the batch before the update
   */
  public double trainBatch(List<int[]> tokenIds, List<float[]> teacherLogits, float temperature,
      List<Integer> goldIndexOrNull, DistillationLoss loss, Optimizer optimizer) {
    double mean = computeGradients(tokenIds, teacherLogits, temperature, goldIndexOrNull, loss);
    optimizer.step(parameters);
    return mean;
  }

  /** {@link #trainBatch} with one temperature per example (soft labels carry their own). */
  public double trainBatch(List<int[]> tokenIds, List<float[]> teacherLogits,
      float[] temperatures, List<Integer> goldIndexOrNull, DistillationLoss loss,
      Optimizer optimizer) {
    double mean = computeGradients(tokenIds, teacherLogits, temperatures, goldIndexOrNull, loss);
    optimizer.step(parameters);
    return mean;
  }

  /**
   * Forward (training mode: dropout active) and backward pass: replaces the gradients of all
   * parameters with those of the batch's mean loss and returns that mean loss. Does not update
   * weights.
   */
  public double computeGradients(List<int[]> tokenIds, List<float[]> teacherLogits,
      float temperature, List<Integer> goldIndexOrNull, DistillationLoss loss) {
    float[] temperatures = new float[tokenIds.size()];
    Arrays.fill(temperatures, temperature);
    return computeGradients(tokenIds, teacherLogits, temperatures, goldIndexOrNull, loss);
  }

  /** {@link #computeGradients} with one temperature per example. */
  public double computeGradients(List<int[]> tokenIds, List<float[]> teacherLogits,
      float[] temperatures, List<Integer> goldIndexOrNull, DistillationLoss loss) {
    int batch = validateBatch(tokenIds, teacherLogits, temperatures, goldIndexOrNull);
    for (Parameter p : parameters) {
      p.zeroGradient();
    }
    for (float[][] rows : convGradientRows) {
      zero(rows);
    }
    zero(denseGradientRows);
    forward(tokenIds, true);
    float invBatch = 1f / batch;
    double lossSum = 0;
    for (int b = 0; b < batch; b++) {
      System.arraycopy(logits, b * classes, studentRow, 0, classes);
      lossSum += loss.lossAndGradient(studentRow, teacherLogits.get(b), temperatures[b],
          gold(goldIndexOrNull, b), dLogits);
      for (int c = 0; c < classes; c++) {
        dLogits[c] *= invBatch;
      }
      backwardExample(b);
    }
    for (int wi = 0; wi < widths.length; wi++) {
      flatten(convGradientRows[wi], convWeight[wi].gradient());
    }
    flatten(denseGradientRows, denseWeight.gradient());
    return lossSum / batch;
  }

  /**
   * Mean distillation loss of a batch in inference mode (no dropout, no gradients), e.g. for
   * validation or a finite-difference check.
   */
  public double meanLoss(List<int[]> tokenIds, List<float[]> teacherLogits, float temperature,
      List<Integer> goldIndexOrNull, DistillationLoss loss) {
    float[] temperatures = new float[tokenIds.size()];
    Arrays.fill(temperatures, temperature);
    int batch = validateBatch(tokenIds, teacherLogits, temperatures, goldIndexOrNull);
    forward(tokenIds, false);
    double lossSum = 0;
    for (int b = 0; b < batch; b++) {
      System.arraycopy(logits, b * classes, studentRow, 0, classes);
      lossSum += loss.lossAndGradient(studentRow, teacherLogits.get(b), temperature,
          gold(goldIndexOrNull, b), dLogits);
    }
    return lossSum / batch;
  }

  // ---------------------------------------------------------------- forward

  private void forward(List<int[]> batch, boolean training) {
    int size = batch.size();
    ensureCapacity(size);
    refreshWeightRows();
    int total = 0;
    for (int b = 0; b < size; b++) {
      int[] ids = prepareTokens(batch.get(b));
      batchIds[b] = ids;
      xOffset[b] = total;
      total += ids.length * dim;
    }
    if (x.length < total) {
      x = new float[Math.max(total, x.length * 2)];
    }
    float[] emb = embedding.values();
    boolean drop = training && dropout > 0;
    for (int b = 0; b < size; b++) {
      // Gather right before use, so the example's embeddings are still in L1 for the convolution.
      int[] ids = batchIds[b];
      for (int p = 0, xo = xOffset[b]; p < ids.length; p++, xo += dim) {
        System.arraycopy(emb, ids[p] * dim, x, xo, dim);
      }
      forwardExample(b, drop);
    }
  }

  private void forwardExample(int b, boolean drop) {
    int length = batchIds[b].length;
    int xBase = xOffset[b];
    int featBase = b * features;
    for (int wi = 0; wi < widths.length; wi++) {
      int positions = length - widths[wi] + 1;
      convolve(xBase, positions, widths[wi] * dim, convForwardRows[wi], convBias[wi].values());
      // Max over time (first maximum wins), then ReLU.
      int fo = featBase + wi * filters;
      System.arraycopy(convOut[0], 0, pooled, fo, filters);
      Arrays.fill(argMax, fo, fo + filters, 0);
      for (int t = 1; t < positions; t++) {
        float[] row = convOut[t];
        for (int f = 0; f < filters; f++) {
          if (row[f] > pooled[fo + f]) {
            pooled[fo + f] = row[f];
            argMax[fo + f] = t;
          }
        }
      }
      for (int f = fo; f < fo + filters; f++) {
        if (pooled[f] < 0) {
          pooled[f] = 0;
        }
      }
    }
    float[] out = logitRow;
    System.arraycopy(denseBias.values(), 0, out, 0, classes);
    float keepScale = 1f / (1f - dropout);
    for (int d = 0; d < features; d++) {
      float h = pooled[featBase + d];
      if (drop) {
        float mask = dropoutRandom.nextFloat() < dropout ? 0f : keepScale;
        dropMask[featBase + d] = mask;
        h *= mask;
      }
      denseIn[featBase + d] = h;
      if (h != 0) {
        // Most features are zero after ReLU; skipping them saves a row of the dense layer.
        float[] w = denseForwardRows[d];
        for (int c = 0; c < out.length; c++) {
          out[c] += h * w[c];
        }
      }
    }
    System.arraycopy(out, 0, logits, b * classes, classes);
  }

  /**
   * {@code convOut[t][f] = bias[f] + sum_{j < k} x[xBase + t*E + j] * rows[j][f]} for each
   * {@code t < positions}: the window of position t is the contiguous slice of k = w*E
   * embedding values starting at t*E. Four window values per pass over an output row quarter
   * its loads and stores; each block of four weight rows is reused for all positions while it
   * is in L1. (Eight per pass, or two positions per pass, measured slower: the JIT then stops
   * vectorising.)
   */
  private void convolve(int xBase, int positions, int k, float[][] rows, float[] bias) {
    final float[] in = x;
    for (int t = 0; t < positions; t++) {
      System.arraycopy(bias, 0, convOut[t], 0, filters);
    }
    int j = 0;
    for (; j + 4 <= k; j += 4) {
      float[] w0 = rows[j];
      float[] w1 = rows[j + 1];
      float[] w2 = rows[j + 2];
      float[] w3 = rows[j + 3];
      for (int t = 0; t < positions; t++) {
        int xo = xBase + t * dim + j;
        float a0 = in[xo];
        float a1 = in[xo + 1];
        float a2 = in[xo + 2];
        float a3 = in[xo + 3];
        float[] out = convOut[t];
        for (int f = 0; f < out.length; f++) {
          out[f] += a0 * w0[f] + a1 * w1[f] + a2 * w2[f] + a3 * w3[f];
        }
      }
    }
    for (; j < k; j++) {
      float[] w0 = rows[j];
      for (int t = 0; t < positions; t++) {
        float a0 = in[xBase + t * dim + j];
        float[] out = convOut[t];
        for (int f = 0; f < out.length; f++) {
          out[f] += a0 * w0[f];
        }
      }
    }
  }

  /** Rebuilds the row copies of weights whose parameter changed since they were built. */
  private void refreshWeightRows() {
    for (int wi = 0; wi < widths.length; wi++) {
      Parameter p = convWeight[wi];
      if (p.version() != convRowsVersion[wi]) {
        int k = widths[wi] * dim;
        float[] w = p.values();
        float[][] forward = convForwardRows[wi];
        float[][][] backward = convBackwardRows[wi];
        for (int f = 0; f < filters; f++) {
          for (int q = 0; q < widths[wi]; q++) {
            System.arraycopy(w, f * k + q * dim, backward[f][q], 0, dim);
          }
          for (int j = 0; j < k; j++) {
            forward[j][f] = w[f * k + j];
          }
        }
        convRowsVersion[wi] = p.version();
      }
    }
    if (denseWeight.version() != denseRowsVersion) {
      float[] w = denseWeight.values();
      for (int c = 0; c < classes; c++) {
        System.arraycopy(w, c * features, denseBackwardRows[c], 0, features);
        for (int d = 0; d < features; d++) {
          denseForwardRows[d][c] = w[c * features + d];
        }
      }
      denseRowsVersion = denseWeight.version();
    }
  }

  // ---------------------------------------------------------------- backward

  /** Back-propagates dLogits (already divided by the batch size) of example b. */
  private void backwardExample(int b) {
    int featBase = b * features;
    float[] h = featureRow;
    System.arraycopy(denseIn, featBase, h, 0, features);
    float[] gbd = denseBias.gradient();
    float[] df = dFeatures;
    Arrays.fill(df, 0f);
    for (int c = 0; c < classes; c++) {
      float g = dLogits[c];
      gbd[c] += g;
      if (g == 0) {
        continue;
      }
      float[] gw = denseGradientRows[c];
      float[] w = denseBackwardRows[c];
      for (int d = 0; d < gw.length; d++) {
        gw[d] += g * h[d];
      }
      for (int d = 0; d < df.length; d++) {
        df[d] += g * w[d];
      }
    }
    if (dropout > 0) {
      for (int d = 0; d < features; d++) {
        df[d] *= dropMask[featBase + d];
      }
    }

    int[] ids = batchIds[b];
    int xBase = xOffset[b];
    for (int p = 0; p < ids.length; p++) {
      Arrays.fill(dx[p], 0f);
    }
    for (int wi = 0; wi < widths.length; wi++) {
      int w = widths[wi];
      int k = w * dim;
      float[] gb = convBias[wi].gradient();
      for (int f = 0; f < filters; f++) {
        int feat = wi * filters + f;
        float g = df[feat];
        // Max pooling passes the gradient to one window; ReLU blocks it when the max was <= 0.
        if (g == 0 || pooled[featBase + feat] <= 0) {
          continue;
        }
        gb[f] += g;
        int t = argMax[featBase + feat];
        // Copying the window first turns the update into a whole-array loop the JIT vectorises.
        System.arraycopy(x, xBase + t * dim, window, 0, k);
        float[] gw = convGradientRows[wi][f];
        for (int j = 0; j < gw.length; j++) {
          gw[j] += g * window[j];
        }
        float[][] weights = convBackwardRows[wi][f];
        for (int q = 0; q < w; q++) {
          float[] d = dx[t + q];
          float[] wq = weights[q];
          for (int e = 0; e < d.length; e++) {
            d[e] += g * wq[e];
          }
        }
      }
    }

    for (int p = 0; p < ids.length; p++) {
      int id = ids[p];
      if (id == TextCnnConfig.PAD_ID) {
        continue;
      }
      int slot = embedding.touchRow(id);
      float[] ge = embedding.gradient();
      float[] d = dx[p];
      int go = slot * dim;
      for (int e = 0; e < dim; e++) {
        ge[go + e] += d[e];
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private static void zero(float[][] rows) {
    for (float[] row : rows) {
      Arrays.fill(row, 0f);
    }
  }

  /** Copies rows into a flat row-major array (which is overwritten). */
  private static void flatten(float[][] rows, float[] flat) {
    int offset = 0;
    for (float[] row : rows) {
      System.arraycopy(row, 0, flat, offset, row.length);
      offset += row.length;
    }
  }

  private void ensureCapacity(int size) {
    if (size <= capacity) {
      return;
    }
    capacity = Math.max(size, capacity * 2);
    batchIds = new int[capacity][];
    xOffset = new int[capacity];
    pooled = new float[capacity * features];
    argMax = new int[capacity * features];
    denseIn = new float[capacity * features];
    dropMask = new float[dropout > 0 ? capacity * features : 0];
    logits = new float[capacity * classes];
  }

  private int validateBatch(List<int[]> tokenIds, List<float[]> teacherLogits,
      float[] temperatures, List<Integer> gold) {
    requireNonEmpty(tokenIds);
    int batch = tokenIds.size();
    if (teacherLogits.size() != batch) {
      throw new IllegalArgumentException("batch has " + batch + " token sequences but "
          + teacherLogits.size() + " teacher logit vectors");
    }
    if (temperatures.length != batch) {
      throw new IllegalArgumentException("batch has " + batch + " token sequences but "
          + temperatures.length + " temperatures");
    }
    if (gold != null && gold.size() != batch) {
      throw new IllegalArgumentException("batch has " + batch + " token sequences but "
          + gold.size() + " gold entries (pass null for none, or null entries)");
    }
    for (int b = 0; b < batch; b++) {
      if (teacherLogits.get(b) == null) {
        // A gold-only example (no teacher): the loss needs its gold label.
        if (gold(gold, b) == DistillationLoss.NO_GOLD) {
          throw new IllegalArgumentException("example " + b + " has neither teacher logits nor a gold label");
        }
        continue;
      }
      if (teacherLogits.get(b).length != classes) {
        throw new IllegalArgumentException("teacher logits of example " + b + " have length "
            + teacherLogits.get(b).length + " but the student has " + classes + " classes");
      }
    }
    return batch;
  }

  private static int gold(List<Integer> gold, int b) {
    if (gold == null) {
      return DistillationLoss.NO_GOLD;
    }
    Integer g = gold.get(b);
    return g == null ? DistillationLoss.NO_GOLD : g;
  }

  private static void requireNonEmpty(List<int[]> tokenIds) {
    if (tokenIds.isEmpty()) {
      throw new IllegalArgumentException("batch is empty");
    }
  }
}
