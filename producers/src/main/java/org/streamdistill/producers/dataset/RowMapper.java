package org.streamdistill.producers.dataset;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.function.Function;
import org.streamdistill.producers.time.EventTimeParser;

/** Turns one record's column values into a {@link DatasetRow}, with messages that name file, line and column. */
final class RowMapper {

  private static final Set<String> SPEAKERS = Set.of("user", "agent");
  private static final EventTimeParser TIMES = EventTimeParser.lenient();

  private final Path file;
  private final ColumnMapping mapping;

  RowMapper(Path file, ColumnMapping mapping) {
    this.file = file;
    this.mapping = mapping;
  }

  /**
   * @param values a column's value by name; {@code null} for an absent or empty value
   */
  DatasetRow map(long line, Function<String, String> values) throws InvalidDatasetException {
    String text = values.apply(mapping.text());
    if (text == null || text.isBlank()) {
      throw new InvalidDatasetException(file, line, "no text in column '" + mapping.text()
          + "' (set the text column to the one holding the utterance)");
    }
    String label = optional(values, mapping.label());
    String conversation = optional(values, mapping.conversation());
    if (mapping.conversation() != null && conversation == null) {
      throw new InvalidDatasetException(file, line, "no conversation id in column '" + mapping.conversation() + "'");
    }
    Instant timestamp = null;
    String rawTime = optional(values, mapping.timestamp());
    if (rawTime != null) {
      try {
        timestamp = TIMES.parse(rawTime);
      } catch (IllegalArgumentException e) {
        throw new InvalidDatasetException(file, line, "column '" + mapping.timestamp() + "' " + e.getMessage());
      }
    }
    String speaker = optional(values, mapping.speaker());
    if (speaker == null) {
      speaker = "user";
    } else if (!SPEAKERS.contains(speaker)) {
      throw new InvalidDatasetException(file, line, "column '" + mapping.speaker() + "' holds speaker '" + speaker
          + "': expected user or agent");
    }
    return new DatasetRow(line, text, label, conversation, timestamp, speaker);
  }

  private static String optional(Function<String, String> values, String column) {
    if (column == null) {
      return null;
    }
    String value = values.apply(column);
    return value == null || value.isBlank() ? null : value.strip();
  }
}
