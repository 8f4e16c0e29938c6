package org.streamdistill.producers.dataset;

/**
 * How a data file becomes a replay.
 *
 * @param name short name of the data set: prefix of turn and conversation ids, and the
 *     {@code source} tag {@code dataset:<name>}
 * @param seed seed of every random choice (shuffle, grouping, kept labels, held-out turns)
 * @param limit replay at most this many turns; 0 for all
 * @param goldFraction share of labelled, not held-out turns that keep their label, in [0, 1]
 * @param heldOutFraction share of labelled turns marked held out (they always keep their label), in [0, 1]
 * @param maxTurnsPerConversation without a conversation column, utterances are grouped into
 *     conversations of 1 to this many turns
 * @param shuffle shuffle utterances before grouping (only without a conversation column and
 *     without timestamp order)
 * @param timestampOrder replay in timestamp order (stable: ties keep file order); needs a timestamp on every row
 * @param originalEventTime stamp turns with the file's timestamp instead of the time they are sent
 */
public record DatasetReplayOptions(String name, long seed, long limit, double goldFraction, double heldOutFraction,
                                   int maxTurnsPerConversation, boolean shuffle, boolean timestampOrder,
                                   boolean originalEventTime) {

  public DatasetReplayOptions {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException("data set name '" + name
          + "' must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0 (0 = no limit), got " + limit);
    }
    if (!(goldFraction >= 0 && goldFraction <= 1)) {
      throw new IllegalArgumentException("gold fraction must be within [0, 1], got " + goldFraction);
    }
    if (!(heldOutFraction >= 0 && heldOutFraction <= 1)) {
      throw new IllegalArgumentException("held-out fraction must be within [0, 1], got " + heldOutFraction);
    }
    if (maxTurnsPerConversation < 1) {
      throw new IllegalArgumentException("turns per conversation must be >= 1, got " + maxTurnsPerConversation);
    }
    if (shuffle && timestampOrder) {
      throw new IllegalArgumentException("shuffling and timestamp order exclude each other: the original pace "
          + "replays in timestamp order");
    }
  }
}
