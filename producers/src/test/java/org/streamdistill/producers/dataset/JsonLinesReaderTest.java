package org.streamdistill.producers.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesReaderTest {

  @TempDir
  Path dir;

  private Path write(String content) throws Exception {
    Path file = dir.resolve("chats.jsonl");
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void shouldMapFieldsTakingNumbersAsTextAndEpochMillisAndSkippingBlankLines() throws Exception {
    Path file = write("{\"q\":\"where is my card\",\"intent\":\"card_arrival\",\"session\":17,\"ts\":1714564800000}\n"
        + "\n"
        + "{\"q\":\"thanks\",\"intent\":null,\"session\":17,\"ts\":\"2024-05-01T12:01:00Z\",\"extra\":[1]}\n");

    assertThat(JsonLinesReader.read(file, new ColumnMapping("q", "intent", "session", "ts", null))).containsExactly(
        new DatasetRow(1, "where is my card", "card_arrival", "17", Instant.parse("2024-05-01T12:00:00Z"), "user"),
        new DatasetRow(3, "thanks", null, "17", Instant.parse("2024-05-01T12:01:00Z"), "user"));
  }

  @Test
  void shouldNameTheLineOfMalformedJsonNonObjectsNestedValuesAndMissingText() throws Exception {
    ColumnMapping mapping = new ColumnMapping("text", "label", null, null, null);

    assertThatThrownBy(() -> JsonLinesReader.read(write("{\"text\":\"a\"}\n{\"text\":\n"), mapping))
        .isInstanceOf(InvalidDatasetException.class).hasMessageStartingWith("chats.jsonl line 2: not valid JSON: ");
    assertThatThrownBy(() -> JsonLinesReader.read(write("[\"a\"]\n"), mapping))
        .hasMessage("chats.jsonl line 1: expected a JSON object, got ARRAY");
    assertThatThrownBy(() -> JsonLinesReader.read(write("{\"text\":{\"en\":\"a\"}}\n"), mapping))
        .hasMessage("chats.jsonl line 1: field 'text' holds OBJECT, expected a string or a number");
    assertThatThrownBy(() -> JsonLinesReader.read(write("{\"utterance\":\"a\"}\n"), mapping))
        .hasMessage("chats.jsonl line 1: no text in column 'text' (set the text column to the one holding the utterance)");
  }
}
