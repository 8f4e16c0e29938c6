package org.streamdistill.teacher.selection;

import java.util.List;

/**
 * Decides which turns of a window the teacher scores. A window is what the scoring operator
 * holds when it flushes (a micro-batch: up to {@code teacher.batch.max-size} turns or {@code
 * teacher.batch.max-wait-ms}). One instance per subtask: {@link BudgetPolicy} keeps state.
 */
public interface SelectionPolicy {

  /**
   * One decision per candidate, in order.
   *
   * @param nowMillis the processing time of the decision (the budget refills with it)
   */
  List<Selection> decide(List<Candidate> window, long nowMillis);

  /** Whether the policy reads the student's probabilities (when it does not, none are computed). */
  boolean needsStudent();

  /**
   * Whether the policy reads the student's probabilities of {@code candidate}, decided at {@code
   * nowMillis}: a turn it will skip whatever they say needs none, and the gate then does not ask
   * the student about it (under a peak, most turns are such).
   */
  default boolean needsStudentFor(Candidate candidate, long nowMillis) {
    return needsStudent();
  }
}
