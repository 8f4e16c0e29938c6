package org.streamdistill.teacher.selection;

/**
 * One turn waiting at the gate.
 *
 * @param turnId the turn's id; seeds its random draws
 * @param studentProbabilities the champion student's class probabilities, or null while there is
 *     no champion
 */
public record Candidate(String turnId, float[] studentProbabilities) {

  public Candidate {
    if (turnId == null) {
      throw new IllegalArgumentException("a candidate needs a turn id");
    }
  }
}
