package org.streamdistill.student.training;

/** A decodable promotion event that names no version this trainer could ever hold. */
final class InvalidPromotionException extends RuntimeException {
  InvalidPromotionException(String message) {
    super(message);
  }
}
