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
}
