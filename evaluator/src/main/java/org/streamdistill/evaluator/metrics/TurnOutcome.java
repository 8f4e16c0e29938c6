package org.streamdistill.evaluator.metrics;

import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.StudentPrediction;

/**
 * How one model did on one turn: whether its top label was the teacher's, and, when the turn
 * has a gold label, whether it was the gold one.
 *
 * @param agreesWithTeacher {@code predicted_index == teacher_index}
 * @param hasGold whether the turn carried a gold label
 * @param goldCorrect {@code predicted_index == gold_index}; false when there is no gold label
 */
public record TurnOutcome(boolean agreesWithTeacher, boolean hasGold, boolean goldCorrect) {

  private static final int AGREES = 1;
  private static final int HAS_GOLD = 2;
  private static final int GOLD_CORRECT = 4;

  public TurnOutcome {
    if (goldCorrect && !hasGold) {
      throw new IllegalArgumentException("a turn without a gold label cannot be gold-correct");
    }
  }

  /** The outcome of {@code model}'s answer to {@code turn}. */
  public static TurnOutcome of(StudentPrediction turn, ModelPrediction model) {
    Objects.requireNonNull(turn, "turn");
    Objects.requireNonNull(model, "model");
    Integer gold = turn.getGoldIndex();
    return new TurnOutcome(
        model.getPredictedIndex() == turn.getTeacherIndex(),
        gold != null,
        gold != null && model.getPredictedIndex() == gold);
  }

  /** A one-byte serde (three flag bits). */
  public static Serde<TurnOutcome> serde() {
    Serializer<TurnOutcome> serializer = (topic, outcome) -> outcome == null ? null : new byte[] {
        (byte) ((outcome.agreesWithTeacher ? AGREES : 0) | (outcome.hasGold ? HAS_GOLD : 0)
            | (outcome.goldCorrect ? GOLD_CORRECT : 0))};
    Deserializer<TurnOutcome> deserializer = (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      if (bytes.length != 1) {
        throw new SerializationException("a TurnOutcome is 1 byte, got " + bytes.length + " on " + topic);
      }
      int flags = bytes[0];
      return new TurnOutcome((flags & AGREES) != 0, (flags & HAS_GOLD) != 0, (flags & GOLD_CORRECT) != 0);
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
