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
 * @param switchWaitTurns after the cooldown, at most this many further turns are skipped while
 *     they still carry another champion than the one just promoted (or rolled back to): the
 *     trainer has not switched yet, and deciding on them would repeat the decision just taken;
 *     once the wait runs out they count again (so a decision the trainer missed is taken anew)
 */
public record PromotionSettings(
    int minPaired, int minGoldPairs, double margin, double alpha, int cooldownTurns, boolean holdEvents,
    double rollbackMargin, int switchWaitTurns) {

  /** Settings with a rollback margin of 0 and no wait for the trainer's switch. */
  public PromotionSettings(int minPaired, int minGoldPairs, double margin, double alpha, int cooldownTurns,
      boolean holdEvents) {
    this(minPaired, minGoldPairs, margin, alpha, cooldownTurns, holdEvents, 0.0, 0);
  }

  /** Settings with no wait for the trainer's switch. */
  public PromotionSettings(int minPaired, int minGoldPairs, double margin, double alpha, int cooldownTurns,
      boolean holdEvents, double rollbackMargin) {
    this(minPaired, minGoldPairs, margin, alpha, cooldownTurns, holdEvents, rollbackMargin, 0);
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
    if (switchWaitTurns < 0) {
      throw new IllegalArgumentException("switchWaitTurns must be >= 0, got " + switchWaitTurns);
    }
  }

  /** The defaults of the evaluator's configuration. */
  public static PromotionSettings defaults() {
    return new PromotionSettings(200, 100, 0.02, 0.01, 200, true, 0.0, 2_000);
  }
}
