package org.streamdistill.student.optim;

/**
 * The base learning rate for the first {@code constantSteps} steps, then decaying as the inverse
 * square root of the step count: {@code factor(t) = min(1, sqrt(constantSteps / t))}. It needs no
 * end of training (an online student has none): the rate halves by 4 x {@code constantSteps},
 * quarters by 16 x, and never reaches zero, so the student keeps following a drifting stream,
 * only with smaller steps as evidence accumulates. {@code constantSteps = 0} means no decay.
 *
 * @param constantSteps steps at the full rate, >= 0
 */
public record InverseSqrtDecay(long constantSteps) implements LearningRateSchedule {

  public InverseSqrtDecay {
    if (constantSteps < 0) {
      throw new IllegalArgumentException("constantSteps must be >= 0 (0 = no decay), got " + constantSteps);
    }
  }

  @Override
  public double factor(long step) {
    if (constantSteps == 0 || step <= constantSteps) {
      return 1.0;
    }
    return Math.sqrt((double) constantSteps / step);
  }
}
