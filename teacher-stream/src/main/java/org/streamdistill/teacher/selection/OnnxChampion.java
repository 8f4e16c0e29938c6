package org.streamdistill.teacher.selection;

import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.streamdistill.teacher.model.EncoderId;

/**
 * A student export written by the trainer, loaded in ONNX Runtime: texts are tokenized with
 * all-MiniLM-L6-v2's WordPiece tokenizer (the student's vocabulary), prepared by the file's own
 * input contract ({@link StudentInput}) and run through the graph's {@code token_ids ->
 * probabilities}. Rows of one length run together: the graph pools over every position, so a
 * row padded beyond its contract would change its answer.
 *
 * <p>Owns one ONNX Runtime session (one thread) and one native tokenizer; {@link #close()}
 * releases both. Not thread-safe: one per subtask.
 */
public final class OnnxChampion implements ChampionStudent {

  static final String INPUT = "token_ids";
  static final String OUTPUT = "probabilities";
  static final String MODEL_VERSION = "streamdistill.model_version";

  private final OrtEnvironment environment;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final StudentInput input;
  private final String version;

  private OnnxChampion(OrtEnvironment environment, OrtSession session, HuggingFaceTokenizer tokenizer,
                       StudentInput input, String version) {
    this.environment = environment;
    this.session = session;
    this.tokenizer = tokenizer;
    this.input = input;
    this.version = version;
  }

  /**
   * Loads the export at {@code file}.
   *
   * @throws IOException if the file cannot be loaded or lacks the exporter's metadata (the
   *     message says which)
   */
  public static OnnxChampion open(Path file) throws IOException {
    // One OrtEnvironment per process, created by DJL's engine first (see OnnxClassifier).
    Engine.getEngine("OnnxRuntime");
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    OrtSession session = null;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      session = environment.createSession(file.toString(), options);
      Map<String, String> metadata = session.getMetadata().getCustomMetadata();
      String version = metadata.get(MODEL_VERSION);
      if (version == null || !session.getInputNames().contains(INPUT) || !session.getOutputNames().contains(OUTPUT)) {
        throw new IOException(file + " is not a student export: it needs input " + INPUT + ", output " + OUTPUT
            + " and metadata " + MODEL_VERSION);
      }
      StudentInput input = StudentInput.fromMetadata(metadata);
      return new OnnxChampion(environment, session, tokenizer(), input, version);
    } catch (OrtException | IllegalArgumentException e) {
      closeQuietly(session);
      throw new IOException("cannot load student export " + file + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      closeQuietly(session);
      throw e;
    }
  }

  private static HuggingFaceTokenizer tokenizer() throws IOException {
    String resource = EncoderId.ALL_MINILM_L6_V2.tokenizerResource();
    try (InputStream in = OnnxChampion.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("class-path resource " + resource + " not found");
      }
      return HuggingFaceTokenizer.newInstance(in, Map.of("padding", "false", "truncation", "true",
          "maxLength", "128", "addSpecialTokens", "true"));
    }
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public float[][] probabilities(List<String> texts) throws OrtException {
    float[][] out = new float[texts.size()][];
    if (texts.isEmpty()) {
      return out;
    }
    Encoding[] encodings = tokenizer.batchEncode(texts);
    Map<Integer, List<Integer>> byLength = new TreeMap<>();
    long[][] rows = new long[texts.size()][];
    for (int i = 0; i < encodings.length; i++) {
      long[] ids = encodings[i].getIds();
      int[] raw = new int[ids.length];
      for (int t = 0; t < ids.length; t++) {
        raw[t] = (int) ids[t];
      }
      rows[i] = input.prepare(raw);
      byLength.computeIfAbsent(rows[i].length, k -> new ArrayList<>()).add(i);
    }
    for (Map.Entry<Integer, List<Integer>> group : byLength.entrySet()) {
      int length = group.getKey();
      List<Integer> members = group.getValue();
      long[] flat = new long[members.size() * length];
      for (int m = 0; m < members.size(); m++) {
        System.arraycopy(rows[members.get(m)], 0, flat, m * length, length);
      }
      float[] probabilities = run(flat, members.size(), length);
      int classes = probabilities.length / members.size();
      for (int m = 0; m < members.size(); m++) {
        float[] row = new float[classes];
        System.arraycopy(probabilities, m * classes, row, 0, classes);
        out[members.get(m)] = row;
      }
    }
    return out;
  }

  private float[] run(long[] flat, int batch, int length) throws OrtException {
    try (OnnxTensor ids = OnnxTensor.createTensor(environment, LongBuffer.wrap(flat), new long[] {batch, length});
         OrtSession.Result result = session.run(Map.of(INPUT, ids), Set.of(OUTPUT))) {
      OnnxValue value = result.get(OUTPUT).orElseThrow();
      FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
      float[] probabilities = new float[buffer.remaining()];
      buffer.get(probabilities);
      return probabilities;
    }
  }

  private static void closeQuietly(OrtSession session) {
    if (session != null) {
      try {
        session.close();
      } catch (OrtException ignored) {
        // already failing: the first error is the one to report
      }
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot close the ONNX Runtime session of " + version + ": " + e.getMessage(), e);
    } finally {
      tokenizer.close();
    }
  }
}
