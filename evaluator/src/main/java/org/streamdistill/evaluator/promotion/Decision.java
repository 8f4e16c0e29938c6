package org.streamdistill.evaluator.promotion;

import java.time.Instant;
import java.util.Objects;
import org.streamdistill.records.PromotionEvent;

/**
 * One outcome of the {@link PromotionPolicy} with the evidence behind it.
 *
 * <p>Both comparisons put the model that would take over in the "challenger" columns of the
 * {@link PairedTally}s: the challenger when promoting, the previous champion when rolling back.
 * So {@code toVersion}'s figures are always the challenger ones and {@code fromVersion}'s the
 * champion ones.
 *
 * @param kind promote, hold or roll back
 * @param comparison which two models the evidence compares
 * @param fromVersion the model serving at decision time, null when there was none (bootstrap)
 * @param toVersion the model that serves after a PROMOTE or ROLLBACK; for a HOLD, the one it was
 *     compared with (the latest challenger, or the previous champion)
 * @param decidedAtMs event time of the turn that triggered the decision, epoch milliseconds
 * @param metric what "correct" meant for the decision
 * @param teacher the paired table on teacher agreement, all paired turns of the comparison
 * @param gold the paired table on the gold-labelled paired turns
 * @param pValue exact one-sided McNemar p-value on {@link #evidence()}, null for a bootstrap
 * @param look 1-based look of the comparison, null for a bootstrap
 * @param threshold the p-value the look had to beat, null for a bootstrap
 * @param margin the score difference the change needed, null for a bootstrap
 * @param reason a sentence an operator can read
 */
public record Decision(
    Kind kind,
    Comparison comparison,
    String fromVersion,
    String toVersion,
    long decidedAtMs,
    DecisionMetric metric,
    PairedTally teacher,
    PairedTally gold,
    Double pValue,
    Integer look,
    Double threshold,
    Double margin,
    String reason) {

  /** The decisions the policy takes. */
  public enum Kind { PROMOTE, HOLD, ROLLBACK }

  /** Which two models a decision compares. */
  public enum Comparison {
    /** The serving champion against the challenger lineage: PROMOTE or HOLD. */
    CHALLENGER("challenger"),
    /** The champion promoted last against the champion it replaced: ROLLBACK or HOLD. */
    PREVIOUS("previous");

    private final String wireName;

    Comparison(String wireName) {
      this.wireName = wireName;
    }

    /** The spelling written to {@code PromotionEvent.comparison}. */
    public String wireName() {
      return wireName;
    }
  }

  public Decision {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(comparison, "comparison");
    Objects.requireNonNull(toVersion, "toVersion");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(teacher, "teacher");
    Objects.requireNonNull(gold, "gold");
    Objects.requireNonNull(reason, "reason");
    if (kind == Kind.ROLLBACK && comparison != Comparison.PREVIOUS
        || kind == Kind.PROMOTE && comparison != Comparison.CHALLENGER) {
      throw new IllegalArgumentException(kind + " cannot come from the " + comparison.wireName() + " comparison");
    }
  }

  /** The paired table the decision was taken on: gold or teacher, as {@link #metric()} says. */
  public PairedTally evidence() {
    return metric == DecisionMetric.GOLD ? gold : teacher;
  }

  /** The {@code model.promotions} record of this decision for {@code modelName}. */
  public PromotionEvent toEvent(String modelName) {
    PairedTally evidence = evidence();
    return PromotionEvent.newBuilder()
        .setModelName(modelName)
        .setDecision(kind.name())
        .setFromVersion(fromVersion)
        .setToVersion(toVersion)
        .setDecidedAt(Instant.ofEpochMilli(decidedAtMs))
        .setPairedTurns(evidence.pairs())
        .setChallengerOnlyCorrect(evidence.effectiveChallengerOnlyCorrect())
        .setChampionOnlyCorrect(evidence.effectiveChampionOnlyCorrect())
        .setChampionScore(evidence.championScore())
        .setChallengerScore(evidence.challengerScore())
        .setMetric(metric.wireName())
        .setPValue(pValue)
        .setReason(reason)
        .setComparison(comparison.wireName())
        .setLook(look)
        .setPThreshold(threshold)
        .setMargin(margin)
        .setScoreDelta(delta(evidence))
        .setTeacherAgreementDelta(delta(teacher))
        .setGoldAccuracyDelta(delta(gold))
        .setGoldPairs(gold.pairs())
        .build();
  }

  /** To-version's minus from-version's share correct, null on an empty table. */
  private static Double delta(PairedTally tally) {
    return tally.pairs() == 0 ? null : tally.challengerScore() - tally.championScore();
  }
}
