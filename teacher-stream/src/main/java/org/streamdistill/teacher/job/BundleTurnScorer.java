package org.streamdistill.teacher.job;

import java.nio.file.Path;
import org.streamdistill.teacher.model.Teacher;

/** The production scorer: the MiniLM teacher described by a bundle written by {@code fit}. */
public final class BundleTurnScorer {

  private BundleTurnScorer() {}

  /**
   * Opens the bundle at {@code bundleDir} in each subtask with {@code intraOpThreads} ONNX
   * Runtime threads; 0 means one per available processor of the task's JVM, worked out in the
   * subtask (the job graph may be built on another machine).
   */
  public static TurnScorer.Factory factory(String bundleDir, int intraOpThreads) {
    return () -> {
      Teacher teacher = Teacher.open(Path.of(bundleDir),
          intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors());
      return new ModelTurnScorer(teacher, teacher.temperature());
    };
  }
}
