package org.streamdistill.evaluator.promotion;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The champion/challenger rule, as a pure function of the remembered {@link PromotionState} and
 * the next {@link PairedTurn}.
 *
 * <p>A <em>comparison</em> pits one champion version against the challenger lineage (every
 * challenger version the trainer publishes while that champion serves). Its counters start
 * afresh when the champion on the turns changes and after a promotion. Every {@code minPaired}
 * paired turns the policy takes a <em>look</em>: it scores both models on gold accuracy when at
 * least {@code minGoldPairs} gold-labelled pairs exist, else on teacher agreement, and promotes
 * the latest challenger when
 *
 * <ul>
 *   <li>challenger score - champion score >= {@code margin}, and
 *   <li>the exact one-sided McNemar p-value on the discordant pairs (b, c) is below
 *       {@code alpha / (k (k + 1))} at look k.
 * </ul>
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
 * <p>A look that does not promote yields a HOLD with its evidence when {@code holdEvents} is
 * on: one event per {@code minPaired} paired turns, enough to watch the comparison, not a
 * stream. After a promotion the next {@code cooldownTurns} turns are skipped. With no champion
 * at all (turns carry only a challenger), the first {@code minPaired} challenger turns
 * bootstrap one: the challenger is promoted from nothing, once; the policy then waits for the
 * trainer to serve it.
 *
 * <p>{@code model.promotions} is compacted, so its latest event per model name must still say
 * who serves: after a PROMOTE the champion is {@code to_version}; a HOLD names the serving
 * champion in {@code from_version} and the challenger it was compared with in {@code
 * to_version}, and changes nothing.
 */
public final class PromotionPolicy {

  /** The state after one turn and the decision that turn triggered, if any. */
  public record Step(PromotionState state, Optional<Decision> decision) {
    public Step {
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(decision, "decision");
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
      return new Step(next.withCooldownRemaining(next.cooldownRemaining() - 1), Optional.empty());
    }
    if (!Objects.equals(turn.championVersion(), next.championVersion())) {
      next = next.startComparison(turn.championVersion());
    }
    if (!turn.isPaired()) {
      return bootstrap(next, turn);
    }
    next = next.count(turn);
    if (next.teacher().pairs() % settings.minPaired() != 0) {
      return new Step(next, Optional.empty());
    }
    return look(next.withLooks(next.looks() + 1), turn);
  }

  private Step bootstrap(PromotionState state, PairedTurn turn) {
    if (state.promotedVersion() != null) {
      // Already bootstrapped (or the champion vanished from the turns): nothing to compare
      // against, and promoting again would only repeat the decision the trainer has not acted on.
      return new Step(state, Optional.empty());
    }
    PromotionState next = state.count(turn);
    if (next.teacher().pairs() < settings.minPaired()) {
      return new Step(next, Optional.empty());
    }
    DecisionMetric metric = metricFor(next);
    PairedTally evidence = tallyFor(next, metric);
    String reason = String.format(Locale.ROOT, "%s; challenger %s right on %d of %d turns (%s)",
        BOOTSTRAP_REASON, turn.challengerVersion(), evidence.challengerCorrect(), evidence.pairs(), describe(metric));
    Decision decision = new Decision(Decision.Kind.PROMOTE, null, turn.challengerVersion(), turn.eventTimeMs(),
        metric, evidence, null, reason);
    return new Step(next.afterPromotion(turn.challengerVersion(), settings.cooldownTurns()), Optional.of(decision));
  }

  private Step look(PromotionState state, PairedTurn turn) {
    DecisionMetric metric = metricFor(state);
    PairedTally evidence = tallyFor(state, metric);
    double pValue = McNemarExactTest.oneSidedPValue(evidence.challengerOnlyCorrect(), evidence.championOnlyCorrect());
    double delta = evidence.challengerScore() - evidence.championScore();
    double threshold = threshold(state.looks());
    boolean wideEnough = delta >= settings.margin();
    boolean significant = pValue < threshold;
    String summary = String.format(Locale.ROOT,
        "%s on %d pairs: challenger %.4f vs champion %.4f (delta %+.4f), b=%d c=%d, p=%.3g; look %d needs p < %.3g"
            + " and delta >= %.4f",
        describe(metric), evidence.pairs(), evidence.challengerScore(), evidence.championScore(), delta,
        evidence.challengerOnlyCorrect(), evidence.championOnlyCorrect(), pValue, state.looks(), threshold,
        settings.margin());
    if (wideEnough && significant) {
      Decision decision = new Decision(Decision.Kind.PROMOTE, state.championVersion(), turn.challengerVersion(),
          turn.eventTimeMs(), metric, evidence, pValue, "challenger is better: " + summary);
      return new Step(state.afterPromotion(turn.challengerVersion(), settings.cooldownTurns()), Optional.of(decision));
    }
    if (!settings.holdEvents()) {
      return new Step(state, Optional.empty());
    }
    List<String> missing = new ArrayList<>(2);
    if (!wideEnough) {
      missing.add("delta below margin");
    }
    if (!significant) {
      missing.add("not significant");
    }
    Decision decision = new Decision(Decision.Kind.HOLD, state.championVersion(), turn.challengerVersion(),
        turn.eventTimeMs(), metric, evidence, pValue, String.join(" and ", missing) + ": " + summary);
    return new Step(state, Optional.of(decision));
  }

  private DecisionMetric metricFor(PromotionState state) {
    return state.gold().pairs() >= settings.minGoldPairs() ? DecisionMetric.GOLD : DecisionMetric.TEACHER;
  }

  private static PairedTally tallyFor(PromotionState state, DecisionMetric metric) {
    return metric == DecisionMetric.GOLD ? state.gold() : state.teacher();
  }

  private static String describe(DecisionMetric metric) {
    return metric == DecisionMetric.GOLD ? "gold accuracy" : "teacher agreement";
  }
}
