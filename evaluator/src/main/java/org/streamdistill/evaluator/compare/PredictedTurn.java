package org.streamdistill.evaluator.compare;

/**
 * One turn as a model line's learning model (its challenger) predicted it in one namespace,
 * before learning from it.
 *
 * @param turnId the turn's id, the key that pairs namespaces
 * @param predictedAt when the trainer predicted it, epoch milliseconds (orders a namespace's turns)
 * @param heldOut whether the turn was held out from training (an honest test turn)
 * @param learned whether the trainer learned from it after predicting it
 * @param agreesWithTeacher whether the prediction is the teacher's top label; null when the teacher
 *     did not score the turn (a gold-only turn its selection gate skipped)
 * @param goldCorrect whether it is the gold label; null when the turn has none
 */
public record PredictedTurn(String turnId, long predictedAt, boolean heldOut, boolean learned,
                            Boolean agreesWithTeacher, Boolean goldCorrect) {

  /** Turns whose answers a comparison counts. */
  public enum Split {
    HELD_OUT("held-out"), TRAINING("training");

    private final String label;

    Split(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    boolean contains(PredictedTurn turn) {
      return this == HELD_OUT ? turn.heldOut() : !turn.heldOut();
    }
  }

  /** What is counted right. */
  public enum Metric {
    TEACHER_AGREEMENT("agreement with the teacher"), GOLD_ACCURACY("gold accuracy");

    private final String label;

    Metric(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    /** Right or wrong; null when the metric does not apply to the turn (no gold label, no teacher verdict). */
    Boolean of(PredictedTurn turn) {
      return this == TEACHER_AGREEMENT ? turn.agreesWithTeacher() : turn.goldCorrect();
    }
  }
}
