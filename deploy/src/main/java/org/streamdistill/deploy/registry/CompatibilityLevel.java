package org.streamdistill.deploy.registry;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A subject's compatibility rule, with Confluent's names and meanings. BACKWARD: consumers
 * on the new schema can read data written with the latest earlier one; FORWARD: consumers
 * on the latest earlier schema can read data written with the new one; FULL: both.
 * {@code _TRANSITIVE} checks against every earlier version instead of only the latest.
 */
public enum CompatibilityLevel {
  NONE(false, false, false),
  BACKWARD(true, false, false),
  BACKWARD_TRANSITIVE(true, false, true),
  FORWARD(false, true, false),
  FORWARD_TRANSITIVE(false, true, true),
  FULL(true, true, false),
  FULL_TRANSITIVE(true, true, true);

  /** Confluent's default, and ours. */
  public static final CompatibilityLevel DEFAULT = BACKWARD;

  private final boolean newReadsOld;
  private final boolean oldReadsNew;
  private final boolean transitive;

  CompatibilityLevel(boolean newReadsOld, boolean oldReadsNew, boolean transitive) {
    this.newReadsOld = newReadsOld;
    this.oldReadsNew = oldReadsNew;
    this.transitive = transitive;
  }

  /** The new schema, as reader, must read the earlier ones as writers. */
  boolean newSchemaMustReadOld() {
    return newReadsOld;
  }

  /** The earlier schemas, as readers, must read the new one as writer. */
  boolean oldSchemasMustReadNew() {
    return oldReadsNew;
  }

  /** Checked against every earlier version, not only the latest. */
  boolean transitive() {
    return transitive;
  }

  /**
   * Parses a level name, case-insensitively.
   *
   * @throws RegistryError 42203 naming the allowed values
   */
  static CompatibilityLevel parse(String name) {
    if (name != null) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException ignored) {
        // falls through to the error below
      }
    }
    throw RegistryError.invalidCompatibilityLevel("Invalid compatibility level '" + name + "': use one of "
        + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
  }
}
