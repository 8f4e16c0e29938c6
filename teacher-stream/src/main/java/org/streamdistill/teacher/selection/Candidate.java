package org.streamdistill.teacher.selection;

/**
 * One turn waiting at the gate.
 *
 * @param turnId the turn's id; seeds its random draws
 * @param studentProbabilities the champion student's class probabilities, or null while there is
 *     no champion
 * @param enteredMillis when the turn entered its topic (its Kafka timestamp), or {@link
 *     #UNKNOWN_TIME}: how far behind the job is when it reaches the gate
 */
public record Candidate(String turnId, float[] studentProbabilities, long enteredMillis) {

  /** No known entry time: the turn never counts as behind. */
  public static final long UNKNOWN_TIME = Long.MIN_VALUE;

  /** A turn without a known entry time (a simulation's, say). */
  public Candidate(String turnId, float[] studentProbabilities) {
    this(turnId, studentProbabilities, UNKNOWN_TIME);
  }

  public Candidate {
    if (turnId == null) {
      throw new IllegalArgumentException("a candidate needs a turn id");
    }
  }

  /** How long ago, at {@code nowMillis}, the turn entered its topic; 0 when unknown or in the future. */
  public long ageMillis(long nowMillis) {
    return enteredMillis == UNKNOWN_TIME ? 0 : Math.max(0, nowMillis - enteredMillis);
  }
}
