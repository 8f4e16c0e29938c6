package org.streamdistill.deploy.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The record format of the registry's Kafka topic ({@code _schemas}), close to Confluent's:
 * keys and values are UTF-8 JSON strings.
 *
 * <pre>
 * schema version  key   {"keytype":"SCHEMA","subject":"dialogue.turns-value","version":2,"id":7,"sha256":"9f86d0..."}
 *                 value {"subject":"dialogue.turns-value","version":2,"id":7,"schema":"{\"type\":\"record\",...}"}
 * compatibility   key   {"keytype":"CONFIG","subject":null}           (null: the global level)
 *                 value {"compatibilityLevel":"FULL"}                 (null value: subject level removed)
 * </pre>
 *
 * <p>Unlike Confluent's, a schema key names the id and the schema's SHA-256 as well as the
 * subject and version. Two registries that race for the same version write two different
 * keys, so compaction keeps both records in offset order and every reader, now or after a
 * restart, lets the first one win (see {@link RegistryState#applySchema}). Records with an
 * unknown {@code keytype} are skipped, so newer record kinds do not stop older readers.
 */
final class SchemaLogRecords {

  static final String KEYTYPE_SCHEMA = "SCHEMA";
  static final String KEYTYPE_CONFIG = "CONFIG";

  private static final ObjectMapper JSON = new ObjectMapper();

  private SchemaLogRecords() {}

  /** A decoded record of the log. */
  sealed interface Entry permits SchemaEntry, ConfigEntry {}

  /** A version of a subject: {@code schema} is the canonical JSON ({@code Schema.toString()}). */
  record SchemaEntry(String subject, int version, int id, String schema) implements Entry {}

  /** A compatibility level; {@code subject} empty for the global one, {@code level} empty when removed. */
  record ConfigEntry(Optional<String> subject, Optional<CompatibilityLevel> level) implements Entry {}

  static String key(SchemaEntry entry) {
    ObjectNode key = JSON.createObjectNode()
        .put("keytype", KEYTYPE_SCHEMA)
        .put("subject", entry.subject())
        .put("version", entry.version())
        .put("id", entry.id())
        .put("sha256", sha256(entry.schema()));
    return key.toString();
  }

  static String value(SchemaEntry entry) {
    return JSON.createObjectNode()
        .put("subject", entry.subject())
        .put("version", entry.version())
        .put("id", entry.id())
        .put("schema", entry.schema())
        .toString();
  }

  static String key(ConfigEntry entry) {
    ObjectNode key = JSON.createObjectNode().put("keytype", KEYTYPE_CONFIG);
    if (entry.subject().isPresent()) {
      key.put("subject", entry.subject().get());
    } else {
      key.putNull("subject");
    }
    return key.toString();
  }

  /** The value, or null (a tombstone) when the subject-level setting is removed. */
  static String value(ConfigEntry entry) {
    return entry.level()
        .map(level -> JSON.createObjectNode().put("compatibilityLevel", level.name()).toString())
        .orElse(null);
  }

  /**
   * Decodes one record.
   *
   * @return empty for a record kind this version does not know
   * @throws IllegalArgumentException when the record is not in this format
   */
  static Optional<Entry> decode(String key, String value) {
    JsonNode keyJson = parse(key, "key");
    String keytype = keyJson.path("keytype").asText("");
    switch (keytype) {
      case KEYTYPE_SCHEMA: {
        if (value == null) {
          return Optional.empty(); // schema versions are never deleted; ignore a stray tombstone
        }
        JsonNode v = parse(value, "value");
        if (!v.hasNonNull("subject") || !v.path("version").canConvertToInt() || !v.path("id").canConvertToInt()
            || !v.hasNonNull("schema")) {
          throw new IllegalArgumentException("schema record lacks subject, version, id or schema: " + value);
        }
        return Optional.of(new SchemaEntry(v.get("subject").asText(), v.get("version").asInt(), v.get("id").asInt(),
            v.get("schema").asText()));
      }
      case KEYTYPE_CONFIG: {
        JsonNode subject = keyJson.path("subject");
        Optional<String> subjectName = subject.isTextual() ? Optional.of(subject.asText()) : Optional.empty();
        if (value == null) {
          return Optional.of(new ConfigEntry(subjectName, Optional.empty()));
        }
        String level = parse(value, "value").path("compatibilityLevel").asText(null);
        return Optional.of(new ConfigEntry(subjectName, Optional.of(CompatibilityLevel.parse(level))));
      }
      default:
        return Optional.empty();
    }
  }

  private static JsonNode parse(String json, String what) {
    if (json == null) {
      throw new IllegalArgumentException("record " + what + " is null");
    }
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("record " + what + " is not JSON: " + e.getMessage(), e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e); // every JVM must provide it
    }
  }
}
