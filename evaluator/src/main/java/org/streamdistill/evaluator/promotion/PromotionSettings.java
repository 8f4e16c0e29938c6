package org.streamdistill.evaluator.promotion;

/**
 * The knobs of the {@link PromotionPolicy}.
 *
 * @param minPaired paired turns per evaluation period: the policy looks at the evidence every
 *     {@code minPaired} paired turns (so never on fewer), and bootstraps a first champion after
 *     {@code minPaired} challenger turns
 * @param minGoldPairs gold-labelled pairs needed before decisions use gold accuracy instead of
 *     teacher agreement
 * @param margin smallest challenger-minus-champion score difference worth a promotion
 * @param alpha overall significance level of one comparison (one champion against one
 *     challenger lineage), spent over its looks
 * @param cooldownTurns turns after a promotion that are neither counted nor decided on: they
 *     mostly compare the old champion, still in flight, or a champion that is a copy of the
 *     challenger
 * @param holdEvents whether a look that does not promote (or roll back) emits a HOLD decision
 *     with its evidence
 * @param rollbackMargin smallest previous-minus-champion score difference that justifies a
 *     rollback (besides significance); 0 rolls back on any significant deterioration
 */
public record PromotionSettings(
    int minPaired, int minGoldPairs, double margin, double alpha, int cooldownTurns, boolean holdEvents,
    double rollbackMargin) {

  /** Settings with a rollback margin of 0. */
  public PromotionSettings(int minPaired, int minGoldPairs, double margin, double alpha, int cooldownTurns,
      boolean holdEvents) {
    this(minPaired, minGoldPairs, margin, alpha, cooldownTurns, holdEvents, 0.0);
  }

  public PromotionSettings {
    if (minPaired < 1) {
      throw new IllegalArgumentException("minPaired must be >= 1, got " + minPaired);
    }
    if (minGoldPairs < 1) {
      throw new IllegalArgumentException("minGoldPairs must be >= 1, got " + minGoldPairs);
    }
    if (!(margin >= 0.0 && margin <= 1.0)) {
      throw new IllegalArgumentException("margin must be in [0, 1], got " + margin);
    }
    if (!(alpha > 0.0 && alpha < 1.0)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
    }
    if (cooldownTurns < 0) {
      throw new IllegalArgumentException("cooldownTurns must be >= 0, got " + cooldownTurns);
    }
    if (!(rollbackMargin >= 0.0 && rollbackMargin <= 1.0)) {
      throw new IllegalArgumentException("rollbackMargin must be in [0, 1], got " + rollbackMargin);
    }
  }

  /** The defaults of the evaluator's configuration. */
  public static PromotionSettings defaults() {
    return new PromotionSettings(200, 100, 0.02, 0.01, 200, true, 0.0);
  }
}
