package org.streamdistill.producers.dataset;

import java.io.IOException;
import java.nio.file.Path;

/** A data file that cannot be read as turns; the message names the file, the line and what to fix. */
public final class InvalidDatasetException extends IOException {

  public InvalidDatasetException(Path file, long line, String message) {
    super(file.getFileName() + (line > 0 ? " line " + line : "") + ": " + message);
  }
}
