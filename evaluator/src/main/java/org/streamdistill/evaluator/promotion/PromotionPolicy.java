package org.streamdistill.evaluator.promotion;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The champion/challenger rule with rollback, as a pure function of the remembered {@link
 * PromotionState} and the next {@link PairedTurn}.
 *
 * <h2>Promotion</h2>
 *
 * <p>A <em>comparison</em> pits one champion version against the challenger lineage (every
 * challenger version the trainer publishes while that champion serves). Its counters start
 * afresh when the champion on the turns changes and after a promotion or rollback. Every {@code
 * minPaired} paired turns the policy takes a <em>look</em>: it scores both models on gold
 * accuracy when at least {@code minGoldPairs} gold-labelled pairs exist, else on teacher
 * agreement, and promotes the latest challenger when
 *
 * <ul>
 *   <li>challenger score - champion score >= {@code margin}, and
 *   <li>the exact one-sided McNemar p-value on the discordant pairs (b, c) is below
 *       {@code alpha / (k (k + 1))} at look k.
 * </ul>
 *
 * <p><b>Weighted evidence.</b> When the teacher's selection gate scored only some turns, each
 * turn's teacher-agreement evidence weighs w = 1 / selection probability ({@link PairedTurn#weight()}):
 * the scores are weighted shares, and the McNemar test takes the effective discordant counts b' and
 * c' of {@link PairedTally} (the weighted counts scaled to their Kish effective number). Gold-only
 * turns (skipped by the gate, forwarded for their gold label) count only in the gold table, and the
 * gold table weighs every turn 1: every gold-labelled turn reaches the student, so its gold turns
 * are all of them. Looks still come every {@code minPaired} teacher-scored pairs. With every weight
 * 1 the rule, its events and their reasons are exactly those of the unweighted rule.
 *
 * <p>Why the shrinking threshold: the counters accumulate and are looked at again and again,
 * and testing every look at plain {@code alpha} would promote a challenger that is no better
 * than the champion far more often than {@code alpha} says (each look is another chance for
 * noise to cross the line). The thresholds sum to {@code alpha}
 * (1/(k(k+1)) telescopes to 1), so by the union bound one comparison promotes an equal
 * challenger with probability at most {@code alpha}. A truly better challenger still gets
 * through, because its evidence grows linearly with the turns while the threshold only shrinks
 * polynomially in the looks.
 *
 * <h2>Rollback</h2>
 *
 * <p>A promotion is taken on evidence about the challenger lineage up to that moment; the
 * frozen copy that then serves can still turn out worse than the champion it replaced (the
 * evidence was a false positive, or the last checkpoints before the promotion degraded). So
 * after promoting X over K the policy watches X against K, on the same turns: the trainer keeps
 * K frozen and predicting as role {@code previous} beside the champion X, and every turn whose
 * champion is X and whose previous champion is K counts in a second comparison, the
 * <em>rollback watch</em>. It is the promotion rule mirrored, with K in the challenger's place:
 * a look every {@code minPaired} watched pairs, gold accuracy once {@code minGoldPairs} gold
 * pairs exist, the exact one-sided McNemar test on (b = turns only K got right, c = turns only X
 * got right), its own alpha spent as {@code alpha / (k (k + 1))} over its looks. It rolls back
 * (ROLLBACK from X to K) when K's score - X's score >= {@code rollbackMargin} and the p-value
 * beats the look's threshold; so a champion no worse than its predecessor is rolled back with
 * probability at most {@code alpha} over its whole reign. A ROLLBACK starts the cooldown and a
 * fresh challenger comparison against K; K is not watched against X (there is no standby model
 * after a rollback, and watching would invite flapping).
 *
 * <p>Why the standby model in the trainer rather than the metrics K had before the promotion:
 * those were measured on other turns, so a change in the traffic mix or in the teacher would
 * look like a change in the model, and no paired test applies; the price is one more student
 * forward pass per turn while a standby model exists. The watch lasts as long as the trainer
 * sends K's predictions, that is until the next PROMOTE (the outgoing champion becomes the new
 * standby model and a new watch starts) or a ROLLBACK. Turns without the previous champion's
 * prediction (a trainer restarted without K's checkpoint, or one that predates the standby
 * model) give no evidence, and without evidence there is no rollback. When a rollback look and
 * a promotion look fall on the same turn the rollback look goes first, and a ROLLBACK ends that
 * turn's decisions.
 *
 * <h2>Events</h2>
 *
 * <p>A look that neither promotes nor rolls back yields a HOLD with its evidence when {@code
 * holdEvents} is on: one event per {@code minPaired} pairs and comparison, enough to watch, not
 * a stream. After a promotion or a rollback the next {@code cooldownTurns} turns are skipped,
 * and after them up to {@code switchWaitTurns} more as long as they still carry another champion
 * than the one just decided on: the trainer has not switched yet, and counting them would only
 * take the same decision again. Once a turn carries the new champion, or the wait runs out (a
 * trainer that missed the decision gets it again), turns count as before.
 * With no champion at all (turns carry only a challenger), the first {@code minPaired}
 * challenger turns bootstrap one: the challenger is promoted from nothing, once; the policy
 * then waits for the trainer to serve it.
 *
 * <p>{@code model.promotions} is compacted, so its latest event per model name must still say
 * who serves: after a PROMOTE or ROLLBACK the champion is {@code to_version}; a HOLD names the
 * serving champion in {@code from_version} and the model it was compared with (challenger or
 * previous champion) in {@code to_version}, and changes nothing.
 */
public final class PromotionPolicy {

  /** The state after one turn and the decisions that turn triggered (none, one, or a HOLD of each comparison). */
  public record Step(PromotionState state, List<Decision> decisions) {
    public Step {
      Objects.requireNonNull(state, "state");
      decisions = List.copyOf(decisions);
    }
  }

  /** Reason of every bootstrap promotion. */
  public static final String BOOTSTRAP_REASON = "bootstrap: no champion yet";

  private final PromotionSettings settings;

  public PromotionPolicy(PromotionSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public PromotionSettings settings() {
    return settings;
  }

  /** The p-value a comparison's look {@code k} (1-based) must beat. */
  public double threshold(int look) {
    if (look < 1) {
      throw new IllegalArgumentException("looks count from 1, got " + look);
    }
    return settings.alpha() / ((double) look * (look + 1.0));
  }

  /** Folds one turn into {@code state}. */
  public Step observe(PromotionState state, PairedTurn turn) {
    PromotionState next = state.withLatestChallenger(turn.challengerVersion());
    if (next.cooldownRemaining() > 0) {
      return new Step(next.withCooldownRemaining(next.cooldownRemaining() - 1), List.of());
    }
    if (next.awaitsSwitch(turn) && next.awaitedTurns() < settings.switchWaitTurns()) {
      return new Step(next.awaited(), List.of());
    }
    if (next.awaitedTurns() != Long.MAX_VALUE) {
      next = next.doneAwaiting();
    }
    if (!Objects.equals(turn.championVersion(), next.championVersion())) {
      next = next.startComparison(turn.championVersion());
    }
    if (!turn.isPaired()) {
      return bootstrap(next, turn);
    }
    List<Decision> decisions = new ArrayList<>(2);
    if (next.watches(turn)) {
      next = next.countWatch(turn);
      if (next.watchTeacher().pairs() % settings.minPaired() == 0) {
        next = next.withWatchLooks(next.watchLooks() + 1);
        Decision decision = rollbackLook(next, turn);
        if (decision.kind() == Decision.Kind.ROLLBACK) {
          return new Step(next.afterRollback(settings.cooldownTurns()), List.of(decision));
        }
        if (settings.holdEvents()) {
          decisions.add(decision);
        }
      }
    }
    next = next.count(turn);
    if (next.teacher().pairs() % settings.minPaired() == 0) {
      next = next.withLooks(next.looks() + 1);
      Decision decision = promotionLook(next, turn);
      if (decision.kind() == Decision.Kind.PROMOTE) {
        next = next.afterPromotion(turn.challengerVersion(), next.championVersion(), settings.cooldownTurns());
        decisions.add(decision);
      } else if (settings.holdEvents()) {
        decisions.add(decision);
      }
    }
    return new Step(next, decisions);
  }

  private Step bootstrap(PromotionState state, PairedTurn turn) {
    if (state.promotedVersion() != null) {
      // Already bootstrapped (or the champion vanished from the turns): nothing to compare
      // against, and promoting again would only repeat the decision the trainer has not acted on.
      return new Step(state, List.of());
    }
    PromotionState next = state.count(turn);
    if (next.teacher().pairs() < settings.minPaired()) {
      return new Step(next, List.of());
    }
    DecisionMetric metric = metricFor(next.gold());
    PairedTally evidence = metric == DecisionMetric.GOLD ? next.gold() : next.teacher();
    String reason = String.format(Locale.ROOT, "%s; challenger %s right on %d of %d turns (%s)",
        BOOTSTRAP_REASON, turn.challengerVersion(), evidence.challengerCorrect(), evidence.pairs(), describe(metric));
    Decision decision = new Decision(Decision.Kind.PROMOTE, Decision.Comparison.CHALLENGER, null,
        turn.challengerVersion(), turn.eventTimeMs(), metric, next.teacher(), next.gold(), null, null, null, null,
        reason);
    return new Step(next.afterPromotion(turn.challengerVersion(), null, settings.cooldownTurns()), List.of(decision));
  }

  private Decision promotionLook(PromotionState state, PairedTurn turn) {
    DecisionMetric metric = metricFor(state.gold());
    PairedTally evidence = metric == DecisionMetric.GOLD ? state.gold() : state.teacher();
    double pValue = McNemarExactTest.oneSidedPValue(evidence.effectiveChallengerOnlyCorrect(),
        evidence.effectiveChampionOnlyCorrect());
    double delta = evidence.challengerScore() - evidence.championScore();
    double threshold = threshold(state.looks());
    boolean wideEnough = delta >= settings.margin();
    boolean significant = pValue < threshold;
    String summary = String.format(Locale.ROOT,
        "%s on %d pairs: challenger %.4f vs champion %.4f (delta %+.4f), b=%d c=%d%s, p=%.3g; look %d needs"
            + " p < %.3g and delta >= %.4f",
        describe(metric), evidence.pairs(), evidence.challengerScore(), evidence.championScore(), delta,
        evidence.effectiveChallengerOnlyCorrect(), evidence.effectiveChampionOnlyCorrect(), weights(evidence), pValue,
        state.looks(), threshold, settings.margin());
    Decision.Kind kind = wideEnough && significant ? Decision.Kind.PROMOTE : Decision.Kind.HOLD;
    String reason = kind == Decision.Kind.PROMOTE
        ? "challenger is better: " + summary
        : missing(wideEnough, significant, "delta below margin") + ": " + summary;
    return new Decision(kind, Decision.Comparison.CHALLENGER, state.championVersion(), turn.challengerVersion(),
        turn.eventTimeMs(), metric, state.teacher(), state.gold(), pValue, state.looks(), threshold,
        settings.margin(), reason);
  }

  private Decision rollbackLook(PromotionState state, PairedTurn turn) {
    DecisionMetric metric = metricFor(state.watchGold());
    PairedTally evidence = metric == DecisionMetric.GOLD ? state.watchGold() : state.watchTeacher();
    double pValue = McNemarExactTest.oneSidedPValue(evidence.effectiveChallengerOnlyCorrect(),
        evidence.effectiveChampionOnlyCorrect());
    double delta = evidence.challengerScore() - evidence.championScore();
    double threshold = threshold(state.watchLooks());
    boolean wideEnough = delta >= settings.rollbackMargin();
    boolean significant = pValue < threshold;
    String summary = String.format(Locale.ROOT,
        "%s on %d pairs: previous %s %.4f vs champion %s %.4f (delta %+.4f), b=%d c=%d%s, p=%.3g; look %d needs"
            + " p < %.3g and delta >= %.4f",
        describe(metric), evidence.pairs(), state.replacedVersion(), evidence.challengerScore(),
        turn.championVersion(), evidence.championScore(), delta, evidence.effectiveChallengerOnlyCorrect(),
        evidence.effectiveChampionOnlyCorrect(), weights(evidence), pValue, state.watchLooks(), threshold,
        settings.rollbackMargin());
    Decision.Kind kind = wideEnough && significant ? Decision.Kind.ROLLBACK : Decision.Kind.HOLD;
    String reason = kind == Decision.Kind.ROLLBACK
        ? "champion is worse than the model it replaced: " + summary
        : "champion kept, " + missing(wideEnough, significant, "delta below rollback margin") + ": " + summary;
    return new Decision(kind, Decision.Comparison.PREVIOUS, turn.championVersion(), state.replacedVersion(),
        turn.eventTimeMs(), metric, state.watchTeacher(), state.watchGold(), pValue, state.watchLooks(), threshold,
        settings.rollbackMargin(), reason);
  }

  /**
   * For weighted evidence, how b and c were obtained: the plain and weighted discordant counts
   * (see {@link PairedTally}); nothing when every turn weighed 1, so unweighted reasons read as before.
   */
  private static String weights(PairedTally evidence) {
    if (!evidence.weighted()) {
      return "";
    }
    return String.format(Locale.ROOT, " (effective, from weighted b_w=%.1f c_w=%.1f over %d and %d turns)",
        evidence.challengerOnlyWeight(), evidence.championOnlyWeight(), evidence.challengerOnlyCorrect(),
        evidence.championOnlyCorrect());
  }

  private static String missing(boolean wideEnough, boolean significant, String belowMargin) {
    List<String> missing = new ArrayList<>(2);
    if (!wideEnough) {
      missing.add(belowMargin);
    }
    if (!significant) {
      missing.add("not significant");
    }
    return String.join(" and ", missing);
  }

  private DecisionMetric metricFor(PairedTally gold) {
    return gold.pairs() >= settings.minGoldPairs() ? DecisionMetric.GOLD : DecisionMetric.TEACHER;
  }

  private static String describe(DecisionMetric metric) {
    return metric == DecisionMetric.GOLD ? "gold accuracy" : "teacher agreement";
  }
}
