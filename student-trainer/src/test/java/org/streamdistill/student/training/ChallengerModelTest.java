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
      TrainerConfig.SEED, "5", TrainerConfig.REPLAY_BATCHES, "0"));

  private final TrainerConfig replaying = TrainerConfig.of(Map.of(TrainerConfig.EMBEDDING_INIT, "random",
      TrainerConfig.EMBEDDING_DIM, "4", TrainerConfig.FILTERS, "2", TrainerConfig.MAX_TOKENS, "8",
      TrainerConfig.SEED, "5", TrainerConfig.REPLAY_BATCHES, "2", TrainerConfig.REPLAY_CAPACITY, "3"));

  @Test
  void shouldShapeTheModelFromTheFirstLabelAndLearnItsLabelNames() {
    ChallengerModel challenger = new ChallengerModel(config);
    SoftLabel first = SoftLabel.newBuilder(TrainingRecords.softLabel(1, false)).setGoldIndex(2).setGoldLabel("intent-2")
        .build();

    challenger.admit(first);

    assertThat(challenger.shaped()).isTrue();
    assertThat(challenger.model().config()).isEqualTo(new TextCnnConfig(TextCnnConfig.BERT_UNCASED_VOCAB_SIZE, 4,
        config.filterWidths(), 2, 8, 3, TextCnnConfig.defaults(3).dropout(),
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
  void shouldLearnFromAFallbackTeachersLabelAsFromTheTeachersAndNotAsFromGoldAlone() {
    // Given the same two turns with gold labels, once as the teacher's soft labels, once as the
    // fallback teacher's (the same logits), and once gold-only
    List<SoftLabel> teacher = List.of(withGold(TrainingRecords.softLabel(0, false), 1),
        withGold(TrainingRecords.softLabel(1, false), 2));
    List<SoftLabel> fallback = teacher.stream()
        .map(l -> SoftLabel.newBuilder(l).setFallbackScored(true).setSelectionReason("over-budget").build()).toList();
    List<SoftLabel> goldOnly = List.of(TrainingRecords.goldOnly(0, 1, false), TrainingRecords.goldOnly(1, 2, false));

    // When a fresh challenger learns each batch
    float[] fromTeacher = afterOneStep(teacher);
    float[] fromFallback = afterOneStep(fallback);
    float[] fromGold = afterOneStep(goldOnly);

    // Then the fallback's labels teach exactly what the teacher's do, the logits and not only the gold
    assertThat(fromFallback).containsExactly(fromTeacher);
    assertThat(fromFallback).isNotEqualTo(fromGold);
  }

  private float[] afterOneStep(List<SoftLabel> batch) {
    ChallengerModel challenger = new ChallengerModel(config);
    batch.forEach(challenger::admit);
    challenger.learn(batch);
    return challenger.model().parameter(TextCnn.DENSE_WEIGHT).values().clone();
  }

  private static SoftLabel withGold(SoftLabel label, int gold) {
    return SoftLabel.newBuilder(label).setGoldIndex(gold).setGoldLabel("intent-" + gold).setLabelCount(3).build();
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

  @Test
  void shouldReplayRememberedTurnsAfterEachBatchAndContinueExactlyFromACheckpointThatHoldsTheMemory() {
    // Given a challenger replaying 2 batches after each new one from a memory of 3 turns, after two batches
    List<SoftLabel> first = List.of(TrainingRecords.softLabel(0, false), TrainingRecords.softLabel(1, false));
    List<SoftLabel> second = List.of(TrainingRecords.softLabel(2, false), TrainingRecords.softLabel(3, false));
    List<SoftLabel> third = List.of(TrainingRecords.softLabel(4, false), TrainingRecords.softLabel(5, false));
    ChallengerModel challenger = new ChallengerModel(replaying);
    first.forEach(challenger::admit);
    challenger.learn(first);
    second.forEach(challenger::admit);
    challenger.learn(second);
    CheckpointStore.Loaded saved = new CheckpointStore.Loaded("student-v1", 1, challenger.samplesSeen(), Map.of(),
        challenger.labelSetId(), challenger.labelNames().clone(), challenger.model().copy(),
        challenger.optimizer().copy(), challenger.sections());

    // Then it counted only new turns, took 3 steps per batch, and remembers the newest 3
    assertThat(challenger.samplesSeen()).isEqualTo(4);
    assertThat(challenger.optimizer().exportState().step()).isEqualTo(6);
    assertThat(challenger.remembered()).isEqualTo(3);

    // When it learns a third batch, and a challenger restored from the saved state learns the same
    third.forEach(challenger::admit);
    challenger.learn(third);
    ChallengerModel restored = new ChallengerModel(replaying);
    restored.restore(new CheckpointStore.Loaded("student-v1", 1, 4, Map.of(), saved.labelSetId(),
        saved.labelNames().clone(), saved.model().copy(), saved.savedOptimizer().copy(), saved.sections()));
    third.forEach(restored::admit);
    restored.learn(third);

    // Then both hold the same weights bit for bit
    assertThat(restored.model().parameter(TextCnn.DENSE_WEIGHT).values())
        .containsExactly(challenger.model().parameter(TextCnn.DENSE_WEIGHT).values());
    assertThat(restored.model().parameter(TextCnn.EMBEDDING).values())
        .containsExactly(challenger.model().parameter(TextCnn.EMBEDDING).values());

    // And one restored without the memory (as from an old checkpoint) learns differently: the memory matters
    ChallengerModel forgetful = new ChallengerModel(replaying);
    forgetful.restore(new CheckpointStore.Loaded("student-v1", 1, 4, Map.of(), saved.labelSetId(),
        saved.labelNames().clone(), saved.model().copy(), saved.savedOptimizer().copy(), Map.of()));
    third.forEach(forgetful::admit);
    forgetful.learn(third);
    assertThat(forgetful.remembered()).isEqualTo(2);
    assertThat(forgetful.model().parameter(TextCnn.DENSE_WEIGHT).values())
        .isNotEqualTo(challenger.model().parameter(TextCnn.DENSE_WEIGHT).values());
  }

  @Test
  void shouldServeTheAverageOfTheLearningWeightsAndSaveTheLearningWeightsBesideIt() throws Exception {
    // Given a challenger averaging with decay 0.5, without replay
    TrainerConfig halving = TrainerConfig.of(Map.of(TrainerConfig.EMBEDDING_INIT, "random",
        TrainerConfig.EMBEDDING_DIM, "4", TrainerConfig.FILTERS, "2", TrainerConfig.MAX_TOKENS, "8",
        TrainerConfig.SEED, "5", TrainerConfig.REPLAY_BATCHES, "0", TrainerConfig.WEIGHT_AVERAGE_DECAY, "0.5"));
    ChallengerModel challenger = new ChallengerModel(halving);
    List<SoftLabel> batch = List.of(TrainingRecords.softLabel(0, false), TrainingRecords.softLabel(1, false));
    batch.forEach(challenger::admit);
    float[] initial = challenger.learning().parameter(TextCnn.DENSE_WEIGHT).values().clone();

    // When it learns one batch
    challenger.learn(batch);

    // Then the served weights are halfway between the initial and the learned ones
    float[] learned = challenger.learning().parameter(TextCnn.DENSE_WEIGHT).values();
    float[] served = challenger.model().parameter(TextCnn.DENSE_WEIGHT).values();
    assertThat(learned).isNotEqualTo(initial);
    for (int i = 0; i < served.length; i++) {
      assertThat(served[i]).isEqualTo(initial[i] + 0.5f * (learned[i] - initial[i]));
    }
    // And the checkpoint sections carry the learning weights, which a restore takes back to learn on
    byte[] saved = challenger.sections().get(ChallengerModel.LEARNING_WEIGHTS);
    assertThat(org.streamdistill.student.checkpoint.ModelState.fromBytes(saved).model()
        .parameter(TextCnn.DENSE_WEIGHT).values()).containsExactly(learned);
    ChallengerModel restored = new ChallengerModel(halving);
    restored.restore(new CheckpointStore.Loaded("student-v1", 1, 2, Map.of(), challenger.labelSetId(),
        challenger.labelNames().clone(), challenger.model().copy(), challenger.optimizer().copy(), challenger.sections()));
    assertThat(restored.learning().parameter(TextCnn.DENSE_WEIGHT).values()).containsExactly(learned);
    assertThat(restored.model().parameter(TextCnn.DENSE_WEIGHT).values()).containsExactly(served);
    // And with averaging off the served model is the learning one
    assertThat(new ChallengerModel(config).model()).isNull();
  }
}
