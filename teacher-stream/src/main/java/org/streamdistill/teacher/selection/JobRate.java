package org.streamdistill.teacher.selection;

/**
 * A job-wide rate limit in turns per second (the budget, the fallback teacher's cap), split evenly
 * over the job's scoring subtasks: each subtask keeps its own token bucket, so the job as a whole
 * stays under the rate whatever its parallelism, and a rescaled job (a savepoint resubmitted at
 * another parallelism) keeps the rate its settings name.
 *
 * <p>Even, not by traffic: a subtask does not know what share of the turns it reads (the source
 * spreads the topic's partitions over the subtasks, and partition loads differ). So with partitions
 * spread unevenly (4 partitions over 3 subtasks) or idle subtasks (more subtasks than partitions),
 * the busier subtasks shed more and the job spends less than the rate, never more.
 */
public final class JobRate {

  private JobRate() {
  }

  /**
   * @param turnsPerSecond the job's rate, finite and >= 0 (0 stays 0: "no limit" where a setting means that)
   * @param subtasks the job's scoring subtasks, at least 1
   * @return one subtask's share
   */
  public static double perSubtask(double turnsPerSecond, int subtasks) {
    if (subtasks < 1) {
      throw new IllegalArgumentException("subtasks must be >= 1, got " + subtasks);
    }
    if (!(turnsPerSecond >= 0) || Double.isInfinite(turnsPerSecond)) {
      throw new IllegalArgumentException("turns per second must be finite and >= 0, got " + turnsPerSecond);
    }
    return turnsPerSecond / subtasks;
  }
}
