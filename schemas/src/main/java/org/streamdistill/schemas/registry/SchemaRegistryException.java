package org.streamdistill.schemas.registry;

/**
 * A schema-registry request failed. {@link #status()} is the HTTP status (0 when the
 * registry could not be reached) and {@link #errorCode()} Confluent's error code.
 */
public class SchemaRegistryException extends RuntimeException {
  private final int status;
  private final int errorCode;

  public SchemaRegistryException(int status, int errorCode, String message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  public SchemaRegistryException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
    this.errorCode = 0;
  }

  public int status() {
    return status;
  }

  public int errorCode() {
    return errorCode;
  }

  /** The subject, version or schema id does not exist. */
  public boolean isNotFound() {
    return status == 404;
  }

  /** The schema is incompatible with the subject's earlier versions. */
  public boolean isIncompatible() {
    return status == 409;
  }
}
