package org.streamdistill.producers.dataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a delimited file with a header row, quoted as RFC 4180 says: a field in double
 * quotes may hold the delimiter, line breaks and doubled quotes ({@code ""}). Columns are
 * found by header name, so their order does not matter. Blank lines are skipped; a row
 * with a different number of fields than the header is refused with its line number.
 */
public final class CsvReader {

  private CsvReader() {}

  public static List<DatasetRow> read(Path file, ColumnMapping mapping, char delimiter) throws IOException {
    if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
      throw new IllegalArgumentException("the CSV delimiter cannot be a quote or a line break");
    }
    RowMapper mapper = new RowMapper(file, mapping);
    List<DatasetRow> rows = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      RecordParser parser = new RecordParser(reader, delimiter, file);
      List<String> header = parser.next();
      if (header == null) {
        throw new InvalidDatasetException(file, 1, "the file is empty; expected a header row");
      }
      if (!header.isEmpty() && header.get(0).startsWith("\uFEFF")) {
        header.set(0, header.get(0).substring(1));
      }
      Map<String, Integer> columns = new HashMap<>();
      for (int i = 0; i < header.size(); i++) {
        columns.putIfAbsent(header.get(i).strip(), i);
      }
      for (String wanted : new String[] {mapping.text(), mapping.label(), mapping.conversation(), mapping.timestamp(),
          mapping.speaker()}) {
        if (wanted != null && !columns.containsKey(wanted)) {
          throw new InvalidDatasetException(file, 1, "no column '" + wanted + "'; the header has " + header);
        }
      }
      List<String> fields;
      while ((fields = parser.next()) != null) {
        long line = parser.recordLine();
        if (fields.size() == 1 && fields.get(0).isEmpty()) {
          continue; // a blank line
        }
        if (fields.size() != header.size()) {
          throw new InvalidDatasetException(file, line, fields.size() + " fields, but the header has "
              + header.size() + " (a field holding the delimiter must be in double quotes)");
        }
        List<String> record = fields;
        rows.add(mapper.map(line, column -> record.get(columns.get(column))));
      }
    } catch (CharacterCodingException e) {
      throw new InvalidDatasetException(file, 0, "not valid UTF-8");
    }
    return rows;
  }

  /** Splits the character stream into records of fields. */
  private static final class RecordParser {
    private final Reader reader;
    private final char delimiter;
    private final Path file;
    private long line = 1;
    private long recordLine;
    private int pushedBack = -2;

    RecordParser(Reader reader, char delimiter, Path file) {
      this.reader = reader;
      this.delimiter = delimiter;
      this.file = file;
    }

    long recordLine() {
      return recordLine;
    }

    private int read() throws IOException {
      if (pushedBack != -2) {
        int c = pushedBack;
        pushedBack = -2;
        return c;
      }
      return reader.read();
    }

    /** The next record's fields, or {@code null} at the end of the file. */
    List<String> next() throws IOException {
      int c = read();
      if (c < 0) {
        return null;
      }
      recordLine = line;
      List<String> fields = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      boolean wasQuoted = false;
      while (true) {
        if (quoted) {
          if (c < 0) {
            throw new InvalidDatasetException(file, recordLine, "a quoted field is not closed before the end of the file");
          }
          if (c == '"') {
            int following = read();
            if (following == '"') {
              field.append('"');
            } else {
              quoted = false;
              pushedBack = following;
            }
          } else {
            if (c == '\n') {
              line++;
            }
            field.append((char) c);
          }
        } else if (c < 0 || c == '\n' || c == '\r') {
          if (c == '\r') {
            int following = read();
            if (following != '\n') {
              pushedBack = following;
            }
          }
          if (c >= 0) {
            line++;
          }
          fields.add(field.toString());
          return fields;
        } else if (c == delimiter) {
          fields.add(field.toString());
          field.setLength(0);
          wasQuoted = false;
        } else if (c == '"' && field.length() == 0 && !wasQuoted) {
          quoted = true;
          wasQuoted = true;
        } else if (wasQuoted) {
          throw new InvalidDatasetException(file, line, "unexpected '" + (char) c
              + "' after a closing quote (quotes inside a quoted field are doubled: \"\")");
        } else {
          field.append((char) c);
        }
        c = read();
      }
    }
  }
}
