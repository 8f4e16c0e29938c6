package org.streamdistill.teacher.model;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A teacher bundle directory exists but cannot be used: a file is missing, malformed or does
 * not match the manifest. The message names the file and what is wrong with it.
 */
public final class InvalidBundleException extends IOException {

  private static final long serialVersionUID = 1L;

  public InvalidBundleException(Path file, String problem) {
    super(file + ": " + problem);
  }

  public InvalidBundleException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }
}
