package org.streamdistill.deploy.registry;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;

/**
 * Decides whether a candidate schema may join a subject, with Avro's own resolution rules
 * ({@link SchemaCompatibility#checkReaderWriterCompatibility}), and explains every refusal:
 * which kind of incompatibility, where in the schema, and which version it clashes with.
 */
final class CompatibilityChecker {

  private CompatibilityChecker() {}

  /**
   * The reasons {@code candidate} breaks {@code level} against a subject's versions.
   *
   * @param previous the subject's versions, oldest first
   * @return an empty list when compatible
   */
  static List<String> check(CompatibilityLevel level, Schema candidate, List<RegistryState.SchemaVersion> previous) {
    if (level == CompatibilityLevel.NONE || previous.isEmpty()) {
      return List.of();
    }
    List<RegistryState.SchemaVersion> against = level.transitive()
        ? previous
        : List.of(previous.get(previous.size() - 1));
    List<String> problems = new ArrayList<>();
    for (RegistryState.SchemaVersion version : against) {
      problems.addAll(checkOne(level, candidate, version));
    }
    return problems;
  }

  /** The reasons {@code candidate} breaks the direction(s) of {@code level} against one version. */
  static List<String> checkOne(CompatibilityLevel level, Schema candidate, RegistryState.SchemaVersion version) {
    List<String> problems = new ArrayList<>();
    if (level.newSchemaMustReadOld()) {
      problems.addAll(describe(candidate, version.schema(),
          "the new schema cannot read data written with version " + version.version()));
    }
    if (level.oldSchemasMustReadNew()) {
      problems.addAll(describe(version.schema(), candidate,
          "version " + version.version() + " cannot read data written with the new schema"));
    }
    return problems;
  }

  private static List<String> describe(Schema reader, Schema writer, String direction) {
    var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
    if (result.getCompatibility() == SchemaCompatibilityType.COMPATIBLE) {
      return List.of();
    }
    List<String> problems = new ArrayList<>();
    for (Incompatibility incompatibility : result.getIncompatibilities()) {
      problems.add(direction + ": " + explain(incompatibility));
    }
    return problems;
  }

  private static String explain(Incompatibility incompatibility) {
    String where = incompatibility.getType() + " at " + incompatibility.getLocation() + ": ";
    if (incompatibility.getType() == SchemaIncompatibilityType.READER_FIELD_MISSING_DEFAULT_VALUE) {
      // Avro's message is only the field name.
      return where + "field '" + incompatibility.getMessage() + "' has no default value and is missing from the"
          + " writer schema (give it a default, e.g. make it optional with \"default\": null)";
    }
    return where + incompatibility.getMessage();
  }
}
