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

  /** Scores a batch; the result has one entry per text, in order. */
  List<Score> score(List<String> texts) throws Exception;

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
