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
 */
public record ReplayOptions(int passes, boolean includeTest, double goldFraction, long seed, long limit,
                            int maxTurnsPerConversation) {
  public ReplayOptions {
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
