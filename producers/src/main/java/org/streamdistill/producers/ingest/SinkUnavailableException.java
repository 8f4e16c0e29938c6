package org.streamdistill.producers.ingest;

/** The sink cannot take a turn now (answered with 503): too many waiting, or Kafka unreachable. */
public final class SinkUnavailableException extends Exception {

  public SinkUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
