package org.streamdistill.producers.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a JSON Lines file: one JSON object per line, blank lines skipped. Mapped fields may
 * hold strings or numbers (a numeric conversation id, epoch milliseconds); nested objects
 * are refused with the line number.
 */
public final class JsonLinesReader {

  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonLinesReader() {}

  public static List<DatasetRow> read(Path file, ColumnMapping mapping) throws IOException {
    RowMapper mapper = new RowMapper(file, mapping);
    List<String> mapped = java.util.stream.Stream.of(mapping.text(), mapping.label(), mapping.conversation(),
        mapping.timestamp(), mapping.speaker()).filter(java.util.Objects::nonNull).toList();
    List<DatasetRow> rows = new ArrayList<>();
    long line = 0;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String text;
      while ((text = reader.readLine()) != null) {
        line++;
        if (line == 1 && text.startsWith("\uFEFF")) {
          text = text.substring(1);
        }
        if (text.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
          throw new InvalidDatasetException(file, line, "not valid JSON: " + e.getOriginalMessage());
        }
        if (!node.isObject()) {
          throw new InvalidDatasetException(file, line, "expected a JSON object, got " + node.getNodeType());
        }
        for (String field : mapped) {
          JsonNode value = node.get(field);
          if (value != null && value.isContainerNode()) {
            throw new InvalidDatasetException(file, line, "field '" + field + "' holds " + value.getNodeType()
                + ", expected a string or a number");
          }
        }
        DatasetRow row = mapper.map(line, field -> {
          JsonNode value = node.get(field);
          return value == null || value.isNull() ? null : value.asText();
        });
        rows.add(row);
      }
    } catch (CharacterCodingException e) {
      throw new InvalidDatasetException(file, line + 1, "not valid UTF-8");
    }
    return rows;
  }
}
