package org.streamdistill.evaluator.promotion;

import java.time.Instant;
import java.util.Objects;
import org.streamdistill.records.PromotionEvent;

/**
 * One outcome of the {@link PromotionPolicy} with the evidence behind it.
 *
 * @param kind promote or hold
 * @param fromVersion the champion at decision time, null when there was none (bootstrap)
 * @param toVersion the challenger version the decision is about (the latest one seen)
 * @param decidedAtMs event time of the turn that triggered the decision, epoch milliseconds
 * @param metric what "correct" meant
 * @param evidence the paired table the decision was taken on
 * @param pValue exact one-sided McNemar p-value, null for a bootstrap (nothing to compare to)
 * @param reason a sentence an operator can read
 */
public record Decision(
    Kind kind,
    String fromVersion,
    String toVersion,
    long decidedAtMs,
    DecisionMetric metric,
    PairedTally evidence,
    Double pValue,
    String reason) {

  /** The decisions this policy takes; ROLLBACK is left to a later policy. */
  public enum Kind { PROMOTE, HOLD }

  public Decision {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(toVersion, "toVersion");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(evidence, "evidence");
    Objects.requireNonNull(reason, "reason");
  }

  /** The {@code model.promotions} record of this decision for {@code modelName}. */
  public PromotionEvent toEvent(String modelName) {
    return PromotionEvent.newBuilder()
        .setModelName(modelName)
        .setDecision(kind.name())
        .setFromVersion(fromVersion)
        .setToVersion(toVersion)
        .setDecidedAt(Instant.ofEpochMilli(decidedAtMs))
        .setPairedTurns(evidence.pairs())
        .setChallengerOnlyCorrect(evidence.challengerOnlyCorrect())
        .setChampionOnlyCorrect(evidence.championOnlyCorrect())
        .setChampionScore(evidence.championScore())
        .setChallengerScore(evidence.challengerScore())
        .setMetric(metric.wireName())
        .setPValue(pValue)
        .setReason(reason)
        .build();
  }
}
