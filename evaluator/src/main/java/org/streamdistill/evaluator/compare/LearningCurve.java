package org.streamdistill.evaluator.compare;

import java.util.ArrayList;
import java.util.List;

/**
 * A namespace's prequential learning curve: the share of its predictions that agree with the
 * teacher (and are gold-correct, where gold exists), in consecutive blocks of its turns in the
 * order they were predicted, against the number of turns the model had learned before the block
 * ended. Each prediction was made before the model learned that turn, so every point is a test
 * on unseen turns.
 */
public final class LearningCurve {

  /**
   * @param turnsLearned turns the model had learned by the end of the block
   * @param agreement share agreeing with the teacher in the block
   * @param goldAccuracy share gold-correct among the block's turns with gold; NaN when none
   * @param turns predictions in the block
   */
  public record Point(long turnsLearned, double agreement, double goldAccuracy, int turns) {}

  private LearningCurve() {}

  /**
   * @param ordered the namespace's predictions in the order they were made
   * @param blocks how many points at most
   */
  public static List<Point> of(List<PredictedTurn> ordered, int blocks) {
    List<Point> points = new ArrayList<>();
    if (ordered.isEmpty()) {
      return points;
    }
    int size = Math.max(1, (int) Math.ceil((double) ordered.size() / blocks));
    long learned = 0;
    for (int start = 0; start < ordered.size(); start += size) {
      List<PredictedTurn> block = ordered.subList(start, Math.min(ordered.size(), start + size));
      int agree = 0;
      int scored = 0;
      int gold = 0;
      int goldRight = 0;
      for (PredictedTurn turn : block) {
        if (turn.agreesWithTeacher() != null) {
          scored++;
          agree += turn.agreesWithTeacher() ? 1 : 0;
        }
        if (turn.goldCorrect() != null) {
          gold++;
          goldRight += turn.goldCorrect() ? 1 : 0;
        }
        learned += turn.learned() ? 1 : 0;
      }
      points.add(new Point(learned, scored == 0 ? Double.NaN : (double) agree / scored,
          gold == 0 ? Double.NaN : (double) goldRight / gold, block.size()));
    }
    return points;
  }
}
