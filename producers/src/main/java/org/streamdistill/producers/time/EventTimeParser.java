package org.streamdistill.producers.time;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;

/**
 * Parses the time a turn happened: an ISO-8601 instant with a zone ({@code
 * 2024-05-01T12:00:00Z}, {@code 2024-05-01T14:00:00.250+02:00}) or epoch milliseconds
 * ({@code 1714564800000}). Data files often hold local times without a zone ({@code
 * 2024-05-01 12:00:00}); {@link #lenient()} reads those as UTC, {@link #strict()} refuses
 * them, because for a live client a time without a zone is a bug worth reporting.
 */
public final class EventTimeParser {

  /** Year 9999: later epoch values are typos (microseconds or nanoseconds), not times. */
  public static final long MAX_EPOCH_MILLIS = 253_402_300_799_999L;

  private static final DateTimeFormatter LOCAL = new DateTimeFormatterBuilder()
      .append(DateTimeFormatter.ISO_LOCAL_DATE)
      .optionalStart().appendLiteral('T').optionalEnd()
      .optionalStart().appendLiteral(' ').optionalEnd()
      .append(DateTimeFormatter.ISO_LOCAL_TIME)
      .toFormatter();

  private final boolean localAsUtc;

  private EventTimeParser(boolean localAsUtc) {
    this.localAsUtc = localAsUtc;
  }

  /** Instants with a zone and epoch milliseconds only. */
  public static EventTimeParser strict() {
    return new EventTimeParser(false);
  }

  /** Also date-times without a zone, read as UTC. */
  public static EventTimeParser lenient() {
    return new EventTimeParser(true);
  }

  /**
   * @throws IllegalArgumentException with a message that quotes the value and names the
   *     accepted forms
   */
  public Instant parse(String value) {
    String text = value == null ? "" : value.trim();
    if (text.isEmpty()) {
      throw new IllegalArgumentException("is empty; " + accepted());
    }
    if (text.chars().allMatch(Character::isDigit)) {
      try {
        return fromEpochMillis(Long.parseLong(text));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + abbreviate(text) + "' is too large for epoch milliseconds");
      }
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException notOffset) {
      // fall through: maybe a local date-time
    }
    if (localAsUtc) {
      try {
        return LocalDateTime.parse(text, LOCAL).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException notLocal) {
        // fall through to the error
      }
    }
    throw new IllegalArgumentException("'" + abbreviate(text) + "' is not a time; " + accepted());
  }

  /**
   * @throws IllegalArgumentException when {@code millis} is negative or after year 9999
   */
  public static Instant fromEpochMillis(long millis) {
    if (millis < 0 || millis > MAX_EPOCH_MILLIS) {
      throw new IllegalArgumentException(millis + " is out of range for epoch milliseconds (0 to "
          + MAX_EPOCH_MILLIS + ", i.e. 1970 to 9999)");
    }
    try {
      return Instant.ofEpochMilli(millis);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(millis + " is out of range for epoch milliseconds", e);
    }
  }

  private String accepted() {
    return "expected ISO-8601 with a zone (2024-05-01T12:00:00Z)"
        + (localAsUtc ? ", a date-time without zone read as UTC (2024-05-01 12:00:00)" : "")
        + " or epoch milliseconds (1714564800000)";
  }

  private static String abbreviate(String text) {
    return text.length() <= 64 ? text : text.substring(0, 61) + "...";
  }
}
