package org.streamdistill.student.optim;

/**
 * A multiplier of the base learning rate as a function of the optimizer's step count (1 for the
 * first step). Pure: the same step always gives the same factor, so a run resumed from a
 * checkpoint (which restores the step count) continues on the same schedule.
 */
@FunctionalInterface
public interface LearningRateSchedule {

  /** The base learning rate at every step. */
  LearningRateSchedule CONSTANT = step -> 1.0;

  /** Factor for step {@code step} (>= 1); must be finite and >= 0. */
  double factor(long step);
}
