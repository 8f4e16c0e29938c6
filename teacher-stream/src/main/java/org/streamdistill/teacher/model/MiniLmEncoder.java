package org.streamdistill.teacher.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns text into sentence embeddings with all-MiniLM-L6-v2, or another BERT-family encoder of
 * {@link EncoderId}, on ONNX Runtime (through DJL): WordPiece token ids with {@code [CLS]}/{@code
 * [SEP]}, then the attention-masked mean of the last hidden state (or its {@code [CLS]} state,
 * as {@link EncoderId#pooling()} says), L2-normalised. The model and tokenizer are read from the
 * class path, so nothing is downloaded.
 *
 * <p>{@link #tokenize} always returns the plain text's ids; an encoder's
 * {@link EncoderId#textPrefix()} is inserted after {@code [CLS]} only inside {@link #embed}, so
 * token ids mean the same text whichever encoder produced them.
 *
 * <p>One instance owns one ONNX Runtime session, one predictor and one native tokenizer,
 * opened in the constructor and released by {@link #close()}. It is not thread-safe: give
 * each Flink subtask (or thread) its own instance.
 */
public final class MiniLmEncoder implements AutoCloseable {

  /** Longest input, special tokens included; longer texts are cut and flagged as truncated. */
  public static final int MAX_TOKENS = 128;

  /** Token ids of one text, {@code [CLS]} and {@code [SEP]} included. */
  public record Tokenized(int[] ids, boolean truncated) {

    public Tokenized {
      ids = ids.clone();
    }

    @Override
    public int[] ids() {
      return ids.clone();
    }

    /** Number of tokens, special tokens included. */
    public int length() {
      return ids.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tokenized other && truncated == other.truncated && Arrays.equals(ids, other.ids);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(ids) + Boolean.hashCode(truncated);
    }

    @Override
    public String toString() {
      return "Tokenized[ids=" + Arrays.toString(ids) + ", truncated=" + truncated + "]";
    }
  }

  private static final String ENGINE = "OnnxRuntime";

  private final EncoderId id;
  private final HuggingFaceTokenizer tokenizer;
  private final Model model;
  private final Predictor<NDList, NDList> predictor;
  private final int[] prefixIds;

  /** Opens the default encoder with {@code intraOpThreads} ONNX Runtime compute threads. */
  public MiniLmEncoder(int intraOpThreads) throws IOException {
    this(EncoderId.ALL_MINILM_L6_V2, intraOpThreads);
  }

  /**
   * Opens {@code id} from the class path.
   *
   * @param intraOpThreads threads ONNX Runtime may use inside one operator (matrix products);
   *     at least 1. Inter-op parallelism is fixed at 1: the graph is a straight chain.
   * @throws IOException if a resource is missing or the model cannot be loaded
   */
  public MiniLmEncoder(EncoderId id, int intraOpThreads) throws IOException {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads must be >= 1, got " + intraOpThreads);
    }
    this.id = id;
    HuggingFaceTokenizer openedTokenizer = null;
    Model openedModel = null;
    try {
      openedTokenizer = openTokenizer(id);
      openedModel = Model.newInstance(id.name().toLowerCase(Locale.ROOT), Device.cpu(), ENGINE);
      try (InputStream in = resource(id.modelResource())) {
        // DJL's OrtModel only applies intraOpNumThreads when interOpNumThreads is also set,
        // so both are always passed.
        openedModel.load(in, Map.of(
            "interOpNumThreads", "1",
            "intraOpNumThreads", Integer.toString(intraOpThreads)));
      }
      this.predictor = openedModel.newPredictor(new NoopTranslator());
    } catch (MalformedModelException e) {
      closeQuietly(openedModel, openedTokenizer);
      throw new IOException("cannot load ONNX model " + id.modelResource() + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      closeQuietly(openedModel, openedTokenizer);
      throw e;
    }
    this.tokenizer = openedTokenizer;
    this.model = openedModel;
    this.prefixIds = prefixIds(openedTokenizer, id.textPrefix());
  }

  /**
   * The ids of {@code prefix} alone, without {@code [CLS]} and {@code [SEP]}. BERT's
   * pre-tokenizer splits on whitespace and punctuation before WordPiece, so the ids of
   * {@code prefix + " " + text} are {@code [CLS]}, these, then the text's own.
   */
  private static int[] prefixIds(HuggingFaceTokenizer tokenizer, String prefix) {
    if (prefix.isEmpty()) {
      return new int[0];
    }
    long[] withSpecials = tokenizer.encode(prefix).getIds();
    int[] ids = new int[withSpecials.length - 2];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = Math.toIntExact(withSpecials[i + 1]);
    }
    return ids;
  }

  private static void closeQuietly(Model model, HuggingFaceTokenizer tokenizer) {
    if (model != null) {
      model.close();
    }
    if (tokenizer != null) {
      tokenizer.close();
    }
  }

  private static HuggingFaceTokenizer openTokenizer(EncoderId id) throws IOException {
    try (InputStream in = resource(id.tokenizerResource())) {
      // The bundled tokenizer.json pads every input to 128 tokens; batches here are padded
      // to their longest member instead, which is several times cheaper for chat turns.
      return HuggingFaceTokenizer.newInstance(in, Map.of(
          "padding", "false",
          "truncation", "true",
          "maxLength", Integer.toString(MAX_TOKENS),
          "addSpecialTokens", "true"));
    }
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = MiniLmEncoder.class.getResourceAsStream(name);
    if (in == null) {
      throw new IOException("class-path resource " + name + " not found; is the jar of "
          + "dev.langchain4j:" + artifactOf(name) + " on the class path?");
    }
    return in;
  }

  private static String artifactOf(String resource) {
    for (EncoderId candidate : EncoderId.values()) {
      if (candidate.modelResource().equals(resource) || candidate.tokenizerResource().equals(resource)) {
        return candidate.artifactId();
      }
    }
    return "langchain4j-embeddings-*";
  }

  /** Which encoder this is. */
  public EncoderId id() {
    return id;
  }

  /** Width of the embeddings {@link #embed} returns. */
  public int dimension() {
    return id.dimension();
  }

  /** Tokenizes one text; an empty text gives {@code [CLS] [SEP]}. */
  public Tokenized tokenize(String text) {
    return toTokenized(tokenizer.encode(text));
  }

  /** Tokenizes several texts, in order. */
  public List<Tokenized> tokenize(List<String> texts) {
    if (texts.isEmpty()) {
      return List.of();
    }
    Encoding[] encodings = tokenizer.batchEncode(texts);
    List<Tokenized> result = new ArrayList<>(encodings.length);
    for (Encoding encoding : encodings) {
      result.add(toTokenized(encoding));
    }
    return result;
  }

  private static Tokenized toTokenized(Encoding encoding) {
    long[] longIds = encoding.getIds();
    int[] ids = new int[longIds.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = Math.toIntExact(longIds[i]);
    }
    return new Tokenized(ids, encoding.exceedMaxLength());
  }

  /**
   * Embeds a batch of token-id sequences (as produced by {@link #tokenize}) in one ONNX Runtime
   * call. The batch is padded to its longest sequence; padding is masked out of the mean, so a
   * sequence gets the same embedding (to float rounding) whatever it is batched with.
   *
   * @return one unit-length vector of {@link #dimension()} floats per sequence, in order
   * @throws IllegalArgumentException if a sequence is empty or longer than {@link #MAX_TOKENS}
   * @throws IllegalStateException if ONNX Runtime fails
   */
  public float[][] embed(List<int[]> tokenIds) {
    int batch = tokenIds.size();
    if (batch == 0) {
      return new float[0][];
    }
    for (int[] seq : tokenIds) {
      if (seq.length == 0 || seq.length > MAX_TOKENS) {
        throw new IllegalArgumentException("token sequences must hold 1.." + MAX_TOKENS
            + " ids, got " + seq.length);
      }
    }
    List<int[]> ids = new ArrayList<>(batch);
    int longest = 0;
    for (int[] seq : tokenIds) {
      int[] input = modelInput(seq);
      ids.add(input);
      longest = Math.max(longest, input.length);
    }
    long[] inputIds = new long[batch * longest];
    long[] mask = new long[batch * longest];
    for (int b = 0; b < batch; b++) {
      int[] seq = ids.get(b);
      for (int t = 0; t < seq.length; t++) {
        inputIds[b * longest + t] = seq[t];
        mask[b * longest + t] = 1;
      }
    }
    float[] hidden;
    Shape shape = new Shape(batch, longest);
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDArray inputIdsArray = manager.create(inputIds, shape);
      inputIdsArray.setName("input_ids");
      NDArray maskArray = manager.create(mask, shape);
      maskArray.setName("attention_mask");
      NDArray typeIdsArray = manager.zeros(shape, DataType.INT64);
      typeIdsArray.setName("token_type_ids");
      NDList output = predictor.predict(new NDList(inputIdsArray, maskArray, typeIdsArray));
      NDArray lastHidden = output.get("last_hidden_state");
      if (lastHidden == null) {
        lastHidden = output.head();
      }
      hidden = lastHidden.toFloatArray();
    } catch (TranslateException e) {
      throw new IllegalStateException(id.shortName() + " inference failed for a batch of " + batch
          + " sequences of up to " + longest + " tokens", e);
    }
    return id.pooling() == EncoderId.Pooling.CLS
        ? clsPoolAndNormalise(hidden, batch, longest, dimension())
        : meanPoolAndNormalise(hidden, ids, longest, dimension());
  }

  /** What the model is fed for {@code ids}: the ids with the encoder's text prefix after {@code [CLS]}. */
  int[] modelInput(int[] ids) {
    if (prefixIds.length == 0) {
      return ids;
    }
    int[] input = new int[ids.length + prefixIds.length];
    input[0] = ids[0];
    System.arraycopy(prefixIds, 0, input, 1, prefixIds.length);
    System.arraycopy(ids, 1, input, 1 + prefixIds.length, ids.length - 1);
    return input;
  }

  /**
   * The hidden state of each sequence's first token ({@code [CLS]}), scaled to unit length.
   * {@code hidden} is the row-major {@code [batch][longest][dim]} output.
   */
  static float[][] clsPoolAndNormalise(float[] hidden, int batch, int longest, int dim) {
    if (hidden.length != batch * longest * dim) {
      throw new IllegalStateException("model returned " + hidden.length + " floats, expected "
          + batch + " x " + longest + " x " + dim);
    }
    float[][] embeddings = new float[batch][];
    for (int b = 0; b < batch; b++) {
      int base = b * longest * dim;
      double squaredNorm = 0.0;
      for (int d = 0; d < dim; d++) {
        squaredNorm += (double) hidden[base + d] * hidden[base + d];
      }
      double norm = Math.max(Math.sqrt(squaredNorm), 1e-12);
      float[] embedding = new float[dim];
      for (int d = 0; d < dim; d++) {
        embedding[d] = (float) (hidden[base + d] / norm);
      }
      embeddings[b] = embedding;
    }
    return embeddings;
  }

  /**
   * Mean of the hidden states of the real (unpadded) tokens of each sequence, scaled to unit
   * length. {@code hidden} is the row-major {@code [batch][longest][dim]} output.
   */
  static float[][] meanPoolAndNormalise(float[] hidden, List<int[]> ids, int longest, int dim) {
    if (hidden.length != ids.size() * longest * dim) {
      throw new IllegalStateException("model returned " + hidden.length + " floats, expected "
          + ids.size() + " x " + longest + " x " + dim);
    }
    float[][] embeddings = new float[ids.size()][];
    double[] sum = new double[dim];
    for (int b = 0; b < ids.size(); b++) {
      Arrays.fill(sum, 0.0);
      int length = ids.get(b).length;
      for (int t = 0; t < length; t++) {
        int base = (b * longest + t) * dim;
        for (int d = 0; d < dim; d++) {
          sum[d] += hidden[base + d];
        }
      }
      double squaredNorm = 0.0;
      for (int d = 0; d < dim; d++) {
        sum[d] /= length;
        squaredNorm += sum[d] * sum[d];
      }
      // Same epsilon as sentence-transformers' normalize(): keeps an all-zero vector finite.
      double norm = Math.max(Math.sqrt(squaredNorm), 1e-12);
      float[] embedding = new float[dim];
      for (int d = 0; d < dim; d++) {
        embedding[d] = (float) (sum[d] / norm);
      }
      embeddings[b] = embedding;
    }
    return embeddings;
  }

  /** Releases the predictor, the ONNX Runtime session and the native tokenizer. */
  @Override
  public void close() {
    try {
      predictor.close();
      model.close();
    } finally {
      tokenizer.close();
    }
  }
}
