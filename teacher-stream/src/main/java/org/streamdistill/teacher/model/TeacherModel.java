package org.streamdistill.teacher.model;

import java.util.List;

/**
 * What every teacher model offers the job: logits for a batch of texts and the identity of
 * the labels they index. Implemented by the MiniLM bundle teacher ({@link Teacher}) and by a
 * user's ONNX classifier ({@link OnnxClassifier}), so the job adapts both the same way.
 */
public interface TeacherModel extends AutoCloseable {

  /** One score per text, in order. */
  List<TeacherScore> score(List<String> texts);

  /**
   * The token ids and truncation flag {@link #score} would report for each text, in order,
   * without running the model. The default scores the texts (right, at a model run's cost);
   * a teacher whose tokenizer runs alone overrides it.
   */
  default List<TeacherScore.Tokens> tokenize(List<String> texts) {
    return score(texts).stream().map(s -> new TeacherScore.Tokens(s.tokenIds(), s.truncated())).toList();
  }

  /** The ordered label list the logits index. */
  List<String> labels();

  String version();

  String labelSetId();

  @Override
  void close();
}
