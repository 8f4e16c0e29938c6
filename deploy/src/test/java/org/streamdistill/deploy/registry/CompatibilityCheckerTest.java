package org.streamdistill.deploy.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class CompatibilityCheckerTest {

  /** Version 1: "a" is an int. */
  private static final RegistryState.SchemaVersion V1 = version(1,
      "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");
  /** Version 2: "a" removed. */
  private static final RegistryState.SchemaVersion V2 = version(2,
      "{\"type\":\"record\",\"name\":\"R\",\"fields\":[]}");
  /** Candidate: "a" back, as a string with a default. */
  private static final Schema CANDIDATE = new Schema.Parser().parse(
      "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\",\"default\":\"\"}]}");

  @Test
  void shouldCheckOnlyTheLatestVersionUnlessTransitive() {
    // Given versions 1 and 2 and a candidate that reads version 2 but not version 1
    List<RegistryState.SchemaVersion> versions = List.of(V1, V2);

    // When checked BACKWARD and BACKWARD_TRANSITIVE
    List<String> backward = CompatibilityChecker.check(CompatibilityLevel.BACKWARD, CANDIDATE, versions);
    List<String> transitive = CompatibilityChecker.check(CompatibilityLevel.BACKWARD_TRANSITIVE, CANDIDATE, versions);

    // Then only the transitive check finds the clash with version 1, and says where
    assertThat(backward).isEmpty();
    assertThat(transitive).containsExactly("the new schema cannot read data written with version 1: "
        + "TYPE_MISMATCH at /fields/0/type: reader type: STRING not compatible with writer type: INT");
  }

  @Test
  void shouldCheckTheOtherDirectionForForwardAndBothForFull() {
    // Given version 2 (no fields) and a candidate adding a field with a default
    List<RegistryState.SchemaVersion> versions = List.of(V2);

    // When checked under every level
    // Then: version 2 reading the candidate ignores the extra field, the candidate reading version 2 uses the default
    for (CompatibilityLevel level : CompatibilityLevel.values()) {
      assertThat(CompatibilityChecker.check(level, CANDIDATE, versions)).as(level.name()).isEmpty();
    }
    // And a candidate whose new field has no default fails BACKWARD and FULL but passes FORWARD and NONE
    Schema required = new Schema.Parser().parse(
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"b\",\"type\":\"long\"}]}");
    assertThat(CompatibilityChecker.check(CompatibilityLevel.BACKWARD, required, versions)).singleElement()
        .asString().contains("READER_FIELD_MISSING_DEFAULT_VALUE at /fields/0", "field 'b'");
    assertThat(CompatibilityChecker.check(CompatibilityLevel.FULL, required, versions)).hasSize(1);
    assertThat(CompatibilityChecker.check(CompatibilityLevel.FORWARD, required, versions)).isEmpty();
    assertThat(CompatibilityChecker.check(CompatibilityLevel.NONE, required, versions)).isEmpty();
  }

  private static RegistryState.SchemaVersion version(int version, String schema) {
    return new RegistryState.SchemaVersion("s", version, version, new Schema.Parser().parse(schema));
  }
}
