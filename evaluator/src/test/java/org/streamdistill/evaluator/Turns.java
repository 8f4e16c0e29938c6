package org.streamdistill.evaluator;

import java.time.Instant;
import java.util.List;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.StudentPrediction;

/** Test fixture: builds {@code StudentPrediction}s with just the fields the evaluator reads. */
public final class Turns {

  private Turns() {}

  /** A turn at {@code eventTimeMs} whose teacher said {@code teacher}, with an optional gold label. */
  public static StudentPrediction turn(String turnId, long eventTimeMs, int teacher, Integer gold,
      ModelPrediction... models) {
    return StudentPrediction.newBuilder()
        .setTurnId(turnId)
        .setConversationId("conv-" + turnId)
        .setEventTime(Instant.ofEpochMilli(eventTimeMs))
        .setPredictedAt(Instant.ofEpochMilli(eventTimeMs + 5))
        .setHeldOut(false)
        .setLearned(true)
        .setTeacherVersion("teacher-1")
        .setTeacherIndex(teacher)
        .setTeacherLabel("intent-" + teacher)
        .setGoldIndex(gold)
        .setGoldLabel(gold == null ? null : "intent-" + gold)
        .setPredictions(List.of(models))
        .build();
  }

  public static ModelPrediction challenger(String version, int predicted) {
    return model(version, ModelRole.CHALLENGER, predicted);
  }

  public static ModelPrediction champion(String version, int predicted) {
    return model(version, ModelRole.CHAMPION, predicted);
  }

  private static ModelPrediction model(String version, ModelRole role, int predicted) {
    return ModelPrediction.newBuilder()
        .setModelVersion(version)
        .setRole(role.wireName())
        .setPredictedIndex(predicted)
        .setPredictedLabel("intent-" + predicted)
        .setProbability(0.5f)
        .setTeacherProbability(0.25f)
        .build();
  }
}
