package org.streamdistill.student.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.streamdistill.student.optim.InverseSqrtDecay;
import org.streamdistill.student.optim.LearningRateSchedule;

class TrainerConfigTest {

  @Test
  void shouldDefaultToTeacherEmbeddingsWidths1To5With128FiltersReplayAndADecayAfter15000Turns() {
    TrainerConfig config = TrainerConfig.of(Map.of());

    assertThat(config.embeddingsFromTeacher()).isTrue();
    assertThat(config.filtersPerWidth()).isEqualTo(128);
    assertThat(config.filterWidths()).containsExactly(1, 2, 3, 4, 5);
    assertThat(config.replayBatches()).isEqualTo(4);
    assertThat(config.replayCapacity()).isEqualTo(20_000);
    // 15,000 turns in steps of 32 turns: 468 steps at the full rate.
    assertThat(config.learningRateSchedule()).isEqualTo(new InverseSqrtDecay(468));
  }

  @Test
  void shouldRefuseFilterWidthsThatAreNotDistinctWholeNumbersWithinTheTokenLimit() {
    assertThat(TrainerConfig.of(Map.of(TrainerConfig.FILTER_WIDTHS, "2, 4")).filterWidths()).containsExactly(2, 4);
    assertThatThrownBy(() -> TrainerConfig.of(Map.of(TrainerConfig.FILTER_WIDTHS, "3,x")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("got 'x'");
    assertThatThrownBy(() -> TrainerConfig.of(Map.of(TrainerConfig.FILTER_WIDTHS, "3,3")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("each once");
    assertThatThrownBy(() -> TrainerConfig.of(Map.of(TrainerConfig.FILTER_WIDTHS, "2,40")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("between 1 and trainer.model.max-tokens (32)");
    assertThatThrownBy(() -> TrainerConfig.of(Map.of(TrainerConfig.REPLAY_BATCHES, "-1")))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void shouldKeepTheRateConstantWhenTheDecayIsOffAndDecayAfterOneStepAtLeast() {
    assertThat(TrainerConfig.of(Map.of(TrainerConfig.LEARNING_RATE_DECAY_AFTER, "0")).learningRateSchedule())
        .isSameAs(LearningRateSchedule.CONSTANT);
    assertThat(TrainerConfig.of(Map.of(TrainerConfig.LEARNING_RATE_DECAY_AFTER, "10")).learningRateSchedule())
        .isEqualTo(new InverseSqrtDecay(1));
  }

  @Test
  void shouldTurnTeacherEmbeddingsOffWithRandom() {
    TrainerConfig config = TrainerConfig.of(Map.of(TrainerConfig.EMBEDDING_INIT, "random",
        TrainerConfig.EMBEDDING_DIM, "512"));

    assertThat(config.embeddingsFromTeacher()).isFalse();
    assertThat(config.embeddingDim()).isEqualTo(512);
  }

  @Test
  void shouldRefuseAnEmbeddingWiderThanTheTeachersWhenStartingFromIt() {
    assertThatThrownBy(() -> TrainerConfig.of(Map.of(TrainerConfig.EMBEDDING_DIM, "512")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(TrainerConfig.EMBEDDING_DIM)
        .hasMessageContaining("at most 384");
    assertThatThrownBy(() -> TrainerConfig.of(Map.of(TrainerConfig.EMBEDDING_INIT, "glove")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(TrainerConfig.EMBEDDING_INIT);
  }

  @Test
  void shouldTakeTheGroupFromTheCatalogueInTheNamespaceUnlessSet() {
    TrainerConfig production = TrainerConfig.parse(java.util.List.of(), Map.of());
    TrainerConfig experiment = TrainerConfig.parse(java.util.List.of("--topic.namespace", "exp1"), Map.of());
    TrainerConfig explicit = TrainerConfig.parse(java.util.List.of("--topic.namespace", "exp1",
        "--trainer.group-id", "mine"), Map.of());

    assertThat(production.groupId()).isEqualTo("student-trainer");
    assertThat(production.transactionalId()).isEqualTo("student-trainer-student");
    assertThat(experiment.groupId()).isEqualTo("exp1-student-trainer");
    assertThat(experiment.transactionalId()).isEqualTo("exp1-student-trainer-exp1-student");
    assertThat(explicit.groupId()).isEqualTo("mine");
  }

  @Test
  void shouldCarryKafkaClientSettingsWithSecretsHidden() {
    TrainerConfig config = TrainerConfig.parse(java.util.List.of("--kafka.ssl.truststore.password", "pw-123"),
        Map.of("STREAMDISTILL_KAFKA_SECURITY_PROTOCOL", "SSL"));

    assertThat(config.kafka().values()).containsEntry("ssl.truststore.password", "pw-123")
        .containsEntry("security.protocol", "SSL");
    assertThat(config.toString()).doesNotContain("pw-123");
  }
}
