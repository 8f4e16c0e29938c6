package org.streamdistill.student.checkpoint;

import java.io.IOException;

/**
 * A checkpoint could not be used: it is truncated, fails its checksum, is not a student
 * checkpoint, has an unsupported format version, or describes an inconsistent model. The
 * message names the file (when there is one) and the reason; the remedy is to fall back to an
 * older checkpoint.
 */
public final class CorruptCheckpointException extends IOException {

  private static final long serialVersionUID = 1L;

  public CorruptCheckpointException(String message) {
    super(message);
  }

  public CorruptCheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
