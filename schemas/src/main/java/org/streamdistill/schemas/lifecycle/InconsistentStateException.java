package org.streamdistill.schemas.lifecycle;

/**
 * A stage's stored state contradicts itself (committed offsets that no checkpoint explains, a
 * checkpoint from another model line): starting again would meet the same contradiction, so a
 * supervisor stops rather than restarts. The message says what to do.
 */
public class InconsistentStateException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  public InconsistentStateException(String message) {
    super(message);
  }

  public InconsistentStateException(String message, Throwable cause) {
    super(message, cause);
  }
}
