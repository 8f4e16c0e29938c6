package org.streamdistill.teacher.selection;

import java.util.ArrayList;
import java.util.List;

/**
 * Policy {@code uncertainty}: a turn goes to the teacher when the champion student's confidence
 * ({@link UncertaintyMeasure}) is under the threshold (reason {@code uncertain}, probability 1);
 * of the others, the audit share goes too. Until a champion exists every turn goes (reason
 * {@code all}).
 */
public final class UncertaintyPolicy implements SelectionPolicy {

  private final UncertaintyMeasure measure;
  private final double threshold;
  private final double audit;
  private final TurnDraw draws;

  public UncertaintyPolicy(UncertaintyMeasure measure, double threshold, double audit, TurnDraw draws) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("uncertainty threshold must be in (0, 1], got " + threshold);
    }
    Audit.check(audit);
    this.measure = measure;
    this.threshold = threshold;
    this.audit = audit;
    this.draws = draws;
  }

  @Override
  public List<Selection> decide(List<Candidate> window, long nowMillis) {
    List<Selection> out = new ArrayList<>(window.size());
    for (Candidate c : window) {
      if (c.studentProbabilities() == null) {
        out.add(Selection.selected(SelectionReason.ALL, 1.0));
      } else if (measure.confidence(c.studentProbabilities()) < threshold) {
        out.add(Selection.selected(SelectionReason.UNCERTAIN, 1.0));
      } else {
        out.add(Audit.orSkip(c.turnId(), audit, draws, SelectionReason.CONFIDENT));
      }
    }
    return out;
  }

  @Override
  public boolean needsStudent() {
    return true;
  }
}
