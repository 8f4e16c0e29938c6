package org.streamdistill.deploy.teacher;

import java.util.List;
import org.streamdistill.teacher.job.TurnScorer;

/**
 * A test teacher that needs no model: two labels, logits from the text's length, and an optional
 * pause per turn to stand for a teacher of a given speed.
 */
final class FixedTurnScorer implements TurnScorer {

  private final long millisPerTurn;

  private FixedTurnScorer(long millisPerTurn) {
    this.millisPerTurn = millisPerTurn;
  }

  /** As fast as the job can go. */
  static TurnScorer.Factory factory() {
    return () -> new FixedTurnScorer(0);
  }

  /** About {@code 1000 / millisPerTurn} turns per second. */
  static TurnScorer.Factory slow(long millisPerTurn) {
    return () -> new FixedTurnScorer(millisPerTurn);
  }

  @Override
  public List<Score> score(List<String> texts) throws InterruptedException {
    if (millisPerTurn > 0) {
      Thread.sleep(millisPerTurn * texts.size());
    }
    return texts.stream().map(t -> new Score(new int[] {101, t.length(), 102}, false,
        new float[] {t.length() % 7, 1.0f})).toList();
  }

  @Override
  public List<String> labels() {
    return List.of("even", "odd");
  }

  @Override
  public String version() {
    return "fixed-1";
  }

  @Override
  public float temperature() {
    return 1.0f;
  }

  @Override
  public String labelSetId() {
    return "fixed-labels";
  }

  @Override
  public void close() {}
}
