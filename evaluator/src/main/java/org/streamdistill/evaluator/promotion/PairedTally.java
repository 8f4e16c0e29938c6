package org.streamdistill.evaluator.promotion;

/**
 * The 2x2 table of paired outcomes, champion against challenger, on one notion of "correct".
 * The "challenger" is whichever model would take over: the challenger in a promotion
 * comparison, the previous champion in a rollback comparison.
 *
 * <p><b>Weights.</b> Each pair may stand for several turns of the stream: w = 1 / selection
 * probability when the teacher's selection gate scored only some turns. The table keeps plain
 * counts and weighted sums side by side. Scores are weighted shares. The exact McNemar test needs
 * whole counts, so it takes the <em>effective</em> discordant counts {@code b' = round(b_w s)} and
 * {@code c' = round(c_w s)} with {@code s = (b_w + c_w) / sum(w^2)} over the discordant pairs:
 * b' + c' is then their Kish effective number, (sum w)^2 / sum(w^2), and b' / (b' + c') the
 * weighted share won by the challenger. A pair audited at 5 % therefore moves the estimate as much
 * as the 20 turns it stands for, but adds only as much certainty as its effective size allows.
 * With every weight 1, s = 1, and the scores, b' and c' are exactly the unweighted ones.
 *
 * @param pairs turns counted
 * @param challengerCorrect turns the challenger got right
 * @param championCorrect turns the champion got right
 * @param challengerOnlyCorrect discordant turns won by the challenger (McNemar's b, unweighted)
 * @param championOnlyCorrect discordant turns won by the champion (McNemar's c, unweighted)
 * @param weight sum of the pairs' weights
 * @param challengerCorrectWeight summed weight of the turns the challenger got right
 * @param championCorrectWeight summed weight of the turns the champion got right
 * @param challengerOnlyWeight b_w: summed weight of the discordant turns won by the challenger
 * @param championOnlyWeight c_w: summed weight of the discordant turns won by the champion
 * @param discordantSquaredWeight sum of w^2 over the discordant turns
 */
public record PairedTally(
    long pairs, long challengerCorrect, long championCorrect, long challengerOnlyCorrect, long championOnlyCorrect,
    double weight, double challengerCorrectWeight, double championCorrectWeight, double challengerOnlyWeight,
    double championOnlyWeight, double discordantSquaredWeight) {

  /** No turns counted. */
  public static final PairedTally EMPTY = new PairedTally(0, 0, 0, 0, 0);

  /** A table of turns that each weigh 1. */
  public PairedTally(long pairs, long challengerCorrect, long championCorrect, long challengerOnlyCorrect,
                     long championOnlyCorrect) {
    this(pairs, challengerCorrect, championCorrect, challengerOnlyCorrect, championOnlyCorrect, pairs,
        challengerCorrect, championCorrect, challengerOnlyCorrect, championOnlyCorrect,
        challengerOnlyCorrect + championOnlyCorrect);
  }

  /** This table plus one turn of weight 1. */
  public PairedTally add(boolean challengerRight, boolean championRight) {
    return add(challengerRight, championRight, 1.0);
  }

  /** This table plus one turn that stands for {@code w} turns of the stream. */
  public PairedTally add(boolean challengerRight, boolean championRight, double w) {
    boolean challengerOnly = challengerRight && !championRight;
    boolean championOnly = championRight && !challengerRight;
    return new PairedTally(
        pairs + 1,
        challengerCorrect + (challengerRight ? 1 : 0),
        championCorrect + (championRight ? 1 : 0),
        challengerOnlyCorrect + (challengerOnly ? 1 : 0),
        championOnlyCorrect + (championOnly ? 1 : 0),
        weight + w,
        challengerCorrectWeight + (challengerRight ? w : 0),
        championCorrectWeight + (championRight ? w : 0),
        challengerOnlyWeight + (challengerOnly ? w : 0),
        championOnlyWeight + (championOnly ? w : 0),
        discordantSquaredWeight + (challengerOnly || championOnly ? w * w : 0));
  }

  /** Whether some pair weighed other than 1 (then the effective counts may differ from the plain ones). */
  public boolean weighted() {
    return weight != pairs || discordantSquaredWeight != challengerOnlyCorrect + championOnlyCorrect;
  }

  /** The challenger's weighted share of correct turns, 0 when empty. */
  public double challengerScore() {
    return pairs == 0 ? 0.0 : challengerCorrectWeight / weight;
  }

  /** The champion's weighted share of correct turns, 0 when empty. */
  public double championScore() {
    return pairs == 0 ? 0.0 : championCorrectWeight / weight;
  }

  /** b' = round(b_w s): the discordant turns won by the challenger that the McNemar test takes. */
  public long effectiveChallengerOnlyCorrect() {
    return Math.round(challengerOnlyWeight * effectiveScale());
  }

  /** c' = round(c_w s): the discordant turns won by the champion that the McNemar test takes. */
  public long effectiveChampionOnlyCorrect() {
    return Math.round(championOnlyWeight * effectiveScale());
  }

  /** s = (b_w + c_w) / sum(w^2) over the discordant turns; 1 when there are none, and when every weight is 1. */
  private double effectiveScale() {
    return discordantSquaredWeight == 0 ? 1.0 : (challengerOnlyWeight + championOnlyWeight) / discordantSquaredWeight;
  }
}
