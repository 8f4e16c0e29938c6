package org.streamdistill.evaluator.compare;

import java.time.Instant;
import java.util.List;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.StudentPrediction;

/** Prediction records for tests. */
final class Predictions {

  private Predictions() {}

  static StudentPrediction record(String turnId, long at, boolean heldOut, boolean learned, int teacher,
      int predicted, Integer gold, String version) {
    ModelPrediction challenger = ModelPrediction.newBuilder().setModelVersion(version).setRole("challenger")
        .setPredictedIndex(predicted).setPredictedLabel("label-" + predicted).setProbability(0.5f)
        .setTeacherProbability(0.4f).build();
    return StudentPrediction.newBuilder().setTurnId(turnId).setConversationId("conv")
        .setEventTime(Instant.ofEpochMilli(at)).setPredictedAt(Instant.ofEpochMilli(1_000 + at))
        .setHeldOut(heldOut).setLearned(learned).setTeacherVersion("teacher").setTeacherIndex(teacher)
        .setTeacherLabel("label-" + teacher).setGoldIndex(gold).setGoldLabel(gold == null ? null : "label-" + gold)
        .setPredictions(List.of(challenger)).build();
  }
}
