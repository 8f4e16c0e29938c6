package org.streamdistill.deploy.bench;

import java.util.ArrayList;
import java.util.List;
import org.streamdistill.teacher.model.SoftLabels;
import org.streamdistill.teacher.model.TeacherScore;

/**
 * A teacher that escalates ({@code bench teachers --bench.teachers.escalate BASE>STRONG}): the base
 * teacher scores every turn it is given; where its own calibrated top probability (softmax of its
 * logits) is under a threshold, the strong teacher scores the turn too and its output replaces the
 * base's. The strong teacher's cost is paid only on those turns, so a cheap teacher buys a strong
 * one's labels where it is unsure itself, which is where the two disagree most.
 *
 * <p>Built from the two teachers' outputs on the same turns (the bench scores every turn with
 * both), so the escalated outputs are exactly what the two would produce in turn; the token ids
 * stay the base's, as one teacher's would.
 */
final class Escalation {

  private final double below;

  /** @param below the base's top probability under which a turn escalates, in (0, 1] */
  Escalation(double below) {
    if (!(below > 0 && below <= 1)) {
      throw new IllegalArgumentException("the escalation threshold must be in (0, 1], got " + below);
    }
    this.below = below;
  }

  /** The escalated outputs of one set of turns, and which turns escalated. */
  record Outputs(List<TeacherScore> scores, boolean[] escalated) {

    /** The share of the turns that escalated. */
    double share() {
      return share(escalated.length);
    }

    /** The share of the first {@code n} turns that escalated. */
    double share(int n) {
      int k = Math.min(n, escalated.length);
      long e = 0;
      for (int i = 0; i < k; i++) {
        e += escalated[i] ? 1 : 0;
      }
      return k == 0 ? 0 : e / (double) k;
    }
  }

  /**
   * @param base the base teacher's outputs
   * @param strong the strong teacher's outputs for the same turns, over the same labels in the same order
   */
  Outputs apply(List<TeacherScore> base, List<TeacherScore> strong) {
    if (base.size() != strong.size()) {
      throw new IllegalArgumentException("the two teachers scored " + base.size() + " and " + strong.size()
          + " turns: not the same turns");
    }
    List<TeacherScore> out = new ArrayList<>(base.size());
    boolean[] escalated = new boolean[base.size()];
    for (int i = 0; i < base.size(); i++) {
      TeacherScore b = base.get(i);
      escalated[i] = topProbability(b.logits()) < below;
      if (escalated[i]) {
        TeacherScore s = strong.get(i);
        out.add(new TeacherScore(b.tokenIds(), b.truncated(), s.logits(), s.topIndex()));
      } else {
        out.add(b);
      }
    }
    return new Outputs(out, escalated);
  }

  static double topProbability(float[] logits) {
    double top = 0;
    for (float p : SoftLabels.softmax(logits, 1.0)) {
      top = Math.max(top, p);
    }
    return top;
  }

  /**
   * The escalated teacher's rate on turns of which {@code share} escalate: the base scores each,
   * and the strong one (whole: the job would run it as it is) those that escalate.
   */
  static double turnsPerSecond(double baseTurnsPerSecond, double strongTurnsPerSecond, double share) {
    return 1 / (1 / baseTurnsPerSecond + share / strongTurnsPerSecond);
  }
}
