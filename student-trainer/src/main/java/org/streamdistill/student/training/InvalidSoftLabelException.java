package org.streamdistill.student.training;

/** A decodable soft label the student must not learn from: wrong label set, bad shape. */
final class InvalidSoftLabelException extends RuntimeException {
  InvalidSoftLabelException(String message) {
    super(message);
  }
}
