package org.streamdistill.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * The example settings in {@code deploy/cluster} are loaded by each app's own loader: the apps
 * refuse unknown keys, so a typo in an example would stop whoever copies it.
 */
class ClusterExampleSettingsTest {

  private static final Path DIR = Path.of("cluster");

  @Test
  void shouldLoadTheTeacherExampleWithTheJobsOwnKeys() {
    // When the example is loaded as `flink run ... --config teacher.properties` would
    TeacherJobConfig config = TeacherJobConfig.parse(List.of("--config", DIR.resolve("teacher.properties").toString()),
        Map.of());

    // Then every key is known and the values are the example's
    assertThat(config.bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9092,kafka-3:9092");
    assertThat(config.registryUrl()).isEqualTo("http://schema-registry:8081");
    assertThat(config.namespace()).isEmpty();
    assertThat(config.parallelism()).isEqualTo(4);
    assertThat(config.onnxThreads()).isEqualTo(2);
    // (set, not left to the defaults: those follow the processors of the flink run client)
    assertThat(TeacherJobConfig.LOADER.collect(List.of("--config", DIR.resolve("teacher.properties").toString()),
        Map.of())).containsKeys(TeacherJobConfig.PARALLELISM, TeacherJobConfig.ONNX_THREADS);
    assertThat(config.checkpointIntervalMillis()).isEqualTo(5_000L);
    assertThat(config.transactionalIdPrefix()).isEqualTo("teacher-stream-prod");
  }

  @Test
  void shouldLoadTheTrainerExampleWithTheTrainersOwnKeys() {
    TrainerConfig config = TrainerConfig.parse(List.of("--config", DIR.resolve("trainer.properties").toString()),
        Map.of());

    assertThat(config.bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9092,kafka-3:9092");
    assertThat(config.modelName()).isEqualTo("student");
    assertThat(config.checkpointDir()).isEqualTo(Path.of("/var/lib/streamdistill/student-checkpoints"));
    assertThat(config.batchSize()).isEqualTo(32);
  }

  @Test
  void shouldLoadTheEvaluatorExampleWithTheEvaluatorsOwnKeys() {
    EvaluatorConfig config = EvaluatorConfig.parse(List.of("--config", DIR.resolve("evaluator.properties").toString()), Map.of(),
        warning -> { throw new AssertionError("the example uses a deprecated form: " + warning); });

    assertThat(config.bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9092,kafka-3:9092");
    assertThat(config.schemaRegistryUrl()).isEqualTo("http://schema-registry:8081");
    assertThat(config.modelName()).isEqualTo("student");
    assertThat(config.streamsOverrides()).containsEntry("replication.factor", "3");
  }

  @Test
  void shouldAgreeOnTheModelLineBetweenTrainerAndEvaluator() {
    TrainerConfig trainer = TrainerConfig.parse(List.of("--config", DIR.resolve("trainer.properties").toString()),
        Map.of());
    EvaluatorConfig evaluator = EvaluatorConfig.parse(List.of("--config", DIR.resolve("evaluator.properties").toString()), Map.of(),
        warning -> { throw new AssertionError("the example uses a deprecated form: " + warning); });

    assertThat(evaluator.modelName()).isEqualTo(trainer.modelName());
  }

  @Test
  void shouldLoadTheSecuredClientExampleWithEveryStagesSettings() {
    // When the SASL_SSL example is given after each stage's own example, as section 1 shows
    List<String> teacher = List.of("--config", DIR.resolve("teacher.properties").toString(),
        "--config", DIR.resolve("kafka-secure.properties").toString());
    TeacherJobConfig config = TeacherJobConfig.parse(teacher, Map.of());
    TrainerConfig trainer = TrainerConfig.parse(List.of("--config", DIR.resolve("trainer.properties").toString(),
        "--config", DIR.resolve("kafka-secure.properties").toString()), Map.of());
    EvaluatorConfig evaluator = EvaluatorConfig.parse(List.of("--config",
        DIR.resolve("evaluator.properties").toString(), "--config", DIR.resolve("kafka-secure.properties").toString()),
        Map.of(), warning -> { throw new AssertionError("the example uses a deprecated form: " + warning); });

    // Then every client of every stage gets the same security settings, secrets still unresolved file references
    for (var kafka : List.of(config.kafka(), trainer.kafka(), evaluator.kafkaClientSettings())) {
      assertThat(kafka.values()).containsEntry("security.protocol", "SASL_SSL")
          .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
          .containsEntry("sasl.jaas.config", "${file:/etc/streamdistill/kafka-secrets.properties:sasl.jaas.config}");
    }
    assertThat(config.bootstrapServers()).isEqualTo("kafka-1:9094,kafka-2:9094,kafka-3:9094");
  }

  @Test
  void shouldShowTheSecuredClientExampleInTheReadmeAsTheFileHasIt() throws Exception {
    // SecuredClusterIT runs the pipeline with the file; the README must show that very content
    String readme = java.nio.file.Files.readString(DIR.resolve("README.md"));
    List<String> settings = java.nio.file.Files.readAllLines(DIR.resolve("kafka-secure.properties")).stream()
        .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();

    assertThat(settings).hasSizeGreaterThanOrEqualTo(9);
    assertThat(readme).contains("```properties\n" + String.join("\n", settings) + "\n```");
  }
}
