package org.streamdistill.schemas.registry;

/**
 * A schema-registry request failed. {@link #status()} is the HTTP status (0 when the
 * registry could not be reached) and {@link #errorCode()} Confluent's error code.
 */
public class SchemaRegistryException extends RuntimeException {
  private final int status;
  private final int errorCode;
  private final boolean tlsFailure;

  public SchemaRegistryException(int status, int errorCode, String message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.tlsFailure = false;
  }

  public SchemaRegistryException(String message, Throwable cause) {
    this(message, cause, false);
  }

  private SchemaRegistryException(String message, Throwable cause, boolean tlsFailure) {
    super(message, cause);
    this.status = 0;
    this.errorCode = 0;
    this.tlsFailure = tlsFailure;
  }

  /** No answer because the TLS handshake failed on certificates: settings to fix, not an outage. */
  public static SchemaRegistryException tlsFailure(String message, Throwable cause) {
    return new SchemaRegistryException(message, cause, true);
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

  /** The registry refused the credentials (401) or the user's permission (403). */
  public boolean isAuthorizationFailure() {
    return status == 401 || status == 403;
  }

  /** The TLS handshake failed on certificates (untrusted, wrong host, client certificate refused). */
  public boolean isTlsFailure() {
    return tlsFailure;
  }

  /** The schema is incompatible with the subject's earlier versions. */
  public boolean isIncompatible() {
    return status == 409;
  }
}
