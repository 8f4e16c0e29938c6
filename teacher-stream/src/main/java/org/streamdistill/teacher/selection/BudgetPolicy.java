package org.streamdistill.teacher.selection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Policy {@code budget}: at most {@code turnsPerSecond} turns a second go to the teacher for the
 * policy, the most uncertain of each window first (reason {@code budget}, probability 1: given the
 * window, the choice is certain); of the turns left over, the audit share goes too. So the
 * teacher's load stays under {@code turnsPerSecond + audit x offered load} whatever is offered:
 * set the budget below what the teacher scores by at least that audit margin.
 *
 * <p>The budget is a token bucket: it refills at {@code turnsPerSecond} and holds at most {@code
 * turnsPerSecond x windowMillis / 1000} turns (at least one), so a quiet spell cannot be saved up
 * into a long burst. Until a champion exists the window's turns are ranked by a random draw
 * instead of the student's confidence: the bound holds from the first turn.
 *
 * <p>A rate alone cannot bound the lag: what the teacher scores in the job depends on what else
 * the machine does (a peak also costs the producer, the broker and the gate) and on its batches
 * (small under a budget). Measured in 3x peaks on two cores, a job whose JIT was still compiling
 * scored 43 to 64 turns/s against 118 for the teacher alone, so a budget set from the latter kept
 * the job falling behind. So the budget also has a lag bound ({@code maxLagMillis}, 0: none): a
 * turn that reaches the gate more than that long after it entered its topic gets no budget
 * (reason {@code behind}; the audit share still goes), and the tokens it does not spend stay in
 * the bucket. The job then passes turns at the gate's speed until it has caught up, whatever the
 * teacher's speed under load.
 */
public final class BudgetPolicy implements SelectionPolicy {

  private final double turnsPerSecond;
  private final double capacity;
  private final UncertaintyMeasure measure;
  private final double audit;
  private final long maxLagMillis;
  private final TurnDraw draws;
  private double tokens;
  private long lastRefill = Long.MIN_VALUE;

  /** A budget without a lag bound. */
  public BudgetPolicy(double turnsPerSecond, long windowMillis, UncertaintyMeasure measure, double audit,
                      TurnDraw draws) {
    this(turnsPerSecond, windowMillis, 0, measure, audit, draws);
  }

  /**
   * @param maxLagMillis turns older than this at the gate get no budget; 0: no lag bound
   */
  public BudgetPolicy(double turnsPerSecond, long windowMillis, long maxLagMillis, UncertaintyMeasure measure,
                      double audit, TurnDraw draws) {
    if (!(turnsPerSecond > 0) || Double.isInfinite(turnsPerSecond)) {
      throw new IllegalArgumentException("budget must be > 0 turns per second, got " + turnsPerSecond);
    }
    if (windowMillis <= 0) {
      throw new IllegalArgumentException("budget window must be > 0 ms, got " + windowMillis);
    }
    if (maxLagMillis < 0) {
      throw new IllegalArgumentException("budget lag bound must be >= 0 ms (0: none), got " + maxLagMillis);
    }
    Audit.check(audit);
    this.maxLagMillis = maxLagMillis;
    this.turnsPerSecond = turnsPerSecond;
    this.capacity = Math.max(1.0, turnsPerSecond * windowMillis / 1000.0);
    this.measure = measure;
    this.audit = audit;
    this.draws = draws;
    this.tokens = capacity;
  }

  @Override
  public List<Selection> decide(List<Candidate> window, long nowMillis) {
    refill(nowMillis);
    int n = window.size();
    double[] confidence = new double[n];
    List<Integer> order = new ArrayList<>(n);
    Selection[] out = new Selection[n];
    for (int i = 0; i < n; i++) {
      Candidate c = window.get(i);
      if (behind(c, nowMillis)) {
        out[i] = Audit.orSkip(c.turnId(), audit, draws, SelectionReason.BEHIND);
        continue;
      }
      confidence[i] = c.studentProbabilities() != null ? measure.confidence(c.studentProbabilities())
          : draws.draw(c.turnId(), TurnDraw.Purpose.TIE_BREAK);
      order.add(i);
    }
    order.sort(Comparator.comparingDouble((Integer i) -> confidence[i]).thenComparingInt(i -> i));
    int affordable = (int) Math.min(order.size(), Math.floor(tokens));
    tokens -= affordable;
    for (int rank = 0; rank < order.size(); rank++) {
      int i = order.get(rank);
      out[i] = rank < affordable ? Selection.selected(SelectionReason.BUDGET, 1.0)
          : Audit.orSkip(window.get(i).turnId(), audit, draws, SelectionReason.OVER_BUDGET);
    }
    return List.of(out);
  }

  private void refill(long nowMillis) {
    if (lastRefill != Long.MIN_VALUE && nowMillis > lastRefill) {
      tokens = Math.min(capacity, tokens + turnsPerSecond * (nowMillis - lastRefill) / 1000.0);
    }
    if (lastRefill == Long.MIN_VALUE || nowMillis > lastRefill) {
      lastRefill = nowMillis;
    }
  }

  @Override
  public boolean needsStudent() {
    return true;
  }

  /**
   * Not for a turn behind the lag bound: it gets no budget whatever the student thinks of it (the
   * audit draw needs no probabilities). At the bound most of a peak's turns are shed so, and
   * asking the student about each of them cost shedding throughput.
   */
  @Override
  public boolean needsStudentFor(Candidate candidate, long nowMillis) {
    return !behind(candidate, nowMillis);
  }

  private boolean behind(Candidate candidate, long nowMillis) {
    return maxLagMillis > 0 && candidate.ageMillis(nowMillis) > maxLagMillis;
  }
}
