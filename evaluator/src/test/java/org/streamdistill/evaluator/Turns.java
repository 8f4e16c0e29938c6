package org.streamdistill.evaluator;

import java.time.Instant;
import java.util.List;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.StudentPrediction;

/** Test fixture: builds {@code StudentPrediction}s with just the fields the evaluator reads. */
public final class Turns {

  /** Latency of the turns {@link #turn} builds: predicted_at - event_time. */
  public static final long DEFAULT_LATENCY_MS = 5;

  private Turns() {}

  /** A turn at {@code eventTimeMs} whose teacher said {@code teacher}, with an optional gold label. */
  public static StudentPrediction turn(String turnId, long eventTimeMs, int teacher, Integer gold,
      ModelPrediction... models) {
    return timedTurn(turnId, eventTimeMs, DEFAULT_LATENCY_MS, teacher, gold, models);
  }

  /**
   * A turn predicted {@code latencyMs} after it happened. Label {@code i} is named {@link
   * #labelName(int)}: label 0 is {@code oos}.
   */
  public static StudentPrediction timedTurn(String turnId, long eventTimeMs, long latencyMs, int teacher, Integer gold,
      ModelPrediction... models) {
    return StudentPrediction.newBuilder()
        .setTurnId(turnId)
        .setConversationId("conv-" + turnId)
        .setEventTime(Instant.ofEpochMilli(eventTimeMs))
        .setPredictedAt(Instant.ofEpochMilli(eventTimeMs + latencyMs))
        .setHeldOut(false)
        .setLearned(true)
        .setTeacherVersion("teacher-1")
        .setTeacherIndex(teacher)
        .setTeacherLabel(labelName(teacher))
        .setGoldIndex(gold)
        .setGoldLabel(gold == null ? null : labelName(gold))
        .setPredictions(List.of(models))
        .build();
  }

  /** The name of label {@code index}: {@code oos} for 0, {@code intent-<index>} otherwise. */
  public static String labelName(int index) {
    return index == 0 ? "oos" : "intent-" + index;
  }

  public static ModelPrediction challenger(String version, int predicted) {
    return model(version, ModelRole.CHALLENGER, predicted);
  }

  public static ModelPrediction champion(String version, int predicted) {
    return model(version, ModelRole.CHAMPION, predicted);
  }

  public static ModelPrediction previous(String version, int predicted) {
    return model(version, ModelRole.PREVIOUS, predicted);
  }

  /** A prediction with probability 0.5 for its label, and neither KL nor cross-entropy. */
  public static ModelPrediction model(String version, ModelRole role, int predicted) {
    return model(version, role, predicted, 0.5f, null, null);
  }

  /** A prediction with the given probability of its label, KL to the teacher and gold cross-entropy. */
  public static ModelPrediction model(String version, ModelRole role, int predicted, float probability, Float kl,
      Float goldCrossEntropy) {
    return ModelPrediction.newBuilder()
        .setModelVersion(version)
        .setRole(role.wireName())
        .setPredictedIndex(predicted)
        .setPredictedLabel(labelName(predicted))
        .setProbability(probability)
        .setTeacherProbability(0.25f)
        .setKlTeacher(kl)
        .setGoldCrossEntropy(goldCrossEntropy)
        .build();
  }
}
