package org.streamdistill.student.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;

/** The learning model: shaped by its first label, refusing labels that do not fit, one step per batch. */
class ChallengerModelTest {

  private final TrainerConfig config = TrainerConfig.of(Map.of(TrainerConfig.EMBEDDING_INIT, "random",
      TrainerConfig.EMBEDDING_DIM, "4", TrainerConfig.FILTERS, "2", TrainerConfig.MAX_TOKENS, "8",
      TrainerConfig.SEED, "5"));

  @Test
  void shouldShapeTheModelFromTheFirstLabelAndLearnItsLabelNames() {
    ChallengerModel challenger = new ChallengerModel(config);
    SoftLabel first = SoftLabel.newBuilder(TrainingRecords.softLabel(1, false)).setGoldIndex(2).setGoldLabel("intent-2")
        .build();

    challenger.admit(first);

    assertThat(challenger.shaped()).isTrue();
    assertThat(challenger.model().config()).isEqualTo(new TextCnnConfig(TextCnnConfig.BERT_UNCASED_VOCAB_SIZE, 4,
        TextCnnConfig.defaults(3).filterWidths(), 2, 8, 3, TextCnnConfig.defaults(3).dropout(),
        TextCnnConfig.defaults(3).stripSpecialTokens(), 5));
    assertThat(challenger.labelSetId()).isEqualTo("labels-test");
    assertThat(challenger.labelNames()).containsExactly(null, "intent-1", "intent-2");
    assertThat(challenger.samplesSeen()).isZero();
  }

  @Test
  void shouldShapeTheModelFromAGoldOnlyLabelsLabelCountAndLearnOnlyItsGoldName() {
    ChallengerModel challenger = new ChallengerModel(config);

    challenger.admit(TrainingRecords.goldOnly(1, 2, false));

    assertThat(challenger.model().config().numClasses()).isEqualTo(3);
    assertThat(challenger.labelNames()).containsExactly(null, null, "intent-2");
    assertThatThrownBy(() -> new ChallengerModel(config).admit(SoftLabel.newBuilder(TrainingRecords.goldOnly(1, 2,
        false)).setLabelCount(0).build()))
        .isInstanceOf(InvalidSoftLabelException.class)
        .hasMessage("soft label of turn t1 has 0 as label_count (a gold-only record, without logits); a label set "
            + "needs at least 2");
  }

  @Test
  void shouldRefuseALabelOfAnotherLabelSetOnceShapedAndALabelSetOfOneLabel() {
    ChallengerModel challenger = new ChallengerModel(config);
    assertThatThrownBy(() -> challenger.admit(SoftLabel.newBuilder(TrainingRecords.softLabel(0, false))
        .setLogits(List.of(1f)).build()))
        .isInstanceOf(InvalidSoftLabelException.class)
        .hasMessage("soft label of turn t0 has 1 logits; a label set needs at least 2");
    assertThat(challenger.shaped()).isFalse();

    challenger.admit(TrainingRecords.softLabel(0, false));
    assertThatThrownBy(() -> challenger.admit(SoftLabel.newBuilder(TrainingRecords.softLabel(1, false))
        .setLabelSetId("other").build()))
        .isInstanceOf(InvalidSoftLabelException.class).hasMessageContaining("uses label set other");
  }

  @Test
  void shouldTakeOneDeterministicStepPerBatchAndStartOverIdenticallyAfterAReset() {
    // Given a challenger that learned one batch of two turns
    ChallengerModel challenger = new ChallengerModel(config);
    List<SoftLabel> batch = List.of(TrainingRecords.softLabel(0, false), TrainingRecords.softLabel(1, false));
    batch.forEach(challenger::admit);
    TextCnn initial = challenger.model().copy();
    challenger.learn(batch);
    float[] afterOneStep = challenger.model().parameter(TextCnn.DENSE_WEIGHT).values().clone();

    // When it is reset and learns the same batch again
    challenger.reset();
    batch.forEach(challenger::admit);
    challenger.learn(batch);

    // Then it counted the turns, moved from its initial weights, and the second run matches the first bit for bit
    assertThat(challenger.samplesSeen()).isEqualTo(2);
    assertThat(afterOneStep).isNotEqualTo(initial.parameter(TextCnn.DENSE_WEIGHT).values());
    assertThat(challenger.model().parameter(TextCnn.DENSE_WEIGHT).values()).containsExactly(afterOneStep);
  }
}
