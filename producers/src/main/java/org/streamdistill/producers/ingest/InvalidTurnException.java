package org.streamdistill.producers.ingest;

/**
 * A request the endpoint refuses with 400 (or 413 for an oversized body): names the field
 * that was wrong ({@code text}, {@code speaker}, {@code conversation_id}, {@code body}, ...)
 * and says what was expected.
 */
public final class InvalidTurnException extends Exception {

  private final String field;
  private final boolean tooLarge;

  public InvalidTurnException(String field, String message) {
    this(field, message, false);
  }

  private InvalidTurnException(String field, String message, boolean tooLarge) {
    super(message, null, false, false);
    this.field = field;
    this.tooLarge = tooLarge;
  }

  /** The body is larger than any valid turn could be (answered with 413). */
  public static InvalidTurnException bodyTooLarge(long limit) {
    return new InvalidTurnException("body", "request body is over " + limit + " bytes", true);
  }

  /** The JSON field (or {@code body}, {@code conversation_id}) the problem is in. */
  public String field() {
    return field;
  }

  public boolean tooLarge() {
    return tooLarge;
  }
}
