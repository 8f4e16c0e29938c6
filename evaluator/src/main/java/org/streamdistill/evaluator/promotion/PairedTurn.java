package org.streamdistill.evaluator.promotion;

import java.util.Objects;
import java.util.Optional;
import org.streamdistill.evaluator.ModelRole;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.StudentPrediction;

/**
 * What the promotion policy needs from one turn: who answered and whether each answer was
 * right, against the teacher and, when the turn has one, against the gold label.
 *
 * @param challengerVersion version of the learning model
 * @param championVersion version of the serving model, null when there is none yet
 * @param challengerAgreesWithTeacher challenger's top label is the teacher's
 * @param championAgreesWithTeacher champion's top label is the teacher's (false without champion)
 * @param hasGold the turn carries a gold label
 * @param challengerGoldCorrect challenger's top label is the gold one (false without gold)
 * @param championGoldCorrect champion's top label is the gold one (false without gold or champion)
 * @param eventTimeMs when the turn happened, epoch milliseconds
 */
public record PairedTurn(
    String challengerVersion,
    String championVersion,
    boolean challengerAgreesWithTeacher,
    boolean championAgreesWithTeacher,
    boolean hasGold,
    boolean challengerGoldCorrect,
    boolean championGoldCorrect,
    long eventTimeMs) {

  public PairedTurn {
    Objects.requireNonNull(challengerVersion, "challengerVersion");
  }

  /** Whether both a champion and a challenger answered this turn. */
  public boolean isPaired() {
    return championVersion != null;
  }

  /**
   * The turn as the policy sees it, or empty when no challenger answered it (nothing to
   * evaluate). A prediction list with several entries of one role uses the first.
   */
  public static Optional<PairedTurn> from(StudentPrediction turn) {
    ModelPrediction challenger = first(turn, ModelRole.CHALLENGER);
    if (challenger == null) {
      return Optional.empty();
    }
    ModelPrediction champion = first(turn, ModelRole.CHAMPION);
    Integer gold = turn.getGoldIndex();
    int teacher = turn.getTeacherIndex();
    return Optional.of(new PairedTurn(
        challenger.getModelVersion(),
        champion == null ? null : champion.getModelVersion(),
        challenger.getPredictedIndex() == teacher,
        champion != null && champion.getPredictedIndex() == teacher,
        gold != null,
        gold != null && challenger.getPredictedIndex() == gold,
        gold != null && champion != null && champion.getPredictedIndex() == gold,
        turn.getEventTime().toEpochMilli()));
  }

  private static ModelPrediction first(StudentPrediction turn, ModelRole role) {
    for (ModelPrediction prediction : turn.getPredictions()) {
      if (role.matches(prediction.getRole())) {
        return prediction;
      }
    }
    return null;
  }
}
