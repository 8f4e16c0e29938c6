package org.streamdistill.evaluator.lag;

/**
 * A lag sample could not be taken: the cluster did not answer in time or refused a request.
 * Usually retriable: the monitor logs it and samples again at the next interval.
 */
public class LagSamplingException extends RuntimeException {

  public LagSamplingException(String message, Throwable cause) {
    super(message, cause);
  }
}
