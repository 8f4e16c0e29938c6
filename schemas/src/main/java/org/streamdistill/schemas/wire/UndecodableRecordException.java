package org.streamdistill.schemas.wire;

/**
 * A record's bytes cannot be turned into the expected value: wrong magic byte, too short,
 * a schema id the registry does not know, or Avro data that does not match its schema.
 * Poison, not a failure of the reader: route the raw bytes to the dead-letter topic.
 */
public class UndecodableRecordException extends RuntimeException {
  public UndecodableRecordException(String message) {
    super(message);
  }

  public UndecodableRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
