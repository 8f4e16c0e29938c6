package org.streamdistill.teacher.job;

import java.nio.file.Path;
import org.streamdistill.teacher.model.BundledTeacher;

/**
 * The production scorer: the teacher described by a bundle written by {@code fit}, a single
 * encoder with its head (MiniLM fp32 or int8, ...) or an ensemble of them; the bundle's manifest
 * says which ({@link BundledTeacher#open}).
 */
public final class BundleTurnScorer {

  private BundleTurnScorer() {}

  /**
   * Opens the bundle at {@code bundleDir} in each subtask with {@code intraOpThreads} ONNX
   * Runtime threads (per encoder, for an ensemble); 0 means one per available processor of the task's JVM, worked out in the
   * subtask (the job graph may be built on another machine).
   */
  public static TurnScorer.Factory factory(String bundleDir, int intraOpThreads) {
    return () -> {
      BundledTeacher teacher = BundledTeacher.open(Path.of(bundleDir),
          intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors());
      return new ModelTurnScorer(teacher, teacher.temperature());
    };
  }
}
