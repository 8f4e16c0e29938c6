package org.streamdistill.student.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.streamdistill.student.training.TrainerHarness.P0;
import static org.streamdistill.student.training.TrainerHarness.offset;

import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.metrics.PrometheusText;
import org.streamdistill.schemas.wire.DeadLetters;
import org.streamdistill.student.checkpoint.ModelState;
import org.streamdistill.student.optim.Parameter;

/**
 * The trainer's loop on mock Kafka clients: what it publishes, in which transactions, with which
 * committed offsets and metadata, through revocations, lost partitions and restarts, and which
 * champion it recovers at a restart.
 */
class StudentTrainerTest {

  @TempDir
  Path dir;

  @Test
  void shouldPublishEachTurnOnceThenCommitOffsetsNamingTheLastCheckpointWhenStopped() throws IOException {
    // Given six soft labels, the last one held out, and a batch size of 4
    TrainerHarness h = new TrainerHarness(new TrainerHarness.Group(dir));
    h.appendTurns(0, 5, 5);

    // When the trainer reads them all in one poll and is stopped
    h.softLabels.then(h.assign(), h.stop());
    h.run();

    // Then each turn has one prediction, by the challenger alone, in stream order
    assertThat(h.committedPredictions()).extracting(StudentPrediction::getTurnId, StudentPrediction::getLearned)
        .containsExactly(tuple("t0", true), tuple("t1", true), tuple("t2", true), tuple("t3", true),
            tuple("t4", true), tuple("t5", false));
    assertThat(h.committedPredictions()).allSatisfy(p -> assertThat(p.getPredictions())
        .extracting(ModelPrediction::getRole, ModelPrediction::getModelVersion)
        .containsExactly(tuple("challenger", "student-v1")));
    // And one batch of 4 plus the cut batch of t4 were learned, and checkpoint 1 saved
    assertThat(h.trainer.stats().turnsLearned()).isEqualTo(5);
    assertThat(h.committedTo(TrainerHarness.CHECKPOINTS))
        .hasSize(1);
    assertThat(ModelState.read(dir.resolve("student-v1.ckpt")).metadata())
        .containsEntry("samples_seen", "5").containsEntry("offset." + P0, "6");
    // And the one transaction committed offset 6 naming checkpoint 1, from which nothing is left to replay
    assertThat(h.committedOffsets()).containsExactly(Map.of(P0, offset(6, 1, 6, "")));
  }

  @Test
  void shouldCommitWhatWasPublishedWhenPartitionsAreRevokedMidBatchAndEndWithTheWeightsOfAnUninterruptedRun()
      throws IOException {
    // Given six soft labels read in one poll: turns 0-3 learned, 4 and 5 waiting in the batch
    TrainerHarness h = new TrainerHarness(new TrainerHarness.Group(dir.resolve("rebalanced")));
    h.appendTurns(0, 5);
    List<Long> atRevocation = new ArrayList<>();

    // When the partition is revoked (the generation still valid) and assigned again, two more
    // turns arrive, and the trainer stops
    h.softLabels.then(h.assign(),
        () -> {
          h.softLabels.rebalance(List.of());
          atRevocation.add(h.trainer.stats().turnsLearned());
          atRevocation.add(h.trainer.stats().predictionsAcknowledged());
          h.softLabels.rebalance(List.of(P0));
        },
        () -> h.appendTurns(6, 7),
        h.stop());
    h.run();

    // Then the revocation committed the six predictions with offset 6, the batch still unlearned
    // (the checkpoint-0 metadata tells a restore to learn turns 0-5 again)
    assertThat(atRevocation).containsExactly(4L, 6L);
    assertThat(h.committedOffsets()).containsExactly(Map.of(P0, offset(6, 0, 0, "")),
        Map.of(P0, offset(8, 1, 8, "")));
    // And the restore replayed turns 0-5 without publishing them again: one prediction per turn
    assertThat(h.committedPredictions()).extracting(StudentPrediction::getTurnId)
        .containsExactly("t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7");
    // And the model learned each turn once: the same weights as a trainer that was never interrupted
    TrainerHarness uninterrupted = new TrainerHarness(new TrainerHarness.Group(dir.resolve("uninterrupted")));
    uninterrupted.appendTurns(0, 5);
    uninterrupted.softLabels.then(uninterrupted.assign(), () -> uninterrupted.appendTurns(6, 7), uninterrupted.stop());
    uninterrupted.run();
    assertSameWeights(dir.resolve("rebalanced/student-v1.ckpt"), dir.resolve("uninterrupted/student-v1.ckpt"));
    assertThat(ModelState.read(dir.resolve("rebalanced/student-v1.ckpt")).metadata())
        .containsEntry("samples_seen", "8");
  }

  @Test
  void shouldCommitBothPartitionsWhenOneIsRevokedThenReplayOnlyTheOneItKeeps() {
    // Given three turns in each of two partitions, all read, four of them learned
    TrainerHarness h = new TrainerHarness(new TrainerHarness.Group(dir), 2);
    for (int i = 0; i < 3; i++) {
      h.appendLabel(TrainerHarness.P0, TrainingRecords.softLabel(i, false));
      h.appendLabel(TrainerHarness.P1, TrainingRecords.softLabel(10 + i, false));
    }

    // When partition 1 is revoked (cooperatively: partition 0 stays), a turn arrives on 0, and the trainer stops
    h.softLabels.then(() -> h.softLabels.rebalance(List.of(TrainerHarness.P0, TrainerHarness.P1)),
        () -> h.softLabels.rebalance(List.of(TrainerHarness.P0)),
        () -> h.appendLabel(TrainerHarness.P0, TrainingRecords.softLabel(3, false)),
        h.stop());
    h.run();

    // Then the revocation committed both partitions with the six predictions; afterwards only
    // partition 0 is replayed (not published again), continued and committed
    assertThat(h.committedOffsets()).containsExactly(
        Map.of(TrainerHarness.P0, offset(3, 0, 0, ""), TrainerHarness.P1, offset(3, 0, 0, "")),
        Map.of(TrainerHarness.P0, offset(4, 1, 4, "")));
    assertThat(h.committedPredictions()).extracting(StudentPrediction::getTurnId)
        .containsExactlyInAnyOrder("t0", "t1", "t2", "t10", "t11", "t12", "t3");
    assertThat(h.committedPredictions()).extracting(StudentPrediction::getTurnId).last().isEqualTo("t3");
  }

  @Test
  void shouldAbortAndDropTheTurnsOfALostPartitionWithoutLearningThemThenReplayThemOnceReassigned()
      throws IOException {
    // Given six soft labels read in one poll: turns 0-3 learned, 4 and 5 in the batch, six
    // predictions in the open transaction
    TrainerHarness h = new TrainerHarness(new TrainerHarness.Group(dir.resolve("lost")));
    h.appendTurns(0, 5);
    List<Object> atLoss = new ArrayList<>();

    // When the partition is lost (this member was dropped from the group), a poll passes, and
    // the partition is assigned again when the trainer rejoins
    h.softLabels.then(h.assign(),
        () -> h.trainer.rebalanceListener().onPartitionsLost(List.of(P0)),
        () -> {
          atLoss.add(h.trainer.stats().turnsLearned());
          atLoss.add(h.producer.transactionAborted());
          atLoss.add(h.committedPredictions().size());
          h.trainer.rebalanceListener().onPartitionsAssigned(List.of(P0));
        },
        h.stop());
    h.run();

    // Then the loss aborted the transaction and turns 4 and 5 were not learned (nor read meanwhile)
    assertThat(atLoss).containsExactly(4L, true, 0);
    // And after the reassignment every turn was predicted and published once, and learned once
    assertThat(h.committedPredictions()).extracting(StudentPrediction::getTurnId)
        .containsExactly("t0", "t1", "t2", "t3", "t4", "t5");
    assertThat(h.trainer.stats().turnsLearned()).isEqualTo(4 + 6);
    assertThat(h.committedOffsets()).containsExactly(Map.of(P0, offset(6, 1, 6, "")));
    TrainerHarness uninterrupted = new TrainerHarness(new TrainerHarness.Group(dir.resolve("uninterrupted")));
    uninterrupted.appendTurns(0, 5);
    uninterrupted.softLabels.then(uninterrupted.assign(), uninterrupted.stop());
    uninterrupted.run();
    assertSameWeights(dir.resolve("lost/student-v1.ckpt"), dir.resolve("uninterrupted/student-v1.ckpt"));
  }

  @Test
  void shouldDeadLetterAPromotionNamingNoVersionOfTheLineAndCommitItWhileWaitingForAReassignment() {
    // Given two turns read, then the partition lost (their predictions aborted)
    TrainerHarness h = new TrainerHarness(new TrainerHarness.Group(dir));
    h.appendTurns(0, 1);

    // When a promotion naming '../x' arrives before the partition comes back, and the trainer stops
    h.softLabels.then(h.assign(),
        () -> {
          h.trainer.rebalanceListener().onPartitionsLost(List.of(P0));
          h.appendPromotion(TrainingRecords.promotion("PROMOTE", "student-v1", "../x", "challenger"));
        },
        h.stop());
    h.run();

    // Then the only committed record is that dead letter, committed without offsets
    assertThat(h.producer.history()).extracting(ProducerRecord::topic).containsExactly(TrainerHarness.PROMOTIONS + ".dlq");
    ProducerRecord<byte[], byte[]> letter = h.producer.history().get(0);
    assertThat(DeadLetters.header(letter.headers(), DeadLetters.HEADER_EXCEPTION))
        .isEqualTo(InvalidPromotionException.class.getName());
    assertThat(DeadLetters.header(letter.headers(), DeadLetters.HEADER_MESSAGE))
        .isEqualTo("PROMOTE names version '../x', which is not a version of model line student (student-v<n>)");
    assertThat(h.committedOffsets()).isEmpty();
    assertThat(h.trainer.stats().championVersion()).isNull();
  }

  @Test
  void shouldAdoptTheFromVersionOfAHoldWhenTheCompactedPromotionsTopicHoldsNothingElse() {
    // Given a model line whose first trainer checkpointed student-v1 after four turns
    TrainerHarness.Group group = new TrainerHarness.Group(dir);
    TrainerHarness first = new TrainerHarness(group);
    first.appendTurns(0, 3);
    first.softLabels.then(first.assign(), first.stop());
    first.run();
    // and model.promotions compacted to a single HOLD: student-v1 serves, compared with student-v2
    TrainerHarness restarted = new TrainerHarness(group);
    restarted.appendTurns(0, 5);
    restarted.appendPromotion(TrainingRecords.promotion("HOLD", "student-v1", "student-v2", "challenger"));

    // When the trainer restarts and reads turns 4 and 5
    restarted.softLabels.then(restarted.assign(), restarted.stop());
    restarted.run();

    // Then it serves student-v1 as champion beside the challenger student-v2, on the new turns only
    assertThat(restarted.trainer.stats().championVersion()).isEqualTo("student-v1");
    assertThat(restarted.committedPredictions()).extracting(StudentPrediction::getTurnId).containsExactly("t4", "t5");
    assertThat(restarted.committedPredictions()).allSatisfy(p -> assertThat(p.getPredictions())
        .extracting(ModelPrediction::getRole, ModelPrediction::getModelVersion)
        .containsExactly(tuple("challenger", "student-v2"), tuple("champion", "student-v1")));
  }

  @Test
  void shouldKeepTrainingWithoutAChampionWhenThePromotedCheckpointIsCorruptOrGone() throws IOException {
    // Given a model line with checkpoints student-v1 and student-v2 (committed), v1 then corrupted
    TrainerHarness.Group group = new TrainerHarness.Group(dir);
    TrainerHarness first = new TrainerHarness(group);
    first.appendTurns(0, 3);
    first.softLabels.then(first.assign(), first.stop());
    first.run();
    TrainerHarness second = new TrainerHarness(group);
    second.appendTurns(0, 7);
    second.softLabels.then(second.assign(), second.stop());
    second.run();
    Files.writeString(dir.resolve("student-v1.ckpt"), "not a checkpoint");
    // and a promotions history whose last PROMOTE names student-v1
    TrainerHarness restarted = new TrainerHarness(group);
    restarted.appendTurns(0, 9);
    restarted.appendPromotion(TrainingRecords.promotion("PROMOTE", null, "student-v1", "challenger"));

    // When the trainer restarts, reads turns 8 and 9, then a promotion of student-v7 (never written) arrives
    restarted.softLabels.then(restarted.assign(),
        () -> restarted.appendPromotion(TrainingRecords.promotion("PROMOTE", "student-v1", "student-v7", "challenger")),
        () -> restarted.appendTurns(10, 11),
        restarted.stop());
    restarted.run();

    // Then it went on predicting the new turns once each, with the challenger alone
    assertThat(restarted.trainer.stats().championVersion()).isNull();
    assertThat(restarted.committedPredictions()).extracting(StudentPrediction::getTurnId)
        .containsExactly("t8", "t9", "t10", "t11");
    assertThat(restarted.committedPredictions()).allSatisfy(p -> assertThat(p.getPredictions())
        .extracting(ModelPrediction::getRole, ModelPrediction::getModelVersion)
        .containsExactly(tuple("challenger", "student-v3")));
    assertThat(restarted.trainer.stats().turnsLearned()).isEqualTo(4);
    assertThat(restarted.committedOffsets()).containsExactly(Map.of(P0, offset(12, 3, 12, "")));
  }

  @Test
  void shouldFreezeAPromotedChallengerAndPredictWithItAsChampionFromTheNextTurnOn() {
    // Given four turns learned by challenger student-v1
    TrainerHarness h = new TrainerHarness(new TrainerHarness.Group(dir));
    h.appendTurns(0, 3);

    // When the evaluator promotes student-v1, then two more turns arrive
    h.softLabels.then(h.assign(),
        () -> h.appendPromotion(TrainingRecords.promotion("PROMOTE", null, "student-v1", "challenger")),
        () -> h.appendTurns(4, 5),
        h.stop());
    h.run();

    // Then student-v1 was checkpointed as it was and predicts as champion beside the new challenger
    assertThat(h.trainer.stats().championVersion()).isEqualTo("student-v1");
    assertThat(h.committedPredictions()).extracting(StudentPrediction::getTurnId)
        .containsExactly("t0", "t1", "t2", "t3", "t4", "t5");
    assertThat(h.committedPredictions()).extracting(p -> p.getPredictions().stream()
            .map(m -> m.getRole() + ":" + m.getModelVersion()).toList())
        .containsExactly(List.of("challenger:student-v1"), List.of("challenger:student-v1"),
            List.of("challenger:student-v1"), List.of("challenger:student-v1"),
            List.of("challenger:student-v2", "champion:student-v1"),
            List.of("challenger:student-v2", "champion:student-v1"));
    assertThat(h.committedOffsets()).containsExactly(Map.of(P0, offset(4, 1, 4, "")), Map.of(P0, offset(6, 2, 6, "")));
  }

  @Test
  void shouldDeadLetterASoftLabelWhoseTeacherIndexIsOutOfRange() {
    // Given three soft labels, the middle one naming teacher index 7 of 3 labels
    TrainerHarness h = new TrainerHarness(new TrainerHarness.Group(dir));
    h.appendTurns(0, 0);
    SoftLabel bad = SoftLabel.newBuilder(TrainingRecords.softLabel(1, false)).setTeacherIndex(7).build();
    h.appendLabel(bad);
    h.appendTurns(2, 2);

    // When the trainer reads them
    h.softLabels.then(h.assign(), h.stop());
    h.run();

    // Then the bad one went, untouched, to the dead-letter topic with headers naming why and where
    List<ProducerRecord<byte[], byte[]>> dead = h.committedTo(TrainerHarness.SOFT_LABELS + ".dlq");
    assertThat(dead).hasSize(1);
    ProducerRecord<byte[], byte[]> letter = dead.get(0);
    assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("c1");
    assertThat(DeadLetters.header(letter.headers(), DeadLetters.HEADER_STAGE)).isEqualTo("student-trainer");
    assertThat(DeadLetters.header(letter.headers(), DeadLetters.HEADER_EXCEPTION))
        .isEqualTo(InvalidSoftLabelException.class.getName());
    assertThat(DeadLetters.header(letter.headers(), DeadLetters.HEADER_MESSAGE))
        .isEqualTo("soft label of turn t1 has teacher index 7 outside [0, 3)");
    assertThat(DeadLetters.header(letter.headers(), DeadLetters.HEADER_SOURCE_TOPIC)).isEqualTo(TrainerHarness.SOFT_LABELS);
    assertThat(DeadLetters.header(letter.headers(), DeadLetters.HEADER_SOURCE_PARTITION)).isEqualTo("0");
    assertThat(DeadLetters.header(letter.headers(), DeadLetters.HEADER_SOURCE_OFFSET)).isEqualTo("1");
    // And the others were predicted and learned, and the committed offset covers all three
    assertThat(h.committedPredictions()).extracting(StudentPrediction::getTurnId).containsExactly("t0", "t2");
    assertThat(h.trainer.stats().deadLettered()).isEqualTo(1);
    assertThat(h.trainer.stats().turnsLearned()).isEqualTo(2);
    assertThat(h.committedOffsets()).containsExactly(Map.of(P0, offset(3, 1, 3, "")));
  }

  @Test
  void shouldCountConsumedPredictedLearnedCheckpointedAndDeadLetteredTurnsInItsPrometheusMetrics() {
    // Given six soft labels (the last one held out), then one naming teacher index 7 of 3 labels, batch size 4
    TrainerHarness h = new TrainerHarness(new TrainerHarness.Group(dir));
    h.appendTurns(0, 5, 5);
    h.appendLabel(SoftLabel.newBuilder(TrainingRecords.softLabel(6, false)).setTeacherIndex(7).build());

    // When the trainer reads them all and is stopped, 2.5 s after its last checkpoint
    h.softLabels.then(h.assign(), h.stop());
    h.run();
    h.clock.addAndGet(2_500);

    // Then the scrape holds exactly: 7 consumed, 6 predictions and 1 checkpoint produced, 1 dead letter,
    // 2 steps (4 turns, then the cut batch of t4) learning 5 turns, and the challenger after checkpoint 1
    List<PrometheusText.Sample> samples = PrometheusText.parse(ExpositionFormats.init().getPrometheusTextFormatWriter()
        .toDebugString(h.trainer.metricsRegistry().scrape()));
    Map<String, String> stage = Map.of("stage", "student-trainer");
    assertThat(PrometheusText.value(samples, "streamdistill_records_consumed_total", stage)).isEqualTo(7.0);
    assertThat(PrometheusText.value(samples, "streamdistill_records_produced_total",
        Map.of("stage", "student-trainer", "topic", TrainerHarness.PREDICTIONS))).isEqualTo(6.0);
    assertThat(PrometheusText.value(samples, "streamdistill_records_produced_total",
        Map.of("stage", "student-trainer", "topic", TrainerHarness.CHECKPOINTS))).isEqualTo(1.0);
    assertThat(PrometheusText.value(samples, "streamdistill_dead_letters_total",
        Map.of("topic", TrainerHarness.SOFT_LABELS, "reason", "InvalidSoftLabelException"))).isEqualTo(1.0);
    assertThat(PrometheusText.value(samples, "streamdistill_trainer_steps_total", Map.of())).isEqualTo(2.0);
    assertThat(PrometheusText.value(samples, "streamdistill_trainer_learned_turns_total", Map.of())).isEqualTo(5.0);
    assertThat(PrometheusText.value(samples, "streamdistill_trainer_checkpoints_total", Map.of())).isEqualTo(1.0);
    assertThat(PrometheusText.value(samples, "streamdistill_trainer_checkpoint_age_seconds", Map.of())).isEqualTo(2.5);
    assertThat(PrometheusText.value(samples, "streamdistill_trainer_loss", Map.of())).isPositive().isFinite();
    assertThat(samples).filteredOn(s -> s.name().equals("streamdistill_trainer_model_info"))
        .map(PrometheusText.Sample::labels)
        .containsExactly(Map.of("role", "challenger", "model_version", "student-v2"));
  }

  @Test
  void shouldPredictAndLearnGoldOnlyTurnsInStreamOrderExactlyOnceAcrossARevocation() throws IOException {
    // Given six turns, three of which the teacher skipped and forwarded gold-only (the first of
    // them shapes the student from its label_count), and a batch size of 4
    TrainerHarness h = new TrainerHarness(new TrainerHarness.Group(dir.resolve("rebalanced")));
    appendMixed(h);
    List<Long> atRevocation = new ArrayList<>();

    // When the partition is revoked and assigned again mid-batch, then the trainer stops
    h.softLabels.then(h.assign(),
        () -> {
          h.softLabels.rebalance(List.of());
          atRevocation.add(h.trainer.stats().predictionsAcknowledged());
          h.softLabels.rebalance(List.of(P0));
        },
        h.stop());
    h.run();

    // Then every turn has one prediction, in stream order, which says whether the teacher scored it
    assertThat(atRevocation).containsExactly(6L);
    assertThat(h.committedPredictions()).extracting(StudentPrediction::getTurnId, StudentPrediction::getTeacherScored,
        StudentPrediction::getTeacherIndex, StudentPrediction::getGoldIndex).containsExactly(
        tuple("t0", false, -1, 1), tuple("t1", true, 1, null), tuple("t2", false, -1, 0),
        tuple("t3", true, 0, null), tuple("t4", true, 1, null), tuple("t5", false, -1, 2));
    // And all six were learned, three from gold alone, each once into the weights: those of an
    // uninterrupted run (the metric counts t0 and t2 twice: learned, then learned again in the replay)
    assertThat(goldOnlyLearned(h)).isEqualTo(5.0);
    TrainerHarness uninterrupted = new TrainerHarness(new TrainerHarness.Group(dir.resolve("uninterrupted")));
    appendMixed(uninterrupted);
    uninterrupted.softLabels.then(uninterrupted.assign(), uninterrupted.stop());
    uninterrupted.run();
    assertThat(goldOnlyLearned(uninterrupted)).isEqualTo(3.0);
    assertSameWeights(dir.resolve("rebalanced/student-v1.ckpt"), dir.resolve("uninterrupted/student-v1.ckpt"));
    assertThat(ModelState.read(dir.resolve("rebalanced/student-v1.ckpt")).metadata())
        .containsEntry("samples_seen", "6");
    // And a gold-only turn moved the weights differently than had the teacher scored it
    TrainerHarness scored = new TrainerHarness(new TrainerHarness.Group(dir.resolve("scored")));
    scored.appendTurns(0, 5);
    scored.softLabels.then(scored.assign(), scored.stop());
    scored.run();
    List<Parameter> whenScored = ModelState.read(dir.resolve("scored/student-v1.ckpt")).model().parameters();
    List<Parameter> whenGoldOnly = ModelState.read(dir.resolve("uninterrupted/student-v1.ckpt")).model().parameters();
    assertThat(whenGoldOnly.get(whenGoldOnly.size() - 1).values())
        .isNotEqualTo(whenScored.get(whenScored.size() - 1).values());
  }

  private static double goldOnlyLearned(TrainerHarness h) {
    return PrometheusText.value(PrometheusText.parse(ExpositionFormats.init().getPrometheusTextFormatWriter()
        .toDebugString(h.trainer.metricsRegistry().scrape())), "streamdistill_trainer_gold_only_turns_total", Map.of());
  }

  /** Turns 0-5: 0, 2 and 5 gold-only (gold labels 1, 0, 2), the others scored by the teacher. */
  private static void appendMixed(TrainerHarness h) {
    int[] gold = {1, -1, 0, -1, -1, 2};
    for (int i = 0; i < 6; i++) {
      h.appendLabel(gold[i] < 0 ? TrainingRecords.softLabel(i, false) : TrainingRecords.goldOnly(i, gold[i], false));
    }
  }

  private static void assertSameWeights(Path actual, Path expected) throws IOException {
    List<Parameter> want = ModelState.read(expected).model().parameters();
    List<Parameter> got = ModelState.read(actual).model().parameters();
    assertThat(got).hasSameSizeAs(want);
    for (int i = 0; i < want.size(); i++) {
      assertThat(got.get(i).values()).as(want.get(i).name()).containsExactly(want.get(i).values());
    }
  }
}
