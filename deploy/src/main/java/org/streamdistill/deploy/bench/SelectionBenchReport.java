package org.streamdistill.deploy.bench;

import java.util.List;

/**
 * The figures of one {@code bench selection} run.
 *
 * @param teacherPerSecond the teacher alone on the training utterances (batch 32, every core)
 * @param teacherAccuracy the teacher's top label against gold on the held-out turns
 * @param curves one learning curve per policy, {@code all} first
 * @param budget the budget policy's turns per second in the peak
 * @param peaks the peak under {@code all}, then under {@code budget}, then (when {@code fallbackCap} is
 *     above 0) under {@code budget} with a fallback teacher; empty when not run
 * @param fallbackCap the fallback teacher's turns per second in the third peak; 0 without one
 * @param peakWarmupTurns turns each peak's job caught up with before the peak began
 */
record SelectionBenchReport(String date, String command, String mode, Machine machine, double wallSeconds,
                            String teacherVersion, double teacherPerSecond, double teacherAccuracy, int trainUtterances,
                            int passes, int testTurns, double goldFraction, List<LearningCurve.Curve> curves,
                            double budget, List<PeakLag.Run> peaks, double fallbackCap, int peakWarmupTurns) {

  /** The number of teacher calls every policy reached: where the curves are compared. */
  long commonCalls() {
    return curves.stream().mapToLong(c -> c.last().calls()).min().orElse(0);
  }
}
