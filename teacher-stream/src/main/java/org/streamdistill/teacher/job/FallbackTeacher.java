package org.streamdistill.teacher.job;

import java.io.Serializable;

/**
 * The teacher job's fallback teacher: a cheaper bundle that scores the turns the selection gate
 * keeps from the teacher ({@code teacher.fallback.*}, defined in {@link TeacherJobConfig}).
 *
 * @param bundle the bundle's directory; empty: no fallback
 * @param maxTurnsPerSecond turns per second the job may send to it, split evenly over the scoring
 *     subtasks ({@link org.streamdistill.teacher.selection.JobRate}); 0: no limit
 * @param intraOpThreads ONNX Runtime threads of its session(s) in each subtask
 */
public record FallbackTeacher(String bundle, double maxTurnsPerSecond, int intraOpThreads) implements Serializable {

  /** No fallback teacher: skipped turns go on gold-only, or produce nothing. */
  public static final FallbackTeacher NONE = new FallbackTeacher("", 0, 1);

  public FallbackTeacher {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("the fallback's ONNX threads must be >= 1, got " + intraOpThreads);
    }
    if (!(maxTurnsPerSecond >= 0) || Double.isInfinite(maxTurnsPerSecond)) {
      throw new IllegalArgumentException("the fallback's turns per second must be finite and >= 0, got "
          + maxTurnsPerSecond);
    }
  }

  public boolean present() {
    return !bundle.isEmpty();
  }

  /** One phrase for logs and summaries. */
  public String describe() {
    return !present() ? "none" : bundle + (maxTurnsPerSecond > 0 ? " (at most " + maxTurnsPerSecond
        + " turns/s)" : "");
  }
}
