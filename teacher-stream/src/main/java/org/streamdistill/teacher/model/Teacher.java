package org.streamdistill.teacher.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The teacher model: MiniLM sentence embeddings followed by the fitted softmax head of a
 * {@link TeacherBundle}. It consumes chat-turn texts and produces, per text, the token ids it
 * saw, the label logits and the top label; soft labels are {@code softmax(logits / T)} with the
 * bundle's {@link #temperature()}.
 *
 * <p>Owns its {@link MiniLmEncoder} (an ONNX Runtime session and a native tokenizer) and
 * releases it in {@link #close()}. Not thread-safe: open one per Flink subtask, in
 * {@code open()}, and close it in {@code close()}.
 */
public final class Teacher implements BundledTeacher {

  private final TeacherBundle bundle;
  private final MiniLmEncoder encoder;

  /**
   * Combines a bundle with an open encoder, taking ownership of the encoder.
   *
   * @throws IllegalArgumentException if the bundle was fitted on a different encoder
   */
  public Teacher(TeacherBundle bundle, MiniLmEncoder encoder) {
    if (bundle.encoder() != encoder.id()) {
      throw new IllegalArgumentException("bundle " + bundle.teacherVersion() + " was fitted on encoder "
          + bundle.encoder().id() + " but the encoder given is " + encoder.id().id());
    }
    this.bundle = bundle;
    this.encoder = encoder;
  }

  /**
   * Loads the bundle in {@code bundleDir} and opens its encoder from the class path.
   *
   * @param intraOpThreads ONNX Runtime compute threads for this teacher (at least 1)
   * @throws InvalidBundleException if the bundle is missing or malformed (the message says how)
   */
  public static Teacher open(Path bundleDir, int intraOpThreads) throws IOException {
    TeacherBundle bundle = TeacherBundle.load(bundleDir);
    return new Teacher(bundle, new MiniLmEncoder(bundle.encoder(), intraOpThreads));
  }

  /**
   * Scores a batch of texts: tokenizes them all, embeds them in one ONNX Runtime call and
   * applies the head. The call is padded to the batch's longest text, so one long text makes
   * every text in the batch pay for its length; batches of 16-64 texts work well on a CPU.
   *
   * @return one score per text, in order
   * @throws IllegalArgumentException if a text is null
   */
  public List<TeacherScore> score(List<String> texts) {
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i) == null) {
        throw new IllegalArgumentException("text " + i + " of the batch is null");
      }
    }
    List<MiniLmEncoder.Tokenized> tokenized = encoder.tokenize(texts);
    List<int[]> ids = new ArrayList<>(tokenized.size());
    for (MiniLmEncoder.Tokenized t : tokenized) {
      ids.add(t.ids());
    }
    float[][] logits = logits(ids);
    List<TeacherScore> scores = new ArrayList<>(texts.size());
    for (int i = 0; i < logits.length; i++) {
      scores.add(new TeacherScore(ids.get(i), tokenized.get(i).truncated(), logits[i], SoftmaxHead.argMax(logits[i])));
    }
    return scores;
  }

  /** The head's logits for already tokenized texts (one encoder call): what an ensemble asks of a member. */
  float[][] logits(List<int[]> ids) {
    float[][] embeddings = encoder.embed(ids);
    SoftmaxHead head = bundle.head();
    float[][] logits = new float[embeddings.length][];
    for (int i = 0; i < embeddings.length; i++) {
      logits[i] = head.logits(embeddings[i]);
    }
    return logits;
  }

  /** The encoder this teacher owns. */
  MiniLmEncoder encoder() {
    return encoder;
  }

  /** Index of {@code label} in {@link #labels()}, or -1 if the teacher does not know it. */
  public int labelIndex(String label) {
    return bundle.labelIndex(label);
  }

  /** Label names; index {@code i} names logit {@code i}. */
  public List<String> labels() {
    return bundle.labels();
  }

  /** The distillation temperature of the bundle. */
  @Override
  public double temperature() {
    return bundle.temperature();
  }

  /** The bundle's teacher version, to stamp on every soft label. */
  public String version() {
    return bundle.teacherVersion();
  }

  /** Identifies the label set; consumers check it before trusting label indices. */
  public String labelSetId() {
    return bundle.labelSetId();
  }

  public TeacherBundle bundle() {
    return bundle;
  }

  /** The ids {@link #score} would report, from the encoder's tokenizer alone (no model run). */
  @Override
  public List<TeacherScore.Tokens> tokenize(List<String> texts) {
    List<TeacherScore.Tokens> out = new ArrayList<>(texts.size());
    for (MiniLmEncoder.Tokenized t : encoder.tokenize(texts)) {
      out.add(new TeacherScore.Tokens(t.ids(), t.truncated()));
    }
    return out;
  }

  /** The encoder's tokenizer, for callers that need token ids without scoring. */
  @Override
  public MiniLmEncoder.Tokenized tokenize(String text) {
    return encoder.tokenize(text);
  }

  @Override
  public void close() {
    encoder.close();
  }
}
