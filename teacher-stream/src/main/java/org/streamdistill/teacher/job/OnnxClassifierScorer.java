package org.streamdistill.teacher.job;

import java.nio.file.Path;
import org.streamdistill.teacher.model.OnnxClassifier;

/**
 * Scores turns with a teacher brought by the user: an ONNX sequence classifier with its
 * Hugging Face {@code tokenizer.json} and label list ({@link OnnxClassifier}), at the temperature
 * the job configures ({@code teacher.kind=onnx-classifier}).
 */
public final class OnnxClassifierScorer {

  private OnnxClassifierScorer() {}

  /**
   * Opens the classifier in each subtask with {@code intraOpThreads} ONNX Runtime threads; 0 means
   * one per available processor of the task's JVM.
   */
  public static TurnScorer.Factory factory(String model, String tokenizer, String labels, int maxLength,
      double temperature, int intraOpThreads) {
    return () -> new ModelTurnScorer(OnnxClassifier.open(Path.of(model), Path.of(tokenizer), Path.of(labels),
        maxLength, temperature, intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors()),
        temperature);
  }
}
