package org.streamdistill.schemas.time;

import java.time.Duration;
import java.time.Instant;

/**
 * The event times a stage accepts, relative to a reference time (the server's clock when a
 * request arrives, or the Kafka timestamp of the record that carries the turn): not before
 * {@code reference - maxPast} (no lower bound when {@code maxPast} is zero), never before
 * 1970, and not after {@code reference + maxFuture}.
 *
 * <p>Why 1970 is a hard floor: Kafka refuses a negative record timestamp ("Invalid timestamp")
 * and Kafka Streams drops one, so a pre-1970 time can be neither written nor windowed. Why
 * the future bound matters: brokers refuse a timestamp more than {@code
 * log.message.timestamp.after.max.ms} (one hour by default) ahead of their clock, and one turn
 * stamped far ahead would move a windowed stage's stream time past every turn that follows.
 */
public record EventTimeWindow(Duration maxPast, Duration maxFuture) {

  /** The broker's default {@code log.message.timestamp.after.max.ms}. */
  public static final Duration KAFKA_DEFAULT_MAX_FUTURE = Duration.ofHours(1);

  public EventTimeWindow {
    if (maxPast.isNegative() || maxFuture.isNegative()) {
      throw new IllegalArgumentException("event-time bounds must be >= 0, got past " + maxPast.toMillis()
          + " ms, future " + maxFuture.toMillis() + " ms");
    }
  }

  /** Only what Kafka itself refuses: before 1970, or more than an hour ahead of the reference. */
  public static EventTimeWindow writableToKafka() {
    return new EventTimeWindow(Duration.ZERO, KAFKA_DEFAULT_MAX_FUTURE);
  }

  /**
   * Why {@code eventTime} is outside the window around {@code referenceMillis}, in words a user
   * can act on; {@code null} when it is inside.
   */
  public String violation(Instant eventTime, long referenceMillis) {
    if (eventTime == null) {
      return "event time is missing";
    }
    if (eventTime.isBefore(Instant.EPOCH)) {
      return "event time " + eventTime + " is before 1970-01-01T00:00:00Z";
    }
    Instant reference = Instant.ofEpochMilli(referenceMillis);
    if (!maxPast.isZero() && eventTime.isBefore(reference.minus(maxPast))) {
      return "event time " + eventTime + " is more than " + describe(maxPast) + " before " + reference;
    }
    if (eventTime.isAfter(reference.plus(maxFuture))) {
      return "event time " + eventTime + " is more than " + describe(maxFuture) + " after " + reference;
    }
    return null;
  }

  static String describe(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000L == 0 && ms > 0) {
      return ms / 86_400_000L + (ms == 86_400_000L ? " day" : " days");
    }
    if (ms % 3_600_000L == 0 && ms > 0) {
      return ms / 3_600_000L + (ms == 3_600_000L ? " hour" : " hours");
    }
    if (ms % 60_000L == 0 && ms > 0) {
      return ms / 60_000L + (ms == 60_000L ? " minute" : " minutes");
    }
    return ms + " ms";
  }
}
