package org.streamdistill.producers.replay;

/**
 * What to replay of a labelled corpus.
 *
 * @param passes how many times the training split is replayed (each pass reshuffled)
 * @param includeTest whether the held-out test split follows the training passes
 * @param goldFraction share of training turns that carry their gold label, in [0, 1]
 * @param seed seed of every random choice (order, conversations, which turns are labelled)
 * @param limit stop after this many turns; 0 for no limit
 * @param maxTurnsPerConversation conversations have 1 to this many turns
 * @param trainFrom replay only the training examples at or above this share of the training split
 *     by text hash ({@code Clinc150.trainWithOos(trainFrom, 1)}: the part {@code fit --fit.train-share
 *     trainFrom} fitted no head on); 0: every training example
 */
public record ReplayOptions(int passes, boolean includeTest, double goldFraction, long seed, long limit,
                            int maxTurnsPerConversation, double trainFrom) {

  /** Every training example. */
  public ReplayOptions(int passes, boolean includeTest, double goldFraction, long seed, long limit,
                       int maxTurnsPerConversation) {
    this(passes, includeTest, goldFraction, seed, limit, maxTurnsPerConversation, 0.0);
  }

  public ReplayOptions {
    if (!(trainFrom >= 0 && trainFrom < 1)) {
      throw new IllegalArgumentException("the training part to replay starts in [0, 1), got " + trainFrom);
    }
    if (passes < 0) {
      throw new IllegalArgumentException("passes must be >= 0, got " + passes);
    }
    if (!(goldFraction >= 0 && goldFraction <= 1)) {
      throw new IllegalArgumentException("gold fraction must be within [0, 1], got " + goldFraction);
    }
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0 (0 = no limit), got " + limit);
    }
    if (maxTurnsPerConversation < 1) {
      throw new IllegalArgumentException("turns per conversation must be >= 1, got " + maxTurnsPerConversation);
    }
  }
}
