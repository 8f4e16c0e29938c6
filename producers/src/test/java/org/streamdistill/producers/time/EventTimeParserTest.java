package org.streamdistill.producers.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventTimeParserTest {

  @Test
  void shouldReadInstantsWithZoneOffsetsAndEpochMillis() {
    EventTimeParser strict = EventTimeParser.strict();

    assertThat(strict.parse("2024-05-01T12:00:00Z")).isEqualTo(Instant.parse("2024-05-01T12:00:00Z"));
    assertThat(strict.parse("2024-05-01T14:00:00.250+02:00")).isEqualTo(Instant.parse("2024-05-01T12:00:00.250Z"));
    assertThat(strict.parse("1714564800000")).isEqualTo(Instant.parse("2024-05-01T12:00:00Z"));
    assertThat(strict.parse(" 0 ")).isEqualTo(Instant.EPOCH);
  }

  @Test
  void shouldReadTimesWithoutZoneAsUtcOnlyWhenLenient() {
    assertThat(EventTimeParser.lenient().parse("2024-05-01 12:00:00")).isEqualTo(Instant.parse("2024-05-01T12:00:00Z"));
    assertThat(EventTimeParser.lenient().parse("2024-05-01T12:00")).isEqualTo(Instant.parse("2024-05-01T12:00:00Z"));
    assertThatThrownBy(() -> EventTimeParser.strict().parse("2024-05-01 12:00:00"))
        .hasMessage("'2024-05-01 12:00:00' is not a time; expected ISO-8601 with a zone (2024-05-01T12:00:00Z) "
            + "or epoch milliseconds (1714564800000)");
  }

  @Test
  void shouldRefuseGarbageEmptyAndOutOfRangeValuesQuotingThem() {
    EventTimeParser strict = EventTimeParser.strict();

    assertThatThrownBy(() -> strict.parse("yesterday")).hasMessageStartingWith("'yesterday' is not a time");
    assertThatThrownBy(() -> strict.parse("")).hasMessageStartingWith("is empty");
    assertThatThrownBy(() -> strict.parse("1714564800000000000"))
        .hasMessageStartingWith("1714564800000000000 is out of range for epoch milliseconds");
    assertThatThrownBy(() -> EventTimeParser.fromEpochMillis(-1)).hasMessageStartingWith("-1 is out of range");
  }
}
