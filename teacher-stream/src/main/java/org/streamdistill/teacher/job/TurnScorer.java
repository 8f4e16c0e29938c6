package org.streamdistill.teacher.job;

import java.io.Serializable;
import java.util.List;

/**
 * What the scoring operator needs of a teacher: logits for a batch of texts, plus the
 * identity of the labels they index. The seam between the Flink job and the model, so the
 * job can run the MiniLM teacher, another ONNX classifier, or a test scorer.
 */
public interface TurnScorer extends AutoCloseable {

  /** The teacher's answer for one text. */
  record Score(int[] tokenIds, boolean truncated, float[] logits) {}

  /** The teacher tokenizer's view of one text, without the teacher's verdict. */
  record Tokens(int[] tokenIds, boolean truncated) {}

  /** Scores a batch; the result has one entry per text, in order. */
  List<Score> score(List<String> texts) throws Exception;

  /**
   * The token ids (and truncation flags) {@link #score} would report for each text, in order,
   * without running the teacher: what a gold-only record of a skipped turn carries. The default
   * scores the texts and drops the logits, which is right but costs a teacher call; scorers that
   * can tokenize alone override it.
   */
  default List<Tokens> tokenize(List<String> texts) throws Exception {
    List<Score> scores = score(texts);
    List<Tokens> tokens = new java.util.ArrayList<>(scores.size());
    for (Score score : scores) {
      tokens.add(new Tokens(score.tokenIds(), score.truncated()));
    }
    return tokens;
  }

  /** The ordered label list the logits index. */
  List<String> labels();

  String version();

  float temperature();

  String labelSetId();

  /**
   * Opens a scorer inside a subtask. Travels with the job graph, so it holds only settings
   * (paths, thread counts), never a loaded model.
   */
  interface Factory extends Serializable {
    TurnScorer open() throws Exception;
  }
}
