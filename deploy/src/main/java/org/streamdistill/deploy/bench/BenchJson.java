package org.streamdistill.deploy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@link BenchReport} as JSON: the same figures as the Markdown section, with snake_case
 * keys ({@code teacher_bound.ratio}, {@code serving.teacher_millis.p50}, ...). A section that
 * was not measured is {@code null}; a figure that could not be computed is {@code "NaN"}.
 */
public final class BenchJson {

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private BenchJson() {}

  public static String toJson(Object report) throws IOException {
    return MAPPER.writeValueAsString(report);
  }

  /** Writes (replaces) {@code file} with a {@link BenchReport} or a {@link ClusterBenchReport}. */
  public static void write(Object report, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, toJson(report) + "\n");
  }
}
