package org.streamdistill.teacher.job;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.streamdistill.teacher.model.OnnxClassifier;
import org.streamdistill.teacher.model.TeacherScore;

/**
 * Scores turns with a teacher brought by the user: an ONNX sequence classifier with its
 * Hugging Face {@code tokenizer.json} and label list ({@link OnnxClassifier}), at the temperature
 * the job configures ({@code teacher.kind=onnx-classifier}).
 */
public final class OnnxClassifierScorer implements TurnScorer {

  private final OnnxClassifier classifier;
  private final float temperature;

  /** Takes ownership of {@code classifier}. */
  public OnnxClassifierScorer(OnnxClassifier classifier, double temperature) {
    this.classifier = classifier;
    this.temperature = (float) temperature;
  }

  /**
   * Opens the classifier in each subtask with {@code intraOpThreads} ONNX Runtime threads; 0 means
   * one per available processor of the task's JVM.
   */
  public static TurnScorer.Factory factory(String model, String tokenizer, String labels, int maxLength,
      double temperature, int intraOpThreads) {
    return () -> new OnnxClassifierScorer(OnnxClassifier.open(Path.of(model), Path.of(tokenizer), Path.of(labels),
        maxLength, temperature, intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors()),
        temperature);
  }

  @Override
  public List<Score> score(List<String> texts) {
    List<TeacherScore> scores = classifier.score(texts);
    List<Score> out = new ArrayList<>(scores.size());
    for (TeacherScore s : scores) {
      out.add(new Score(s.tokenIds(), s.truncated(), s.logits()));
    }
    return out;
  }

  @Override
  public List<String> labels() {
    return classifier.labels();
  }

  @Override
  public String version() {
    return classifier.version();
  }

  @Override
  public float temperature() {
    return temperature;
  }

  @Override
  public String labelSetId() {
    return classifier.labelSetId();
  }

  @Override
  public void close() {
    classifier.close();
  }
}
