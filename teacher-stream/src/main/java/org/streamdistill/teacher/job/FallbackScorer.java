package org.streamdistill.teacher.job;

import java.util.ArrayList;
import java.util.List;

/**
 * The fallback teacher as the scoring operator asks it: its logits, with the token ids of the
 * job's teacher tokenizer and the teacher's label-set id, so that the student sees one tokenizer's ids whichever teacher scored a
 * turn. Owns the fallback scorer; the teacher's is only borrowed for its tokenizer.
 */
final class FallbackScorer implements TurnScorer {

  private final TurnScorer teacher;
  private final TurnScorer fallback;

  private FallbackScorer(TurnScorer teacher, TurnScorer fallback) {
    this.teacher = teacher;
    this.fallback = fallback;
  }

  /**
   * Wraps {@code fallback}, checked to index the same labels as {@code teacher}.
   *
   * @throws IllegalArgumentException naming both teachers when their labels differ (closes {@code fallback})
   */
  static FallbackScorer of(TurnScorer teacher, TurnScorer fallback) {
    if (!fallback.labels().equals(teacher.labels())) {
      String message = "fallback teacher " + fallback.version() + " has other labels than teacher "
          + teacher.version() + " (label sets " + fallback.labelSetId() + " and " + teacher.labelSetId() + ", "
          + fallback.labels().size() + " and " + teacher.labels().size() + " labels): fit it on the same data";
      try {
        fallback.close();
      } catch (Exception e) {
        IllegalArgumentException error = new IllegalArgumentException(message);
        error.addSuppressed(e);
        throw error;
      }
      throw new IllegalArgumentException(message);
    }
    return new FallbackScorer(teacher, fallback);
  }

  @Override
  public List<Score> score(List<String> texts) throws Exception {
    List<Score> scores = fallback.score(texts);
    if (scores == null || scores.size() != texts.size()) {
      // The operator's own check names the broken fallback; hand it what came back.
      return scores;
    }
    List<Tokens> tokens = teacher.tokenize(texts);
    if (tokens == null || tokens.size() != texts.size()) {
      // Never the fallback's own ids in their place: the student must see one tokenizer's ids.
      throw new IllegalStateException("teacher " + teacher.version() + " returned "
          + (tokens == null ? "no" : tokens.size()) + " tokenizations for a batch of " + texts.size() + " texts");
    }
    List<Score> out = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      Tokens t = tokens.get(i);
      out.add(new Score(t.tokenIds(), t.truncated(), scores.get(i).logits()));
    }
    return out;
  }

  @Override
  public List<Tokens> tokenize(List<String> texts) throws Exception {
    return teacher.tokenize(texts);
  }

  @Override
  public List<String> labels() {
    return fallback.labels();
  }

  @Override
  public String version() {
    return fallback.version();
  }

  @Override
  public float temperature() {
    return fallback.temperature();
  }

  /**
   * The teacher's: {@link #of} checked that both index the same labels, and a student shaped by the
   * teacher's labels refuses a record of another label set (an ONNX classifier teacher names its
   * label set in its own way).
   */
  @Override
  public String labelSetId() {
    return teacher.labelSetId();
  }

  @Override
  public void close() throws Exception {
    fallback.close();
  }
}
