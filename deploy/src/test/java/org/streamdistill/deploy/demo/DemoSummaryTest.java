package org.streamdistill.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.job.TeacherJobConfig;

class DemoSummaryTest {

  @Test
  void shouldSayThereWereNoOutOfScopeTurnsInsteadOfNaN() {
    DemoSummary summary = new DemoSummary();

    assertThat(summary.toText()).contains("no out-of-scope turns").doesNotContain("NaN recall")
        .doesNotContain("oos recall NaN");
    assertThat(summary.toJson().get("teacher_oos_recall").isNull()).isTrue();
  }

  @Test
  void shouldSayHowLongTheTeacherJobTookToOpenApartFromThePipelinesTime() {
    DemoSummary summary = new DemoSummary();
    summary.turnsProduced = 1_000;
    summary.fitSeconds = 60;
    summary.teacherOpenSeconds = 4.25;
    summary.pipelineSeconds = 10;
    summary.wallSeconds = 90;

    assertThat(summary.toText()).contains("100 turns/s end to end (10.0 s pipeline)")
        .contains("90.0 s (teacher fit 60.0 s, teacher job opening 4.3 s)");
    assertThat(summary.toJson().get("teacher_open_seconds").asDouble()).isEqualTo(4.25);
  }

  @Test
  void shouldStateThePolicyTheTeacherCallsMadeAndSavedAndTheAccuraciesFromTheRecords() {
    // Given 20 turns produced, one of them dead-lettered by the teacher job; the teacher scored 8:
    //   4 training turns (selected as 'uncertain', probability 1)
    //   4 held-out in-scope turns: two uncertain (right, wrong), two audited at 0.25 (both right)
    // and the gate skipped 11 (as its counters say: 9 confident, 2 over budget), 3 of them gold-only
    DemoSummary summary = new DemoSummary();
    summary.turnsProduced = 20;
    summary.trainingTurnsProduced = 15;
    summary.turnDeadLetters = 1;
    List<SoftLabel> labels = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      labels.add(label("train-" + i, false, 1, null, "uncertain", 1.0));
    }
    labels.add(label("test-0", true, 2, 2, "uncertain", 1.0));
    labels.add(label("test-1", true, 1, 2, "uncertain", 1.0));
    labels.add(label("test-2", true, 3, 3, "audit", 0.25));
    labels.add(label("test-3", true, 0, 0, "audit", 0.25));
    labels.add(goldOnly("train-9", "confident"));
    labels.add(goldOnly("train-10", "confident"));
    labels.add(goldOnly("train-11", "over-budget"));

    // When
    summary.addSoftLabels(labels, "oos");
    summary.addSelection("uncertainty (top-probability < 0.7), audit 0.25",
        Map.of("confident", 9L, "over-budget", 2L, "not-drawn", 0L));

    // Then: 8 calls made; 20 - 8 - 1 = 11 saved, 11 / 19 of the turns the gate saw; teacher right
    // on 3 of its 4 held-out in-scope turns, weighted (1 + 4 + 4) / (1 + 1 + 4 + 4) = 0.9
    assertThat(summary.teacherCalls()).isEqualTo(8);
    assertThat(summary.turnsSkipped()).isEqualTo(11);
    assertThat(summary.callsSavedShare()).isEqualTo(11.0 / 19);
    assertThat(summary.toText())
        .contains("  selection policy       uncertainty (top-probability < 0.7), audit 0.25\n")
        .contains("  teacher calls          8 made, 11 saved (57.9 % of the 19 turns the gate saw); 4 of the 15 "
            + "training turns scored (26.7 %)\n")
        .contains("  turns skipped          by reason {confident=9, over-budget=2}; 3 of them with a gold label went "
            + "on to the student gold-only {confident=2, over-budget=1}\n")
        .contains("  teacher                teacher-v1: in-scope test accuracy 0.7500 (4 turns it scored; weighted by"
            + " 1 / selection probability 0.9000), no out-of-scope turns\n");
    JsonNode selection = summary.toJson().get("selection");
    assertThat(selection.get("policy").asText()).isEqualTo("uncertainty (top-probability < 0.7), audit 0.25");
    assertThat(List.of(selection.get("teacher_calls").asLong(), selection.get("turns_skipped").asLong(),
        selection.get("gold_only").asLong(), selection.get("skipped_by_reason").get("confident").asLong(),
        selection.get("gold_only_by_reason").get("over-budget").asLong())).containsExactly(8L, 11L, 3L, 9L, 1L);
    assertThat(selection.get("skipped_by_reason").has("not-drawn")).isFalse();
    assertThat(selection.get("calls_saved_share").asDouble()).isEqualTo(11.0 / 19);
    assertThat(selection.get("training_teacher_calls").asLong()).isEqualTo(4);
    assertThat(selection.get("training_turns").asLong()).isEqualTo(15);
    assertThat(summary.toJson().get("teacher_test_accuracy").asDouble()).isEqualTo(0.75);
    assertThat(summary.toJson().get("teacher_test_accuracy_weighted").asDouble()).isEqualTo(0.9);
    // and the student is compared with the weighted estimate, not with the hard turns the teacher scored
    assertThat(summary.teacherAccuracyEstimate()).isEqualTo(0.9);
  }

  @Test
  void shouldCountTheFallbackTeachersLabelsApartFromTheTeachersCallsAndItsAccuracy() {
    // Given 6 turns: the teacher scored 2 (one held out, right), the gate skipped 4, of which the
    // fallback teacher scored 3 (one held out, wrong) and one went on gold-only
    DemoSummary summary = new DemoSummary();
    summary.turnsProduced = 6;
    summary.trainingTurnsProduced = 4;
    summary.addSoftLabels(List.of(label("a", false, 1, null, "budget", 1.0), label("t1", true, 2, 2, "budget", 1.0),
        fallback("b", false, 1, null), fallback("c", false, 1, 1), fallback("t2", true, 3, 2),
        goldOnly("d", "over-budget")), "oos");
    summary.addSelection("budget of 2.0 turns/s (window 1000 ms, by top-probability), audit 0.05; the turns it skips "
        + "scored by fallback teacher bundles/int8", Map.of("over-budget", 4L));

    // Then the fallback's labels are neither teacher calls nor in the teacher's accuracy, and are stated
    assertThat(summary.teacherCalls()).isEqualTo(2);
    assertThat(summary.turnsSkipped()).isEqualTo(4);
    assertThat(summary.teacherInScope).isEqualTo(new DemoSummary.Accuracy(1, 1));
    assertThat(summary.toText())
        .contains("  fallback teacher       cheap-v1 scored 3 of the skipped turns {over-budget=3} (not teacher calls; "
            + "left out of the teacher's figures)\n")
        .contains("1 of them with a gold label went on to the student gold-only {over-budget=1}")
        .contains("  teacher                teacher-v1: in-scope test accuracy 1.0000 (1 turns), ");
    JsonNode selection = summary.toJson().get("selection");
    assertThat(selection.get("fallback_teacher").asText()).isEqualTo("cheap-v1");
    assertThat(List.of(selection.get("fallback_calls").asLong(), selection.get("teacher_calls").asLong(),
        selection.get("fallback_by_reason").get("over-budget").asLong())).containsExactly(3L, 2L, 3L);
  }

  @Test
  void shouldHandTheFallbackTeacherToItsTeacherJobAndRefuseOneWithoutAGateOrABundle(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    // Given a fitted bundle's manifest (all the demo checks before it starts)
    java.nio.file.Files.writeString(dir.resolve("bundle.json"), "{}");

    DemoConfig config = DemoConfig.parse(List.of("--teacher.selection.policy", "budget",
        "--teacher.fallback.bundle", dir.toString(), "--teacher.fallback.max-turns-per-second", "30"), Map.of());

    assertThat(config.teacherSelection()).containsEntry(TeacherJobConfig.FALLBACK_BUNDLE, dir.toString())
        .containsEntry(TeacherJobConfig.FALLBACK_MAX_TURNS_PER_SECOND, "30.0");
    assertThat(config.describeSelection()).endsWith("; the turns it skips scored by fallback teacher " + dir
        + " (at most 30.0 turns/s)");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DemoConfig.parse(List.of("--teacher.fallback.bundle",
        dir.toString()), Map.of())).isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
        .hasMessageContaining("teacher.selection.policy=all skips none");
    config.checkFallbackBundle();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DemoConfig.parse(List.of("--teacher.selection.policy",
        "budget", "--teacher.fallback.bundle", dir.resolve("missing").toString()), Map.of()).checkFallbackBundle())
        .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
        .hasMessageContaining("no teacher bundle there");
  }

  @Test
  void shouldSayNothingWasSavedUnderPolicyAll() {
    DemoSummary summary = new DemoSummary();
    summary.turnsProduced = 3;
    summary.addSoftLabels(List.of(label("a", false, 1, null, "all", 1.0), label("b", false, 1, null, "all", 1.0),
        label("c", true, 1, 1, "all", 1.0)), "oos");
    summary.addSelection("all", Map.of());

    assertThat(summary.toText()).contains("  selection policy       all\n")
        .contains("  teacher calls          3 made, 0 saved (0.0 % of the 3 turns the gate saw)\n")
        .doesNotContain("turns skipped").contains("in-scope test accuracy 1.0000 (1 turns), ");
    assertThat(summary.toJson().get("teacher_test_accuracy_weighted").isNull()).isTrue();
  }

  @Test
  void shouldNotCallAnAccuracyWeightedWhenEveryHeldOutTurnWeighedTheSame() {
    // Given 11 held-out turns all drawn at 0.335 (uniform 0.3 with audit 0.05), the first right: the
    // weighted share, summed in doubles, is 1 ulp off 1/11
    DemoSummary summary = new DemoSummary();
    summary.turnsProduced = 11;
    List<SoftLabel> labels = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      labels.add(label("t" + i, true, i == 0 ? 1 : 2, 1, "uniform", 0.335));
    }
    summary.addSoftLabels(labels, "oos");

    assertThat(summary.toText()).contains("in-scope test accuracy 0.0909 (11 turns), ").doesNotContain("weighted");
    assertThat(summary.teacherAccuracyEstimate()).isEqualTo(1 / 11.0);
    assertThat(summary.toJson().get("teacher_test_accuracy_weighted").isNull()).isTrue();
  }

  @Test
  void shouldReadTheTeachersSkipCountersByReasonGoldOrNot() {
    PrometheusRegistry registry = new PrometheusRegistry();
    Counter skipped = Counter.builder().name("streamdistill_teacher_skipped_turns_total").labelNames("reason", "gold")
        .register(registry);
    skipped.labelValues("confident", "true").inc(2);
    skipped.labelValues("confident", "false").inc(5);
    skipped.labelValues("over-budget", "false").inc(1);

    assertThat(DemoCommand.skippedTurns(registry)).containsExactly(Map.entry("confident", 7L),
        Map.entry("over-budget", 1L));
    assertThat(DemoCommand.skippedWithoutGold(registry)).isEqualTo(6L);
  }

  @Test
  void shouldNotWaitForNothingFromSkippedTurnsTheFallbackTeacherTook() {
    // Given 6 skipped turns without gold and 2 with, of which the fallback teacher took 4 and 1
    PrometheusRegistry registry = new PrometheusRegistry();
    Counter skipped = Counter.builder().name("streamdistill_teacher_skipped_turns_total").labelNames("reason", "gold")
        .register(registry);
    skipped.labelValues("over-budget", "false").inc(6);
    skipped.labelValues("over-budget", "true").inc(2);
    Counter fallback = Counter.builder().name("streamdistill_teacher_fallback_turns_total").labelNames("gold")
        .register(registry);
    fallback.labelValues("false").inc(4);
    fallback.labelValues("true").inc(1);

    // Then the turns that produce no record are the 2 unlabelled ones the fallback did not take
    assertThat(DemoCommand.skippedWithoutGold(registry)).isEqualTo(2L);
    assertThat(DemoCommand.skippedTurns(registry)).containsExactly(Map.entry("over-budget", 8L));
  }

  @Test
  void shouldStreamOnlyTheTrainingPartTheHeadsDidNotSeeWhenToldAndSaySo() {
    DemoConfig config = DemoConfig.parse(List.of("--stream-from", "0.5"), Map.of());
    assertThat(config.streamFrom()).isEqualTo(0.5);
    assertThat(DemoConfig.parse(List.of(), Map.of()).streamFrom()).isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DemoConfig.parse(List.of("--stream-from", "1"),
        Map.of())).isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
        .hasMessageContaining(DemoConfig.STREAM_FROM);

    DemoSummary summary = new DemoSummary();
    summary.turnsProduced = 13_129;
    summary.trainPasses = 1;
    summary.goldFraction = 0.1;
    summary.streamFrom = 0.5;
    assertThat(summary.toText()).contains("13,129 (1 training passes of the training turns at or above 0.5 of the "
        + "split by text hash + held-out test, gold on 10 % of training turns)");
    assertThat(summary.toJson().get("stream_from").asDouble()).isEqualTo(0.5);
  }

  @Test
  void shouldHandTheTeacherSelectionSettingsOfItsCommandLineToItsTeacherJob() {
    DemoConfig config = DemoConfig.parse(List.of("--teacher.selection.policy", "uniform",
        "--teacher.selection.uniform.rate", "0.2", "--teacher.selection.audit.share", "0.1"), Map.of());

    assertThat(config.teacherSelection()).containsEntry(TeacherJobConfig.SELECTION_POLICY, "uniform")
        .containsEntry(TeacherJobConfig.SELECTION_UNIFORM_RATE, "0.2");
    assertThat(config.describeSelection()).isEqualTo("uniform at rate 0.2, audit 0.1");
  }

  @Test
  void shouldHandTheTrainerSettingsOfItsCommandLineToItsTrainerAndStateThem() {
    // Given a demo told to replay more and to checkpoint sooner
    DemoConfig config = DemoConfig.parse(List.of("--trainer.replay.batches", "28",
        "--trainer.checkpoint.every-samples", "500", "--trainer.learning-rate", "0.005"), Map.of());

    // Then the trainer gets the two that differ from its defaults, and the summary names them
    assertThat(config.trainer()).containsExactly(Map.entry(TrainerConfig.CHECKPOINT_EVERY_SAMPLES, "500"),
        Map.entry(TrainerConfig.REPLAY_BATCHES, "28"));
    DemoSummary summary = new DemoSummary();
    summary.trainerSettings = config.trainer();
    assertThat(summary.toText())
        .contains("  trainer settings       trainer.checkpoint.every-samples=500, trainer.replay.batches=28\n");
    assertThat(summary.toJson().get("trainer_settings").get(TrainerConfig.REPLAY_BATCHES).asText()).isEqualTo("28");

    // And without any, the summary says the defaults were used
    assertThat(DemoConfig.parse(List.of(), Map.of()).trainer()).isEmpty();
    assertThat(new DemoSummary().toText()).contains("  trainer settings       the trainer's defaults\n");
  }

  @Test
  void shouldRefuseATrainerSettingOutOfItsRangeNamingIt() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DemoConfig.parse(List.of("--trainer.replay.batches",
        "99"), Map.of())).isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
        .hasMessageContaining(TrainerConfig.REPLAY_BATCHES);
  }

  private static SoftLabel label(String turn, boolean heldOut, int teacher, Integer gold, String reason,
                                 double probability) {
    return SoftLabel.newBuilder().setTurnId(turn).setConversationId("c-" + turn).setTurnIndex(0)
        .setEventTime(Instant.EPOCH).setScoredAt(Instant.EPOCH).setTokenIds(List.of(101, 102))
        .setLogits(List.of(0f, 1f, 2f, 3f)).setTemperature(2f).setTeacherVersion("teacher-v1").setLabelSetId("four")
        .setTeacherIndex(teacher).setTeacherLabel("label-" + teacher).setGoldIndex(gold)
        .setGoldLabel(gold == null ? null : "label-" + gold).setHeldOut(heldOut).setSelectionReason(reason)
        .setSelectionProbability(probability).setLabelCount(4).build();
  }

  private static SoftLabel fallback(String turn, boolean heldOut, int teacher, Integer gold) {
    return SoftLabel.newBuilder(label(turn, heldOut, teacher, gold, "over-budget", 1.0)).setFallbackScored(true)
        .setTeacherVersion("cheap-v1").build();
  }

  private static SoftLabel goldOnly(String turn, String reason) {
    return SoftLabel.newBuilder(label(turn, false, 0, 1, reason, 1.0)).setLogits(List.of()).setTeacherIndex(-1)
        .setTeacherLabel("").setTeacherScored(false).build();
  }
}
