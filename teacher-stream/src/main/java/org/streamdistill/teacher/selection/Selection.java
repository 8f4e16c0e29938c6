package org.streamdistill.teacher.selection;

/**
 * The gate's decision for one turn.
 *
 * @param toTeacher whether the teacher scores the turn
 * @param reason why (a {@link SelectionReason} constant): a selection reason when {@code
 *     toTeacher}, a skip reason otherwise
 * @param probability for a selected turn, the probability that a turn like it is selected, in (0,
 *     1]; weights of 1 / probability make estimates over selected turns unbiased for all turns
 */
public record Selection(boolean toTeacher, String reason, double probability) {

  public Selection {
    if (toTeacher && !(probability > 0 && probability <= 1)) {
      throw new IllegalArgumentException("a selected turn's probability must be in (0, 1], got " + probability);
    }
  }

  static Selection selected(String reason, double probability) {
    return new Selection(true, reason, probability);
  }

  static Selection skipped(String reason) {
    return new Selection(false, reason, 0);
  }
}
