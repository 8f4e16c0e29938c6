package org.streamdistill.producers.dataset;

import java.util.Objects;

/**
 * Which column (CSV header) or field (JSON Lines key) of a data file holds what. Only the
 * text is required; a {@code null} or empty name means the file has no such column.
 *
 * @param text the utterance
 * @param label the gold label
 * @param conversation the conversation id; without it, utterances are grouped into conversations
 * @param timestamp when the utterance happened (needed to replay at the original pace)
 * @param speaker {@code user} or {@code agent}; without it every turn is the user's
 */
public record ColumnMapping(String text, String label, String conversation, String timestamp, String speaker) {

  public ColumnMapping {
    Objects.requireNonNull(text, "text");
    if (text.isBlank()) {
      throw new IllegalArgumentException("the text column name is empty");
    }
    label = blankToNull(label);
    conversation = blankToNull(conversation);
    timestamp = blankToNull(timestamp);
    speaker = blankToNull(speaker);
  }

  /** Only a text column. */
  public static ColumnMapping textOnly(String text) {
    return new ColumnMapping(text, null, null, null, null);
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
