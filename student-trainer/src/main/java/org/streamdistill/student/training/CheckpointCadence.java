package org.streamdistill.student.training;

/**
 * When the trainer saves a new model version. A new student gets its first versions early (after
 * {@code first} learned turns, then each time the turns learned have doubled) and then one every
 * {@code every} turns or {@code everyMillis}, whichever comes first. Early versions matter: the
 * teacher job's selection gate and the evaluator only see a student once it is a version, and
 * until then the gate sends every turn to the teacher. Later, a version every {@code every} turns
 * keeps exports and evaluations rare. Measured in two demo runs (BENCHMARKS.md, "The gate and the
 * ensemble in the pipeline"): 32.9 % of the training turns scored against 33.8 % with a constant
 * cadence, within what a second run moves.
 *
 * @param first turns learned before the first version; at least {@code every}: a constant cadence
 * @param every turns learned between two versions once the doubling has reached it
 * @param everyMillis the longest time between two versions while turns are being learned
 */
public record CheckpointCadence(long first, long every, long everyMillis) {

  public CheckpointCadence {
    if (first < 1 || every < 1 || everyMillis < 1) {
      throw new IllegalArgumentException("cadence settings must be positive: " + first + ", " + every + ", "
          + everyMillis);
    }
  }

  /**
   * Turns to learn after a version saved at {@code samplesAtLast} learned turns before the next:
   * as many as were learned by then (doubling), at least {@code first}, at most {@code every}.
   */
  public long interval(long samplesAtLast) {
    return Math.min(every, Math.max(first, samplesAtLast));
  }

  /**
   * Whether a version is due now.
   *
   * @param samplesSeen turns learned in all
   * @param samplesAtLast turns learned when the last version was saved (0 for a new student)
   * @param millisSinceLast time since the last version (or the start)
   * @param forced a version was asked for (at shutdown or a revocation)
   */
  public boolean due(long samplesSeen, long samplesAtLast, long millisSinceLast, boolean forced) {
    long fresh = samplesSeen - samplesAtLast;
    if (fresh <= 0) {
      return false;
    }
    return forced || fresh >= interval(samplesAtLast) || millisSinceLast >= everyMillis;
  }
}
