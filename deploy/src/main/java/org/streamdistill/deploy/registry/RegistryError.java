package org.streamdistill.deploy.registry;

/**
 * A request the registry refuses, with the HTTP status and Confluent error code the REST
 * layer answers with ({@code {"error_code": ..., "message": ...}}).
 */
final class RegistryError extends RuntimeException {

  static final int SUBJECT_NOT_FOUND = 40401;
  static final int VERSION_NOT_FOUND = 40402;
  static final int SCHEMA_NOT_FOUND = 40403;
  static final int SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED = 40408;
  static final int INCOMPATIBLE_SCHEMA = 409;
  static final int INVALID_SCHEMA = 42201;
  static final int INVALID_VERSION = 42202;
  static final int INVALID_COMPATIBILITY_LEVEL = 42203;
  static final int STORE_ERROR = 50001;
  static final int OPERATION_TIMEOUT = 50002;

  private final int status;
  private final int errorCode;

  RegistryError(int status, int errorCode, String message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  RegistryError(int status, int errorCode, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.errorCode = errorCode;
  }

  int status() {
    return status;
  }

  int errorCode() {
    return errorCode;
  }

  static RegistryError subjectNotFound(String subject) {
    return new RegistryError(404, SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
  }

  static RegistryError versionNotFound(String subject, int version) {
    return new RegistryError(404, VERSION_NOT_FOUND, "Version " + version + " not found for subject '" + subject + "'.");
  }

  static RegistryError schemaNotFound(String message) {
    return new RegistryError(404, SCHEMA_NOT_FOUND, message);
  }

  static RegistryError subjectCompatibilityNotConfigured(String subject) {
    return new RegistryError(404, SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED, "Subject '" + subject
        + "' does not have subject-level compatibility configured (add ?defaultToGlobal=true for the global level)");
  }

  static RegistryError incompatible(String message) {
    return new RegistryError(409, INCOMPATIBLE_SCHEMA, message);
  }

  static RegistryError invalidSchema(String message) {
    return new RegistryError(422, INVALID_SCHEMA, message);
  }

  static RegistryError invalidVersion(String version) {
    return new RegistryError(422, INVALID_VERSION, "The specified version '" + version + "' is not a valid version id."
        + " Allowed values are between [1, 2^31-1] and the string \"latest\"");
  }

  static RegistryError invalidCompatibilityLevel(String message) {
    return new RegistryError(422, INVALID_COMPATIBILITY_LEVEL, message);
  }

  static RegistryError storeError(String message, Throwable cause) {
    return new RegistryError(500, STORE_ERROR, message, cause);
  }

  static RegistryError timeout(String message) {
    return new RegistryError(500, OPERATION_TIMEOUT, message);
  }
}
