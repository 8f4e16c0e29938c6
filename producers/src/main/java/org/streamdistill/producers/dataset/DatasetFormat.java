package org.streamdistill.producers.dataset;

import java.nio.file.Path;
import java.util.Locale;

/** The file formats dataset replay reads. */
public enum DatasetFormat {
  /** One JSON object per line. */
  JSONL,
  /** Comma (or other delimiter) separated values with a header row, RFC 4180 quoting. */
  CSV;

  /**
   * The format named by {@code name} ({@code jsonl}, {@code csv}), or by the file's extension
   * when {@code name} is {@code auto}.
   */
  public static DatasetFormat of(String name, Path file) {
    String chosen = name.toLowerCase(Locale.ROOT);
    if (chosen.equals("auto")) {
      String fileName = file.getFileName().toString().toLowerCase(Locale.ROOT);
      if (fileName.endsWith(".jsonl") || fileName.endsWith(".ndjson") || fileName.endsWith(".json")) {
        return JSONL;
      }
      if (fileName.endsWith(".csv") || fileName.endsWith(".tsv")) {
        return CSV;
      }
      throw new IllegalArgumentException("cannot tell the format of " + file.getFileName()
          + " from its extension; set the format to jsonl or csv");
    }
    return switch (chosen) {
      case "jsonl", "ndjson" -> JSONL;
      case "csv" -> CSV;
      default -> throw new IllegalArgumentException("unknown format '" + name + "': expected auto, jsonl or csv");
    };
  }
}
