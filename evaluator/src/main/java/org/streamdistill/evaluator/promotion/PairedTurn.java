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
 * @param previousVersion version of the previous champion (role {@code previous}) the trainer
 *     keeps after a promotion, null when the turn has none
 * @param previousAgreesWithTeacher previous champion's top label is the teacher's (false without one)
 * @param previousGoldCorrect previous champion's top label is the gold one (false without gold or one)
 * @param teacherScored false for a gold-only turn (the teacher's selection gate skipped it): no
 *     evidence about agreement with the teacher, only about gold accuracy
 * @param weight 1 / the turn's selection probability: how many turns of the stream it stands for
 *     in the teacher-agreement comparison (gold comparisons weigh every turn 1, as every
 *     gold-labelled turn reaches the student)
 */
public record PairedTurn(
    String challengerVersion,
    String championVersion,
    boolean challengerAgreesWithTeacher,
    boolean championAgreesWithTeacher,
    boolean hasGold,
    boolean challengerGoldCorrect,
    boolean championGoldCorrect,
    long eventTimeMs,
    String previousVersion,
    boolean previousAgreesWithTeacher,
    boolean previousGoldCorrect,
    boolean teacherScored,
    double weight) {

  public PairedTurn {
    Objects.requireNonNull(challengerVersion, "challengerVersion");
    if (!(weight >= 1) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException("a turn's weight (1 / selection probability) must be finite and >= 1, got "
          + weight);
    }
  }

  /** A turn the teacher scored, of weight 1. */
  public PairedTurn(String challengerVersion, String championVersion, boolean challengerAgreesWithTeacher,
      boolean championAgreesWithTeacher, boolean hasGold, boolean challengerGoldCorrect, boolean championGoldCorrect,
      long eventTimeMs, String previousVersion, boolean previousAgreesWithTeacher, boolean previousGoldCorrect) {
    this(challengerVersion, championVersion, challengerAgreesWithTeacher, championAgreesWithTeacher, hasGold,
        challengerGoldCorrect, championGoldCorrect, eventTimeMs, previousVersion, previousAgreesWithTeacher,
        previousGoldCorrect, true, 1.0);
  }

  /** A turn without a previous champion. */
  public PairedTurn(String challengerVersion, String championVersion, boolean challengerAgreesWithTeacher,
      boolean championAgreesWithTeacher, boolean hasGold, boolean challengerGoldCorrect, boolean championGoldCorrect,
      long eventTimeMs) {
    this(challengerVersion, championVersion, challengerAgreesWithTeacher, championAgreesWithTeacher, hasGold,
        challengerGoldCorrect, championGoldCorrect, eventTimeMs, null, false, false);
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
    ModelPrediction previous = champion == null ? null : first(turn, ModelRole.PREVIOUS);
    Integer gold = turn.getGoldIndex();
    boolean scored = turn.getTeacherScored();
    // A gold-only turn's teacher index (-1) matches no prediction: it agrees with no teacher.
    int teacher = turn.getTeacherIndex();
    return Optional.of(new PairedTurn(
        challenger.getModelVersion(),
        champion == null ? null : champion.getModelVersion(),
        challenger.getPredictedIndex() == teacher,
        champion != null && champion.getPredictedIndex() == teacher,
        gold != null,
        gold != null && challenger.getPredictedIndex() == gold,
        gold != null && champion != null && champion.getPredictedIndex() == gold,
        turn.getEventTime().toEpochMilli(),
        previous == null ? null : previous.getModelVersion(),
        previous != null && previous.getPredictedIndex() == teacher,
        gold != null && previous != null && previous.getPredictedIndex() == gold,
        scored,
        org.streamdistill.evaluator.metrics.TurnOutcome.weightOf(turn.getSelectionProbability())));
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
