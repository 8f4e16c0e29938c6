package org.streamdistill.teacher.fit;

/** A command line the user got wrong; the message names the flag and the offending value. */
public final class UsageException extends Exception {

  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
