package org.streamdistill.evaluator.promotion;

/**
 * The 2x2 table of paired outcomes, champion against challenger, on one notion of "correct".
 * The "challenger" is whichever model would take over: the challenger in a promotion
 * comparison, the previous champion in a rollback comparison.
 *
 * @param pairs turns counted
 * @param challengerCorrect turns the challenger got right
 * @param championCorrect turns the champion got right
 * @param challengerOnlyCorrect discordant turns won by the challenger (McNemar's b)
 * @param championOnlyCorrect discordant turns won by the champion (McNemar's c)
 */
public record PairedTally(
    long pairs, long challengerCorrect, long championCorrect, long challengerOnlyCorrect, long championOnlyCorrect) {

  /** No turns counted. */
  public static final PairedTally EMPTY = new PairedTally(0, 0, 0, 0, 0);

  /** This table plus one turn. */
  public PairedTally add(boolean challengerRight, boolean championRight) {
    return new PairedTally(
        pairs + 1,
        challengerCorrect + (challengerRight ? 1 : 0),
        championCorrect + (championRight ? 1 : 0),
        challengerOnlyCorrect + (challengerRight && !championRight ? 1 : 0),
        championOnlyCorrect + (championRight && !challengerRight ? 1 : 0));
  }

  /** The challenger's share of correct turns, 0 when empty. */
  public double challengerScore() {
    return pairs == 0 ? 0.0 : (double) challengerCorrect / pairs;
  }

  /** The champion's share of correct turns, 0 when empty. */
  public double championScore() {
    return pairs == 0 ? 0.0 : (double) championCorrect / pairs;
  }
}
