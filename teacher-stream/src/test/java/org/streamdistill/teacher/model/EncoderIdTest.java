package org.streamdistill.teacher.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EncoderIdTest {

  @ParameterizedTest
  @EnumSource(EncoderId.class)
  void shouldCarryTheVersionOfTheModelArtifactOnTheClassPath(EncoderId encoder) throws IOException {
    // Given the Maven metadata of the artifact that packages the model
    Properties pom = new Properties();
    try (InputStream in = EncoderId.class.getResourceAsStream(
        "/META-INF/maven/dev.langchain4j/" + encoder.artifactId() + "/pom.properties")) {
      assertThat(in).as("pom.properties of " + encoder.artifactId()).isNotNull();
      pom.load(in);
    }

    // Then a dependency bump fails here until the id (and so the bundles) follow it
    assertThat(encoder.id()).endsWith("@" + pom.getProperty("version"));
    assertThat(EncoderId.class.getResource(encoder.modelResource())).as(encoder.modelResource()).isNotNull();
    assertThat(EncoderId.class.getResource(encoder.tokenizerResource())).as(encoder.tokenizerResource()).isNotNull();
  }

  @Test
  void shouldFindAnEncoderByShortNameAndNameTheKnownOnesOtherwise() {
    assertThat(EncoderId.fromShortName("minilm-l6-q")).isEqualTo(EncoderId.ALL_MINILM_L6_V2_Q);
    assertThat(EncoderId.fromShortName("e5-small-q")).isEqualTo(EncoderId.E5_SMALL_V2_Q);
    assertThatThrownBy(() -> EncoderId.fromShortName("minilm-l12"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown encoder 'minilm-l12'; known encoders are minilm-l6, minilm-l6-q, e5-small-q, bge-small-q");
  }

  @Test
  void shouldFindAnEncoderByIdAndNameTheKnownOnesOtherwise() {
    assertThat(EncoderId.fromId("all-minilm-l6-v2@1.19.0-beta29")).isEqualTo(EncoderId.ALL_MINILM_L6_V2);
    assertThatThrownBy(() -> EncoderId.fromId("bert-base@1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown encoder 'bert-base@1'; known encoders are all-minilm-l6-v2@1.19.0-beta29, "
            + "all-minilm-l6-v2-q@1.19.0-beta29, e5-small-v2-q@0.36.2, bge-small-en-v1.5-q@1.11.0-beta19");
  }
}
