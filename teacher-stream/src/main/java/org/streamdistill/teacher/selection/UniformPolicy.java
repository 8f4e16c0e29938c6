package org.streamdistill.teacher.selection;

import java.util.ArrayList;
import java.util.List;

/**
 * Policy {@code uniform}: each turn goes to the teacher with probability {@code audit + (1 -
 * audit) * rate}, drawn from its id; the student is not consulted. The baseline that active
 * choice has to beat at the same number of teacher calls.
 */
public final class UniformPolicy implements SelectionPolicy {

  private final double rate;
  private final double audit;
  private final TurnDraw draws;

  public UniformPolicy(double rate, double audit, TurnDraw draws) {
    if (!(rate > 0 && rate <= 1)) {
      throw new IllegalArgumentException("uniform rate must be in (0, 1], got " + rate);
    }
    Audit.check(audit);
    this.rate = rate;
    this.audit = audit;
    this.draws = draws;
  }

  @Override
  public List<Selection> decide(List<Candidate> window, long nowMillis) {
    double probability = audit + (1 - audit) * rate;
    List<Selection> out = new ArrayList<>(window.size());
    for (Candidate c : window) {
      if (draws.draw(c.turnId(), TurnDraw.Purpose.AUDIT) < audit) {
        out.add(Selection.selected(SelectionReason.AUDIT, probability));
      } else if (draws.draw(c.turnId(), TurnDraw.Purpose.UNIFORM) < rate) {
        out.add(Selection.selected(SelectionReason.UNIFORM, probability));
      } else {
        out.add(Selection.skipped(SelectionReason.NOT_DRAWN));
      }
    }
    return out;
  }

  @Override
  public boolean needsStudent() {
    return false;
  }
}
