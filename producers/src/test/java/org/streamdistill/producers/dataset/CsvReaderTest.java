package org.streamdistill.producers.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {

  @TempDir
  Path dir;

  private Path write(String name, String content) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void shouldMapColumnsByHeaderNameWithQuotedDelimitersQuotesAndLineBreaks() throws Exception {
    Path file = write("chats.csv", "\uFEFFid,when,utterance,intent,who\r\n"
        + "c1,2024-05-01T12:00:00Z,\"hello, there\",greeting,user\r\n"
        + "c1,2024-05-01 12:00:05,\"she said \"\"hi\"\"\nthen left\",,agent\r\n"
        + "\r\n"
        + "c2,1714564810000,plain,goodbye,\n");
    ColumnMapping mapping = new ColumnMapping("utterance", "intent", "id", "when", "who");

    List<DatasetRow> rows = CsvReader.read(file, mapping, ',');

    assertThat(rows).containsExactly(
        new DatasetRow(2, "hello, there", "greeting", "c1", Instant.parse("2024-05-01T12:00:00Z"), "user"),
        new DatasetRow(3, "she said \"hi\"\nthen left", null, "c1", Instant.parse("2024-05-01T12:00:05Z"), "agent"),
        new DatasetRow(6, "plain", "goodbye", "c2", Instant.parse("2024-05-01T12:00:10Z"), "user"));
  }

  @Test
  void shouldReadOtherDelimiters() throws Exception {
    Path file = write("chats.tsv", "text\tlabel\nhi there\tgreeting\n");

    assertThat(CsvReader.read(file, new ColumnMapping("text", "label", null, null, null), '\t'))
        .containsExactly(new DatasetRow(2, "hi there", "greeting", null, null, "user"));
  }

  @Test
  void shouldNameTheMissingColumnAndTheHeader() throws Exception {
    Path file = write("chats.csv", "text,label\nhi,greeting\n");

    assertThatThrownBy(() -> CsvReader.read(file, new ColumnMapping("text", null, "conversation", null, null), ','))
        .isInstanceOf(InvalidDatasetException.class)
        .hasMessage("chats.csv line 1: no column 'conversation'; the header has [text, label]");
  }

  @Test
  void shouldRefuseRowsWithTheWrongFieldCountNamingTheLine() throws Exception {
    Path file = write("chats.csv", "text,label\nhi,greeting\nhello, world,greeting\n");

    assertThatThrownBy(() -> CsvReader.read(file, ColumnMapping.textOnly("text"), ','))
        .isInstanceOf(InvalidDatasetException.class)
        .hasMessage("chats.csv line 3: 3 fields, but the header has 2 (a field holding the delimiter must be in "
            + "double quotes)");
  }

  @Test
  void shouldRefuseEmptyTextUnclosedQuotesAndBadTimestamps() throws Exception {
    assertThatThrownBy(() -> CsvReader.read(write("a.csv", "text,label\n,greeting\n"), ColumnMapping.textOnly("text"), ','))
        .hasMessage("a.csv line 2: no text in column 'text' (set the text column to the one holding the utterance)");
    assertThatThrownBy(() -> CsvReader.read(write("b.csv", "text\n\"open\n"), ColumnMapping.textOnly("text"), ','))
        .hasMessage("b.csv line 2: a quoted field is not closed before the end of the file");
    assertThatThrownBy(() -> CsvReader.read(write("c.csv", "text,t\nhi,noon\n"),
        new ColumnMapping("text", null, null, "t", null), ','))
        .hasMessageStartingWith("c.csv line 2: column 't' 'noon' is not a time");
    assertThatThrownBy(() -> CsvReader.read(write("d.csv", "text,who\nhi,bot\n"),
        new ColumnMapping("text", null, null, null, "who"), ','))
        .hasMessage("d.csv line 2: column 'who' holds speaker 'bot': expected user or agent");
  }
}
