package org.streamdistill.teacher.selection;

/**
 * The audit share: of the turns a policy would skip, this fraction, drawn at random from each
 * turn's id, goes to the teacher anyway (reason {@link SelectionReason#AUDIT}, probability the
 * share), so that agreement measured on the teacher's turns can be weighted back to all turns.
 */
final class Audit {

  private Audit() {}

  static void check(double share) {
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException("audit share must be in [0, 1], got " + share);
    }
  }

  /** The decision for a turn the policy itself skips for {@code skipReason}. */
  static Selection orSkip(String turnId, double share, TurnDraw draws, String skipReason) {
    if (share > 0 && draws.draw(turnId, TurnDraw.Purpose.AUDIT) < share) {
      return Selection.selected(SelectionReason.AUDIT, share);
    }
    return Selection.skipped(skipReason);
  }
}
