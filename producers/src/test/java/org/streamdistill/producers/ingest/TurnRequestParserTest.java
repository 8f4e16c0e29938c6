package org.streamdistill.producers.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TurnRequestParserTest {

  private final TurnRequestParser parser = new TurnRequestParser(20);

  private static byte[] utf8(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void shouldParseAFullTurn() throws Exception {
    TurnRequest turn = parser.parse("conv-1", utf8(
        "{\"speaker\":\"agent\",\"text\":\"héllo\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"gold_label\":\"greeting\"}"));

    assertThat(turn).isEqualTo(new TurnRequest("conv-1", "agent", "héllo", Instant.parse("2024-05-01T12:00:00Z"),
        "greeting"));
  }

  @Test
  void shouldTakeEpochMillisAndLeaveOptionalFieldsEmpty() throws Exception {
    assertThat(parser.parse("c", utf8("{\"speaker\":\"user\",\"text\":\"hi\",\"timestamp\":1714564800000}")))
        .isEqualTo(new TurnRequest("c", "user", "hi", Instant.parse("2024-05-01T12:00:00Z"), null));
    assertThat(parser.parse("c", utf8("{\"speaker\":\"user\",\"text\":\"hi\",\"timestamp\":null,\"gold_label\":null}")))
        .isEqualTo(new TurnRequest("c", "user", "hi", null, null));
  }

  @Test
  void shouldRefuseTimestampsOutsideTheWindowAroundTheServerClock() throws Exception {
    Instant now = Instant.parse("2026-12-03T12:00:00Z");
    TurnRequestParser windowed = new TurnRequestParser(20,
        new org.streamdistill.schemas.time.EventTimeWindow(java.time.Duration.ofDays(7), java.time.Duration.ofMinutes(5)),
        () -> now);

    assertThatThrownBy(() -> windowed.parse("conv-b",
        utf8("{\"speaker\":\"user\",\"text\":\"what is my balance\",\"timestamp\":\"1969-12-31T23:59:59Z\"}")))
        .isInstanceOfSatisfying(InvalidTurnException.class, e -> assertThat(e.field()).isEqualTo("timestamp"))
        .hasMessage("timestamp refused: event time 1969-12-31T23:59:59Z is before 1970-01-01T00:00:00Z (the server's "
            + "clock); send when the turn happened, or leave timestamp out to use the arrival time");
    assertThatThrownBy(() -> windowed.parse("c",
        utf8("{\"speaker\":\"user\",\"text\":\"hi\",\"timestamp\":\"2026-12-03T13:00:00Z\"}")))
        .isInstanceOfSatisfying(InvalidTurnException.class, e -> assertThat(e.field()).isEqualTo("timestamp"))
        .hasMessageContaining("is more than 5 minutes after 2026-12-03T12:00:00Z");
    assertThatThrownBy(() -> windowed.parse("c",
        utf8("{\"speaker\":\"user\",\"text\":\"hi\",\"timestamp\":\"2024-05-01T12:00:00Z\"}")))
        .isInstanceOfSatisfying(InvalidTurnException.class, e -> assertThat(e.field()).isEqualTo("timestamp"))
        .hasMessageContaining("is more than 7 days before 2026-12-03T12:00:00Z");
    assertThat(windowed.parse("c", utf8("{\"speaker\":\"user\",\"text\":\"hi\",\"timestamp\":\"2026-12-03T12:04:00Z\"}"))
        .timestamp()).isEqualTo(Instant.parse("2026-12-03T12:04:00Z"));
  }

  @Test
  void shouldAcceptTextOfExactlyTheLimitInUtf8Bytes() throws Exception {
    String text = "é".repeat(10); // 20 bytes of UTF-8

    assertThat(parser.parse("c", utf8("{\"speaker\":\"user\",\"text\":\"" + text + "\"}")).text()).isEqualTo(text);
  }

  static Stream<Arguments> invalidBodies() {
    return Stream.of(
        Arguments.of("{\"speaker\":\"user\"}", "text", "text is required"),
        Arguments.of("{\"speaker\":\"user\",\"text\":null}", "text", "text is required"),
        Arguments.of("{\"speaker\":\"user\",\"text\":\"  \"}", "text", "text must not be blank"),
        Arguments.of("{\"speaker\":\"user\",\"text\":42}", "text", "text must be a string, got NUMBER"),
        Arguments.of("{\"speaker\":\"user\",\"text\":\"" + "é".repeat(10) + "a\"}", "text",
            "text is 21 bytes of UTF-8, over the limit of 20"),
        Arguments.of("{\"speaker\":\"user\",\"text\":\"\\ud83d\"}", "text",
            "text is not valid UTF-8: unpaired surrogate \\ud83d at character 0"),
        Arguments.of("{\"text\":\"hi\"}", "speaker", "speaker is required: user or agent"),
        Arguments.of("{\"speaker\":\"bot\",\"text\":\"hi\"}", "speaker", "unknown speaker 'bot': expected user or agent"),
        Arguments.of("{\"speaker\":\"user\",\"text\":\"hi\",\"timestamp\":\"yesterday\"}", "timestamp",
            "timestamp 'yesterday' is not a time; expected ISO-8601 with a zone (2024-05-01T12:00:00Z) "
                + "or epoch milliseconds (1714564800000)"),
        Arguments.of("{\"speaker\":\"user\",\"text\":\"hi\",\"timestamp\":1.5}", "timestamp",
            "timestamp must be an ISO-8601 string with a zone (2024-05-01T12:00:00Z) or integer epoch milliseconds, got 1.5"),
        Arguments.of("{\"speaker\":\"user\",\"text\":\"hi\",\"timestamp\":-5}", "timestamp",
            "timestamp -5 is out of range for epoch milliseconds (0 to 253402300799999, i.e. 1970 to 9999)"),
        Arguments.of("{\"speaker\":\"user\",\"text\":\"hi\",\"gold_label\":7}", "gold_label",
            "gold_label must be a non-blank string or null, got 7"),
        Arguments.of("{\"speaker\":\"user\",\"text\":\"hi\",\"timestmap\":1}", "timestmap",
            "unknown field 'timestmap'; expected speaker, text, timestamp (optional), gold_label (optional)"),
        Arguments.of("[1,2]", "body", "request body must be a JSON object, got ARRAY"),
        Arguments.of("", "body", "request body is empty; expected a JSON object with speaker and text"));
  }

  @ParameterizedTest
  @MethodSource("invalidBodies")
  void shouldRefuseInvalidBodiesNamingTheField(String body, String field, String message) {
    assertThatThrownBy(() -> parser.parse("conv-1", utf8(body)))
        .isInstanceOfSatisfying(InvalidTurnException.class, e -> {
          assertThat(e.field()).isEqualTo(field);
          assertThat(e.getMessage()).isEqualTo(message);
          assertThat(e.tooLarge()).isFalse();
        });
  }

  @Test
  void shouldRefuseMalformedJsonWithItsPosition() {
    assertThatThrownBy(() -> parser.parse("c", utf8("{\"speaker\":\"user\",\"text\":")))
        .isInstanceOfSatisfying(InvalidTurnException.class, e -> {
          assertThat(e.field()).isEqualTo("body");
          assertThat(e.getMessage()).startsWith("request body is not valid JSON (line 1, column ");
        });
    assertThatThrownBy(() -> parser.parse("c", utf8("{\"speaker\":\"user\",\"text\":\"a\"} trailing")))
        .isInstanceOfSatisfying(InvalidTurnException.class, e -> assertThat(e.field()).isEqualTo("body"));
    assertThatThrownBy(() -> parser.parse("c", utf8("{\"text\":\"a\",\"text\":\"b\",\"speaker\":\"user\"}")))
        .isInstanceOfSatisfying(InvalidTurnException.class, e -> {
          assertThat(e.field()).isEqualTo("body");
          assertThat(e.getMessage()).contains("Duplicate field 'text'");
        });
  }

  @Test
  void shouldRefuseInvalidUtf8NamingTheFieldThatHoldsIt() {
    byte[] prefix = utf8("{\"speaker\":\"user\",\"text\":\"ab");
    byte[] suffix = utf8("cd\"}");
    byte[] body = new byte[prefix.length + 2 + suffix.length];
    System.arraycopy(prefix, 0, body, 0, prefix.length);
    body[prefix.length] = (byte) 0xC3; // a lead byte followed by a non-continuation byte
    body[prefix.length + 1] = (byte) 0x28;
    System.arraycopy(suffix, 0, body, prefix.length + 2, suffix.length);

    assertThatThrownBy(() -> parser.parse("c", body))
        .isInstanceOfSatisfying(InvalidTurnException.class, e -> {
          assertThat(e.field()).isEqualTo("text");
          assertThat(e.getMessage()).isEqualTo("text is not valid UTF-8: malformed byte sequence at byte "
              + prefix.length + " of the request body");
        });
  }

  @Test
  void shouldReportInvalidUtf8OutsideAnyValueAsTheBody() {
    byte[] body = {'{', (byte) 0xFF, '}'};

    assertThatThrownBy(() -> parser.parse("c", body))
        .isInstanceOfSatisfying(InvalidTurnException.class, e -> {
          assertThat(e.field()).isEqualTo("body");
          assertThat(e.getMessage()).isEqualTo("request body is not valid UTF-8: malformed byte sequence at byte 1 "
              + "of the request body");
        });
  }

  @Test
  void shouldRefuseConversationIdsThatAreEmptyTooLongOrHoldOtherCharacters() {
    for (String id : new String[] {"", "a b", "-leading", "a".repeat(129), "x%2Fy", null}) {
      assertThatThrownBy(() -> parser.parse(id, utf8("{\"speaker\":\"user\",\"text\":\"hi\"}")))
          .isInstanceOfSatisfying(InvalidTurnException.class, e -> assertThat(e.field()).isEqualTo("conversation_id"));
    }
  }

  @Test
  void shouldRefuseABodyLargerThanAnyValidTurnAsTooLarge() {
    byte[] body = new byte[parser.maxBodyBytes() + 1];

    assertThatThrownBy(() -> parser.parse("c", body))
        .isInstanceOfSatisfying(InvalidTurnException.class, e -> {
          assertThat(e.tooLarge()).isTrue();
          assertThat(e.field()).isEqualTo("body");
        });
  }
}
