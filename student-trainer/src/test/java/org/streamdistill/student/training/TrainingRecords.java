package org.streamdistill.student.training;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.SoftLabel;

/** Records the trainer's tests feed it: soft labels of a three-label set, promotion events of model line "student". */
final class TrainingRecords {

  private TrainingRecords() {}

  /** A valid soft label of turn {@code i}: a few tokens that depend on i, the teacher's label i mod 3. */
  static SoftLabel softLabel(int i, boolean heldOut) {
    int label = i % 3;
    List<Float> logits = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      logits.add(c == label ? 3f : (float) -c);
    }
    return SoftLabel.newBuilder().setTurnId("t" + i).setConversationId("c" + i).setTurnIndex(0)
        .setEventTime(Instant.ofEpochMilli(10_000 + i)).setScoredAt(Instant.ofEpochMilli(10_001 + i))
        .setTokenIds(List.of(101, 2000 + label * 10 + i % 5, 3000 + i, 102)).setTruncated(false)
        .setLogits(logits).setTemperature(2f).setTeacherVersion("teacher-test").setLabelSetId("labels-test")
        .setTeacherIndex(label).setTeacherLabel("intent-" + label).setHeldOut(heldOut).build();
  }

  /**
   * The gold-only record of turn {@code i} (the teacher's gate skipped it): the tokens of {@link
   * #softLabel}, gold label {@code gold}, no logits and no teacher verdict.
   */
  static SoftLabel goldOnly(int i, int gold, boolean heldOut) {
    return SoftLabel.newBuilder(softLabel(i, heldOut)).setLogits(List.of()).setTeacherIndex(-1).setTeacherLabel("")
        .setGoldIndex(gold).setGoldLabel("intent-" + gold).setTeacherScored(false).setLabelCount(3)
        .setSelectionReason("confident").build();
  }

  static PromotionEvent promotion(String decision, String from, String to, String comparison) {
    return PromotionEvent.newBuilder().setModelName("student").setDecision(decision).setFromVersion(from)
        .setToVersion(to).setDecidedAt(Instant.ofEpochMilli(20_000)).setPairedTurns(100)
        .setChallengerOnlyCorrect(0).setChampionOnlyCorrect(0).setChampionScore(0.5).setChallengerScore(0.5)
        .setMetric("teacher").setReason("test").setComparison(comparison).build();
  }
}
