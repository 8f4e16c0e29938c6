package org.streamdistill.teacher.model;

import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A teacher brought by the user: any ONNX sequence classifier, as Hugging Face exports them,
 * with its {@code tokenizer.json} and label list. It consumes texts and produces, per text, the
 * token ids the model saw, whether they were cut at the maximum length, and one logit per label
 * ({@link TeacherScore}).
 *
 * <p>The model must take {@value #INPUT_IDS} and {@value #ATTENTION_MASK}, and may take
 * {@value #TOKEN_TYPE_IDS}, all int64 {@code [batch, tokens]}; which of them it takes is read
 * from the graph when the session opens, so {@value #TOKEN_TYPE_IDS} is passed only to models
 * that declare it (DistilBERT and RoBERTa exports do not; BERT exports do). It must output float
 * logits {@code [batch, labels]}: the output named {@value #LOGITS}, or its only output. Every
 * batch is padded to its longest text with the tokenizer's padding token, masked out by the
 * attention mask.
 *
 * <p>The {@link #version()} is {@value #VERSION_PREFIX} plus the first 12 hex digits of a
 * SHA-256 over everything that shapes its soft labels: the model file, the tokenizer file, the
 * labels, the maximum length and the temperature. Equal versions therefore mean equal soft
 * labels, as for a {@link TeacherBundle}; the {@link #labelSetId()} is {@link
 * TeacherBundle#labelSetId(List)} of the labels.
 *
 * <p>Owns one ONNX Runtime session and one native tokenizer, opened by {@link #open} and
 * released by {@link #close()}. Not thread-safe: one per Flink subtask.
 */
public final class OnnxClassifier implements TeacherModel {

  public static final String INPUT_IDS = "input_ids";
  public static final String ATTENTION_MASK = "attention_mask";
  public static final String TOKEN_TYPE_IDS = "token_type_ids";
  public static final String LOGITS = "logits";
  public static final String VERSION_PREFIX = "onnx-classifier-";

  private static final String ONNX_RUNTIME_ENGINE = "OnnxRuntime";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> PAD_TOKENS = List.of("[PAD]", "<pad>", "<|pad|>", "<PAD>");

  private final OrtEnvironment environment;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean takesTokenTypeIds;
  private final String outputName;
  private final long padId;
  private final int maxLength;
  private final List<String> labels;
  private final String labelSetId;
  private final String version;

  private OnnxClassifier(OrtEnvironment environment, OrtSession session, HuggingFaceTokenizer tokenizer,
      boolean takesTokenTypeIds, String outputName, long padId, int maxLength, List<String> labels, String version) {
    this.environment = environment;
    this.session = session;
    this.tokenizer = tokenizer;
    this.takesTokenTypeIds = takesTokenTypeIds;
    this.outputName = outputName;
    this.padId = padId;
    this.maxLength = maxLength;
    this.labels = List.copyOf(labels);
    this.labelSetId = TeacherBundle.labelSetId(labels);
    this.version = version;
  }

  /**
   * Opens a classifier.
   *
   * @param model the {@code .onnx} file
   * @param tokenizerJson the model's Hugging Face {@code tokenizer.json}
   * @param labelsFile label names in logit order (see {@link #readLabels})
   * @param maxLength longest input in tokens, special tokens included; longer texts are cut
   * @param temperature the distillation temperature the soft labels will carry (part of the version)
   * @param intraOpThreads ONNX Runtime compute threads (at least 1)
   * @throws IOException if a file is missing or malformed, or the model does not have the inputs
   *     and output described above; the message names the file and what is wrong
   */
  public static OnnxClassifier open(Path model, Path tokenizerJson, Path labelsFile, int maxLength,
      double temperature, int intraOpThreads) throws IOException {
    if (maxLength < 2) {
      throw new IllegalArgumentException("maxLength must be >= 2, got " + maxLength);
    }
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads must be >= 1, got " + intraOpThreads);
    }
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    requireFile(model, "ONNX model");
    requireFile(tokenizerJson, "tokenizer");
    List<String> labels = readLabels(labelsFile);
    long padId = padId(tokenizerJson);
    String version = version(model, tokenizerJson, labels, maxLength, temperature);

    // The OrtEnvironment is one per process, and DJL's engine (which MiniLmEncoder uses) refuses to
    // start once another caller has created it: let DJL create it, then share it.
    Engine.getEngine(ONNX_RUNTIME_ENGINE);
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    OrtSession session = null;
    HuggingFaceTokenizer tokenizer = null;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(intraOpThreads);
      options.setInterOpNumThreads(1);
      session = environment.createSession(model.toString(), options);
      boolean takesTokenTypeIds = checkInputs(model, session.getInputInfo());
      String outputName = chooseOutput(model, session.getOutputInfo(), labels.size());
      // The tokenizer file may pad to a fixed length; padding to the batch's longest is done here instead.
      tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
          "padding", "false",
          "truncation", "true",
          "maxLength", Integer.toString(maxLength),
          "addSpecialTokens", "true"));
      return new OnnxClassifier(environment, session, tokenizer, takesTokenTypeIds, outputName, padId, maxLength,
          labels, version);
    } catch (OrtException e) {
      closeQuietly(session, tokenizer);
      throw new IOException("cannot load ONNX model " + model + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      closeQuietly(session, tokenizer);
      throw e;
    }
  }

  private static void requireFile(Path file, String what) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(what + " file " + file.toAbsolutePath() + " does not exist or is not a file");
    }
  }

  private static void closeQuietly(OrtSession session, HuggingFaceTokenizer tokenizer) {
    if (session != null) {
      try {
        session.close();
      } catch (OrtException ignored) {
        // Already failing with the more useful exception.
      }
    }
    if (tokenizer != null) {
      tokenizer.close();
    }
  }

  /** Checks the model's inputs; returns whether it takes {@value #TOKEN_TYPE_IDS}. */
  private static boolean checkInputs(Path model, Map<String, NodeInfo> inputs) throws IOException {
    Set<String> supplied = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);
    for (String required : List.of(INPUT_IDS, ATTENTION_MASK)) {
      if (!inputs.containsKey(required)) {
        throw new IOException("ONNX model " + model + " has no input '" + required + "' (its inputs: "
            + inputs.keySet() + "); a sequence classifier takes input_ids and attention_mask");
      }
    }
    for (Map.Entry<String, NodeInfo> input : inputs.entrySet()) {
      if (!supplied.contains(input.getKey())) {
        throw new IOException("ONNX model " + model + " takes input '" + input.getKey() + "', which this teacher "
            + "cannot supply (it supplies " + INPUT_IDS + ", " + ATTENTION_MASK + " and " + TOKEN_TYPE_IDS + ")");
      }
      if (!(input.getValue().getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.INT64
          || tensor.getShape().length != 2) {
        throw new IOException("ONNX model " + model + " input '" + input.getKey() + "' is "
            + input.getValue().getInfo() + "; expected an int64 tensor [batch, tokens]");
      }
    }
    return inputs.containsKey(TOKEN_TYPE_IDS);
  }

  /** The output that holds the logits: the one named {@value #LOGITS}, or the only one. */
  private static String chooseOutput(Path model, Map<String, NodeInfo> outputs, int labelCount) throws IOException {
    String name;
    if (outputs.containsKey(LOGITS)) {
      name = LOGITS;
    } else if (outputs.size() == 1) {
      name = outputs.keySet().iterator().next();
    } else {
      throw new IOException("ONNX model " + model + " has outputs " + outputs.keySet() + " and none is named '"
          + LOGITS + "'; cannot tell which holds the logits");
    }
    if (!(outputs.get(name).getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.FLOAT
        || tensor.getShape().length != 2) {
      throw new IOException("ONNX model " + model + " output '" + name + "' is " + outputs.get(name).getInfo()
          + "; expected float logits [batch, labels]");
    }
    long classes = tensor.getShape()[1];
    if (classes > 0 && classes != labelCount) {
      throw new IOException("ONNX model " + model + " outputs " + classes + " logits per text but the label list has "
          + labelCount + " labels");
    }
    return name;
  }

  /**
   * Reads label names in logit order from a file in one of three forms, told apart by its first
   * character: a JSON list of strings ({@code ["greeting", "goodbye"]}); a JSON object with
   * {@code id2label}, as in a Hugging Face {@code config.json}; otherwise one label per line
   * (UTF-8, surrounding white space ignored, trailing empty lines allowed).
   *
   * @throws IOException if the file cannot be read, names fewer than two labels, an empty label
   *     or the same label twice
   */
  public static List<String> readLabels(Path file) throws IOException {
    requireFile(file, "label list");
    String text = Files.readString(file, StandardCharsets.UTF_8);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    String trimmed = text.strip();
    List<String> labels = new ArrayList<>();
    if (trimmed.startsWith("[")) {
      JsonNode list = parseJson(file, trimmed);
      for (JsonNode label : list) {
        if (!label.isTextual()) {
          throw new IOException("label list " + file + ": entry " + labels.size() + " is " + label + ", not a string");
        }
        labels.add(label.asText());
      }
    } else if (trimmed.startsWith("{")) {
      JsonNode id2label = parseJson(file, trimmed).get("id2label");
      if (id2label == null || !id2label.isObject()) {
        throw new IOException("label list " + file + " is a JSON object without an 'id2label' object");
      }
      TreeMap<Integer, String> byId = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = id2label.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        try {
          byId.put(Integer.parseInt(entry.getKey()), entry.getValue().asText());
        } catch (NumberFormatException e) {
          throw new IOException("label list " + file + ": id2label key '" + entry.getKey() + "' is not an integer");
        }
      }
      if (!byId.isEmpty() && (byId.firstKey() != 0 || byId.lastKey() != byId.size() - 1)) {
        throw new IOException("label list " + file + ": id2label ids must be 0.." + (byId.size() - 1) + ", got "
            + byId.keySet());
      }
      labels.addAll(byId.values());
    } else {
      List<String> lines = new ArrayList<>(text.lines().map(String::strip).toList());
      while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
        lines.remove(lines.size() - 1);
      }
      labels.addAll(lines);
    }
    if (labels.size() < 2) {
      throw new IOException("label list " + file + " names " + labels.size() + " labels; a classifier needs at least 2");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < labels.size(); i++) {
      String label = labels.get(i);
      if (label.isEmpty()) {
        throw new IOException("label list " + file + ": label " + i + " is empty");
      }
      if (!seen.add(label)) {
        throw new IOException("label list " + file + ": label '" + label + "' appears twice");
      }
    }
    return List.copyOf(labels);
  }

  private static JsonNode parseJson(Path file, String json) throws IOException {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IOException("label list " + file + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /**
   * The id that pads a batch: the tokenizer's own padding id when {@code tokenizer.json}
   * configures padding, else the id of its {@code [PAD]}/{@code <pad>} added token, else 0.
   * Padded positions are masked out, but models such as RoBERTa derive position ids from where
   * the padding id is, so the model's own padding id matters.
   */
  static long padId(Path tokenizerJson) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(tokenizerJson.toFile());
    } catch (IOException e) {
      throw new IOException("tokenizer " + tokenizerJson + " is not valid JSON: " + e.getMessage(), e);
    }
    JsonNode padding = root.path("padding");
    if (padding.has("pad_id")) {
      return padding.get("pad_id").asLong();
    }
    for (JsonNode token : root.path("added_tokens")) {
      if (PAD_TOKENS.contains(token.path("content").asText())) {
        return token.path("id").asLong();
      }
    }
    return 0;
  }

  private static String version(Path model, Path tokenizerJson, List<String> labels, int maxLength,
      double temperature) throws IOException {
    MessageDigest sha = sha256();
    updateWithFile(sha, "model", model);
    updateWithFile(sha, "tokenizer", tokenizerJson);
    updateWithBytes(sha, "labels", String.join("\n", labels).getBytes(StandardCharsets.UTF_8));
    updateWithBytes(sha, "max-length", Integer.toString(maxLength).getBytes(StandardCharsets.UTF_8));
    updateWithBytes(sha, "temperature", Double.toString(temperature).getBytes(StandardCharsets.UTF_8));
    return VERSION_PREFIX + HexFormat.of().formatHex(sha.digest()).substring(0, 12);
  }

  /** Each part is framed by its name and length, so no two different inputs hash alike. */
  private static void updateWithFile(MessageDigest sha, String part, Path file) throws IOException {
    sha.update((part + ":" + Files.size(file) + ":").getBytes(StandardCharsets.UTF_8));
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
      }
    }
  }

  private static void updateWithBytes(MessageDigest sha, String part, byte[] bytes) {
    sha.update((part + ":" + bytes.length + ":").getBytes(StandardCharsets.UTF_8));
    sha.update(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /**
   * Scores a batch in one ONNX Runtime call: tokenizes every text (cut at the maximum length),
   * pads to the longest and runs the model.
   *
   * @return one score per text, in order
   * @throws IllegalArgumentException if a text is null
   * @throws IllegalStateException if ONNX Runtime fails or the model's output has the wrong shape
   */
  public List<TeacherScore> score(List<String> texts) {
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i) == null) {
        throw new IllegalArgumentException("text " + i + " of the batch is null");
      }
    }
    if (texts.isEmpty()) {
      return List.of();
    }
    Encoding[] encodings = tokenizer.batchEncode(texts);
    int batch = encodings.length;
    int longest = 1; // a tokenizer without special tokens can turn a text into no tokens at all
    for (Encoding encoding : encodings) {
      longest = Math.max(longest, encoding.getIds().length);
    }
    long[] ids = new long[batch * longest];
    long[] mask = new long[batch * longest];
    long[] types = new long[batch * longest];
    Arrays.fill(ids, padId);
    for (int b = 0; b < batch; b++) {
      long[] seq = encodings[b].getIds();
      long[] typeIds = encodings[b].getTypeIds();
      System.arraycopy(seq, 0, ids, b * longest, seq.length);
      System.arraycopy(typeIds, 0, types, b * longest, typeIds.length);
      Arrays.fill(mask, b * longest, b * longest + seq.length, 1L);
    }
    float[] logits = run(ids, mask, types, batch, longest);
    int classes = labels.size();
    List<TeacherScore> scores = new ArrayList<>(batch);
    for (int b = 0; b < batch; b++) {
      long[] seq = encodings[b].getIds();
      int[] tokenIds = new int[seq.length];
      for (int t = 0; t < seq.length; t++) {
        tokenIds[t] = Math.toIntExact(seq[t]);
      }
      float[] row = Arrays.copyOfRange(logits, b * classes, (b + 1) * classes);
      scores.add(new TeacherScore(tokenIds, encodings[b].exceedMaxLength(), row, SoftmaxHead.argMax(row)));
    }
    return scores;
  }

  /** The ids {@link #score} would report, from the tokenizer alone (no model run). */
  @Override
  public List<TeacherScore.Tokens> tokenize(List<String> texts) {
    if (texts.isEmpty()) {
      return List.of();
    }
    List<TeacherScore.Tokens> out = new ArrayList<>(texts.size());
    for (Encoding encoding : tokenizer.batchEncode(texts)) {
      long[] seq = encoding.getIds();
      int[] tokenIds = new int[seq.length];
      for (int t = 0; t < seq.length; t++) {
        tokenIds[t] = Math.toIntExact(seq[t]);
      }
      out.add(new TeacherScore.Tokens(tokenIds, encoding.exceedMaxLength()));
    }
    return out;
  }

  private float[] run(long[] ids, long[] mask, long[] types, int batch, int longest) {
    long[] shape = {batch, longest};
    Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    try {
      inputs.put(INPUT_IDS, OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
      inputs.put(ATTENTION_MASK, OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
      if (takesTokenTypeIds) {
        inputs.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(environment, LongBuffer.wrap(types), shape));
      }
      try (OrtSession.Result result = session.run(inputs, Set.of(outputName))) {
        OnnxValue value = result.get(outputName).orElseThrow(
            () -> new IllegalStateException("ONNX model returned no output '" + outputName + "'"));
        if (!(value instanceof OnnxTensor tensor) || tensor.getInfo().type != OnnxJavaType.FLOAT) {
          throw new IllegalStateException("ONNX model output '" + outputName + "' is " + value.getInfo()
              + ", expected float logits");
        }
        long[] outShape = tensor.getInfo().getShape();
        if (outShape.length != 2 || outShape[0] != batch || outShape[1] != labels.size()) {
          throw new IllegalStateException("ONNX model output '" + outputName + "' has shape " + Arrays.toString(outShape)
              + " for a batch of " + batch + "; expected [" + batch + ", " + labels.size() + "]");
        }
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] logits = new float[buffer.remaining()];
        buffer.get(logits);
        return logits;
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed on a batch of " + batch + " texts of up to " + longest
          + " tokens: " + e.getMessage(), e);
    } finally {
      for (OnnxTensor tensor : inputs.values()) {
        tensor.close();
      }
    }
  }

  /** Label names; index {@code i} names logit {@code i}. */
  public List<String> labels() {
    return labels;
  }

  /** Index of {@code label}, or -1. */
  public int labelIndex(String label) {
    return labels.indexOf(label);
  }

  public String labelSetId() {
    return labelSetId;
  }

  /** {@value #VERSION_PREFIX} plus a content hash; see the class comment. */
  public String version() {
    return version;
  }

  /** Whether the model declares a {@value #TOKEN_TYPE_IDS} input (and so receives one). */
  public boolean takesTokenTypeIds() {
    return takesTokenTypeIds;
  }

  public int maxLength() {
    return maxLength;
  }

  /** Releases the ONNX Runtime session and the native tokenizer; the shared environment stays. */
  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot close the ONNX Runtime session: " + e.getMessage(), e);
    } finally {
      tokenizer.close();
    }
  }
}
