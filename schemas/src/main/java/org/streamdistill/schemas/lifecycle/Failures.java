package org.streamdistill.schemas.lifecycle;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.streamdistill.schemas.wire.DeadLetterBudget;

/**
 * Sorts a stage's failures into those a restart can fix (the broker or registry away, a
 * timeout, a leader move) and those it cannot, in which the cause is not the moment but the
 * setup: another instance took over ({@code transactional.id} fenced), the input is poison as a
 * whole (dead-letter rate exceeded), a bad setting, credentials or permissions refused, stored
 * state that contradicts itself. Restarting those would only repeat the failure, so
 * supervisors stop and show the message instead.
 */
public final class Failures {

  private Failures() {}

  /** Whether {@code failure}, or one of its causes, is one that starting the stage again cannot fix. */
  public static boolean restartCannotFix(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ProducerFencedException
          || t instanceof InvalidProducerEpochException
          || t instanceof FencedInstanceIdException
          || t instanceof DeadLetterBudget.DeadLetterRateExceededException
          || t instanceof ConfigException
          || t instanceof AuthenticationException
          || t instanceof AuthorizationException
          || t instanceof UnsupportedVersionException
          || t instanceof InconsistentStateException) {
        return true;
      }
    }
    return false;
  }
}
