package org.streamdistill.schemas.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the samples of a scrape in the Prometheus text format (version 0.0.4), as a stage's
 * {@code /metrics} answers it: for the console, which shows figures of stage endpoints, and
 * for tests, which assert exact values. Comments ({@code # HELP}, {@code # TYPE}) are skipped;
 * timestamps after the value are ignored.
 */
public final class PrometheusText {

  /** One sample line: {@code name{labels} value}. */
  public record Sample(String name, Map<String, String> labels, double value) {
    public String label(String labelName) {
      return labels.get(labelName);
    }
  }

  private PrometheusText() {}

  /**
   * @throws IllegalArgumentException naming the line when a sample line is malformed
   */
  public static List<Sample> parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      samples.add(parseLine(line));
    }
    return samples;
  }

  /** The value of the one sample named {@code name} whose labels include {@code labels}; NaN when none. */
  public static double value(List<Sample> samples, String name, Map<String, String> labels) {
    double found = Double.NaN;
    int matches = 0;
    for (Sample s : samples) {
      if (s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())) {
        found = s.value();
        matches++;
      }
    }
    if (matches > 1) {
      throw new IllegalArgumentException(matches + " samples of " + name + " match " + labels);
    }
    return found;
  }

  private static Sample parseLine(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String key = line.substring(i, eq).trim();
        if (line.charAt(eq + 1) != '"') {
          throw new IllegalArgumentException("label value not quoted in: " + line);
        }
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        for (; line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            char next = line.charAt(++j);
            value.append(next == 'n' ? '\n' : next);
          } else {
            value.append(c);
          }
        }
        labels.put(key, value.toString());
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      i++;
    }
    String[] rest = line.substring(i).trim().split(" ");
    if (name.isEmpty() || rest.length == 0 || rest[0].isEmpty()) {
      throw new IllegalArgumentException("not a sample line: " + line);
    }
    return new Sample(name, Map.copyOf(labels), parseValue(rest[0]));
  }

  private static double parseValue(String v) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(v);
    };
  }
}
