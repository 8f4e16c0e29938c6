package org.streamdistill.schemas.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventTimeWindowTest {

  private static final long NOW = Instant.parse("2026-12-03T12:00:00Z").toEpochMilli();
  private final EventTimeWindow window = new EventTimeWindow(Duration.ofDays(7), Duration.ofMinutes(5));

  @Test
  void shouldAcceptTimesInsideTheWindowIncludingItsEdges() {
    assertThat(window.violation(Instant.ofEpochMilli(NOW), NOW)).isNull();
    assertThat(window.violation(Instant.parse("2026-11-26T12:00:00Z"), NOW)).isNull();
    assertThat(window.violation(Instant.parse("2026-12-03T12:05:00Z"), NOW)).isNull();
  }

  @Test
  void shouldRefuseTimesJustOutsideTheWindowNamingTheBound() {
    assertThat(window.violation(Instant.parse("2026-11-26T11:59:59.999Z"), NOW))
        .isEqualTo("event time 2026-11-26T11:59:59.999Z is more than 7 days before 2026-12-03T12:00:00Z");
    assertThat(window.violation(Instant.parse("2026-12-03T12:05:00.001Z"), NOW))
        .isEqualTo("event time 2026-12-03T12:05:00.001Z is more than 5 minutes after 2026-12-03T12:00:00Z");
  }

  @Test
  void shouldRefusePre1970TimesEvenWithoutAPastBound() {
    EventTimeWindow writable = EventTimeWindow.writableToKafka();

    assertThat(writable.violation(Instant.parse("1969-12-31T23:59:59Z"), NOW))
        .isEqualTo("event time 1969-12-31T23:59:59Z is before 1970-01-01T00:00:00Z");
    assertThat(writable.violation(Instant.EPOCH, NOW)).isNull();
    assertThat(writable.violation(Instant.parse("2001-01-01T00:00:00Z"), NOW)).isNull();
    assertThat(writable.violation(Instant.parse("2026-12-03T13:00:00.001Z"), NOW))
        .isEqualTo("event time 2026-12-03T13:00:00.001Z is more than 1 hour after 2026-12-03T12:00:00Z");
    assertThat(writable.violation(null, NOW)).isEqualTo("event time is missing");
  }

  @Test
  void shouldRefuseNegativeBounds() {
    assertThatThrownBy(() -> new EventTimeWindow(Duration.ofMillis(-1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be >= 0");
  }
}
