package org.streamdistill.student.optim;

import java.util.List;

/**
 * Consumes the gradients a model left in its {@link Parameter}s and updates their values in
 * place. Implementations keep their own per-parameter state, keyed by parameter name.
 */
public interface Optimizer {

  /**
   * Applies one update to every parameter from its current gradient and marks each updated
   * parameter modified. The gradients themselves are left as they are.
   */
  void step(List<Parameter> parameters);

  /** Number of {@link #step} calls so far (restored from a checkpoint when resuming). */
  long stepCount();
}
