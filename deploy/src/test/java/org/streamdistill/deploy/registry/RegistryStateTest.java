package org.streamdistill.deploy.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.streamdistill.deploy.registry.SchemaLogRecords.ConfigEntry;
import org.streamdistill.deploy.registry.SchemaLogRecords.SchemaEntry;

class RegistryStateTest {

  private static final String A = "{\"type\":\"record\",\"name\":\"A\",\"fields\":[]}";
  private static final String B = "{\"type\":\"record\",\"name\":\"B\",\"fields\":[]}";

  private final RegistryState state = new RegistryState();

  @Test
  void shouldLetTheFirstRecordWinWhenTwoRegistriesClaimTheSameVersion() {
    // Given version 1 of a subject written first with schema A
    boolean first = state.apply(new SchemaEntry("s", 1, 1, A), 0);

    // When a second registry's record claims version 1 (and id 1) for schema B
    boolean second = state.apply(new SchemaEntry("s", 1, 1, B), 1);

    // Then the first record stands and the second changes nothing
    assertThat(List.of(first, second)).containsExactly(true, false);
    assertThat(summary("s")).containsExactly("s v1 id1 A");
    assertThat(state.schemaById(1).map(Schema::getName)).contains("A");
    assertThat(state.idOf(new Schema.Parser().parse(B).toString())).isEmpty();
  }

  @Test
  void shouldRefuseAnIdThatAlreadyNamesAnotherSchema() {
    // Given id 1 names schema A
    state.apply(new SchemaEntry("s1", 1, 1, A), 0);

    // When another subject's record gives id 1 to schema B, then a retry gives B id 2
    boolean clash = state.apply(new SchemaEntry("s2", 1, 1, B), 1);
    boolean retry = state.apply(new SchemaEntry("s2", 1, 2, B), 2);

    // Then only the retry is applied
    assertThat(List.of(clash, retry)).containsExactly(false, true);
    assertThat(summary("s2")).containsExactly("s2 v1 id2 B");
    assertThat(state.maxId()).isEqualTo(2);
  }

  @Test
  void shouldKeepOneGlobalIdPerSchemaAcrossSubjects() {
    // Given schema A has id 1
    state.apply(new SchemaEntry("s1", 1, 1, A), 0);

    // When another subject registers A with a different id, then with id 1
    boolean otherId = state.apply(new SchemaEntry("s2", 1, 7, A), 1);
    boolean sameId = state.apply(new SchemaEntry("s2", 1, 1, A), 2);

    // Then A keeps id 1 in both subjects
    assertThat(List.of(otherId, sameId)).containsExactly(false, true);
    assertThat(state.usesOf(1)).extracting(RegistryState.SchemaVersion::subject).containsExactly("s1", "s2");
  }

  @Test
  void shouldApplyGlobalAndSubjectLevelsAndFallBackWhenASubjectLevelIsRemoved() {
    // Given a global FULL level and a subject with its own NONE level
    state.apply(new ConfigEntry(Optional.empty(), Optional.of(CompatibilityLevel.FULL)), 0);
    state.apply(new ConfigEntry(Optional.of("s"), Optional.of(CompatibilityLevel.NONE)), 1);
    assertThat(state.effectiveLevel("s")).isEqualTo(CompatibilityLevel.NONE);

    // When the subject's level is removed (a tombstone)
    state.apply(new ConfigEntry(Optional.of("s"), Optional.empty()), 2);

    // Then the subject follows the global level
    assertThat(state.subjectLevel("s")).isEmpty();
    assertThat(state.effectiveLevel("s")).isEqualTo(CompatibilityLevel.FULL);
    assertThat(state.effectiveLevel("other")).isEqualTo(CompatibilityLevel.FULL);
  }

  private List<String> summary(String subject) {
    return state.versions(subject).stream()
        .map(v -> v.subject() + " v" + v.version() + " id" + v.id() + " " + v.schema().getName())
        .toList();
  }
}
