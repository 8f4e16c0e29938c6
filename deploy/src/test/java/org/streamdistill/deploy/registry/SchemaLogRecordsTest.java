package org.streamdistill.deploy.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.streamdistill.deploy.registry.SchemaLogRecords.ConfigEntry;
import org.streamdistill.deploy.registry.SchemaLogRecords.SchemaEntry;

class SchemaLogRecordsTest {

  private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"A\",\"fields\":[]}";

  @Test
  void shouldWriteSchemaVersionsAsDocumentedJsonAndReadThemBack() {
    // Given a schema version
    SchemaEntry entry = new SchemaEntry("turns-value", 2, 7, SCHEMA);

    // When it is encoded
    String key = SchemaLogRecords.key(entry);
    String value = SchemaLogRecords.value(entry);

    // Then key and value are the documented JSON, and decode back to the same entry
    assertThat(key).matches("\\{\"keytype\":\"SCHEMA\",\"subject\":\"turns-value\",\"version\":2,\"id\":7,"
        + "\"sha256\":\"[0-9a-f]{64}\"}");
    assertThat(value).isEqualTo("{\"subject\":\"turns-value\",\"version\":2,\"id\":7,\"schema\":"
        + "\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"A\\\",\\\"fields\\\":[]}\"}");
    assertThat(SchemaLogRecords.decode(key, value)).contains(entry);
  }

  @Test
  void shouldWriteGlobalAndSubjectLevelsAndTombstonesAndReadThemBack() {
    // Given a global level, a subject level and a removed subject level
    ConfigEntry global = new ConfigEntry(Optional.empty(), Optional.of(CompatibilityLevel.FULL));
    ConfigEntry subject = new ConfigEntry(Optional.of("s"), Optional.of(CompatibilityLevel.NONE));
    ConfigEntry removed = new ConfigEntry(Optional.of("s"), Optional.empty());

    // When they are encoded
    // Then they are the documented JSON (a null value for the removal) and decode back
    assertThat(SchemaLogRecords.key(global)).isEqualTo("{\"keytype\":\"CONFIG\",\"subject\":null}");
    assertThat(SchemaLogRecords.value(global)).isEqualTo("{\"compatibilityLevel\":\"FULL\"}");
    assertThat(SchemaLogRecords.key(subject)).isEqualTo("{\"keytype\":\"CONFIG\",\"subject\":\"s\"}");
    assertThat(SchemaLogRecords.value(removed)).isNull();
    for (ConfigEntry entry : new ConfigEntry[] {global, subject, removed}) {
      assertThat(SchemaLogRecords.decode(SchemaLogRecords.key(entry), SchemaLogRecords.value(entry))).contains(entry);
    }
  }

  @Test
  void shouldSkipUnknownRecordKindsAndRejectRecordsInAnotherFormat() {
    // Given a record kind this version does not know, and a record that is not JSON
    // When they are decoded
    // Then the first is skipped and the second refused with the reason
    assertThat(SchemaLogRecords.decode("{\"keytype\":\"NOOP\"}", null)).isEmpty();
    assertThatThrownBy(() -> SchemaLogRecords.decode("not json", "{}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("record key is not JSON");
  }
}
