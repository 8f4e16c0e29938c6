package org.streamdistill.teacher.fit;

import java.util.List;
import org.streamdistill.teacher.model.TeacherModel;

/**
 * A teacher's scoring cost as the job pays it: turns per second through
 * {@link TeacherModel#score} (tokenizing, encoding, the head, and for an ensemble every member
 * and the combination), over texts in the order they come, in batches of a fixed size. Not
 * length-sorted as {@link TeacherFit} embeds, so padding costs what it costs in the job.
 */
final class ScoringCost {

  private ScoringCost() {}

  /**
   * Scores one batch to warm up (not timed), then all of {@code texts}, and returns the rate.
   *
   * @return turns per second, or NaN if {@code texts} is empty
   */
  static double turnsPerSecond(TeacherModel teacher, List<String> texts, int batchSize) {
    if (texts.isEmpty()) {
      return Double.NaN;
    }
    teacher.score(texts.subList(0, Math.min(batchSize, texts.size())));
    long start = System.nanoTime();
    for (int from = 0; from < texts.size(); from += batchSize) {
      teacher.score(texts.subList(from, Math.min(texts.size(), from + batchSize)));
    }
    return texts.size() / Math.max(1e-9, (System.nanoTime() - start) / 1e9);
  }
}
