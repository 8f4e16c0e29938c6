package org.streamdistill.evaluator.promotion;

/** What "correct" meant in a promotion decision. */
public enum DecisionMetric {
  /** The predicted label equals the turn's gold (human) label. */
  GOLD("gold"),
  /** The predicted label equals the teacher's top label. */
  TEACHER("teacher");

  private final String wireName;

  DecisionMetric(String wireName) {
    this.wireName = wireName;
  }

  /** The spelling written to {@code PromotionEvent.metric}. */
  public String wireName() {
    return wireName;
  }
}
