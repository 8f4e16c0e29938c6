package org.streamdistill.schemas.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every current value schema must read data written with its first released version. */
class SchemaEvolutionTest {

  static List<Topic<?>> topics() {
    return Topics.ALL;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("topics")
  void currentSchemaShouldReadDataOfTheReleasedVersion(Topic<?> topic) throws IOException {
    Schema current = topic.valueSchema();
    Schema released = released(current.getName());

    var result = SchemaCompatibility.checkReaderWriterCompatibility(current, released).getResult();

    assertThat(result.getCompatibility())
        .as("%s: %s", topic.name(), result.getIncompatibilities())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("topics")
  void catalogueShouldNameTopicsAndSubjectsConsistently(Topic<?> topic) {
    assertThat(topic.name()).matches("[a-z]+(\\.[a-z-]+)+");
    assertThat(topic.valueSubject()).isEqualTo(topic.name() + "-value");
    assertThat(topic.deadLetterTopic()).isEqualTo(topic.name() + ".dlq");
    assertThat(topic.inNamespace("exp1").name()).isEqualTo("exp1." + topic.name());
  }

  @org.junit.jupiter.api.Test
  void catalogueShouldHoldEachTopicOnce() {
    List<String> names = new ArrayList<>();
    Topics.ALL.forEach(t -> names.add(t.name()));
    assertThat(names).doesNotHaveDuplicates().hasSize(6);
  }

  private static Schema released(String name) throws IOException {
    try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream("/avro-v1/" + name + ".avsc")) {
      assertThat(in).as("released schema avro-v1/%s.avsc", name).isNotNull();
      Schema.Parser parser = new Schema.Parser();
      if (name.equals("StudentPrediction")) {
        try (InputStream dep = SchemaEvolutionTest.class.getResourceAsStream("/avro-v1/ModelPrediction.avsc")) {
          parser.parse(dep);
        }
      }
      return parser.parse(in);
    }
  }
}
