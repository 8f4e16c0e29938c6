package org.streamdistill.schemas.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * A string setting that must hold a visible character. Kafka's {@code NonEmptyString} lets
 * {@code "  "} through; this one does not, and --help says "not empty" instead of a lambda's name.
 */
public final class NotBlank implements ConfigDef.Validator {

  public static final NotBlank INSTANCE = new NotBlank();

  private NotBlank() {}

  @Override
  public void ensureValid(String name, Object value) {
    if (value == null || value.toString().isBlank()) {
      throw new ConfigException(name, value, "must not be empty");
    }
  }

  @Override
  public String toString() {
    return "not empty";
  }
}
