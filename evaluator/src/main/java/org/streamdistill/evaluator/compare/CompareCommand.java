package org.streamdistill.evaluator.compare;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;

/**
 * {@code bin/streamdistill compare}: the learning model of one model line in two or more
 * namespaces, paired turn by turn, the first namespace the baseline. Prints a table (or JSON)
 * with a verdict per variant and writes a self-contained HTML report.
 */
public final class CompareCommand {

  static final String USAGE = """
      Usage: bin/streamdistill compare --namespaces BASELINE,VARIANT[,VARIANT...] [settings]

      Compares what the trainers of two or more namespaces predicted (student.predictions,
      read_committed), each turn paired by its id: agreement with the teacher and gold accuracy
      of each variant against the baseline (the first namespace; 'production' for production's
      topics), on held-out and on training turns separately, with a paired bootstrap interval of
      the difference and the exact McNemar p-value, and learning curves side by side. Prints a
      table (--json: JSON) and writes an HTML report (--html FILE).

      Example: bin/streamdistill compare --bootstrap-servers 127.0.0.1:9092 --namespaces production,exp1

      """;

  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

  private CompareCommand() {}

  public static int run(List<String> args, PrintStream out, PrintStream err) {
    return run(args, System.getenv(), out, err);
  }

  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(USAGE);
      out.println(CompareConfig.LOADER.help());
      return 0;
    }
    CompareConfig config;
    try {
      config = CompareConfig.parse(args, env);
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("compare: " + e.getMessage());
      return 2;
    }
    List<NamespacePredictions> namespaces = new ArrayList<>();
    try {
      PredictionLoader loader = new PredictionLoader(config.bootstrapServers(), config.kafka(),
          new RestSchemaRegistryClient(config.registry()), KAFKA_TIMEOUT);
      for (String namespace : config.namespaces()) {
        String name = namespace.isEmpty() ? CompareConfig.PRODUCTION : namespace;
        err.printf("compare: reading %s's predictions%n", name);
        NamespacePredictions predictions = loader.load(namespace, config.modelLine(),
            read -> err.printf("compare:   %,d records%n", read));
        err.printf("compare: %s: %,d turns predicted by %s (%,d records, %,d of other model lines)%n", name,
            predictions.turns().size(), config.modelLine(), predictions.records(), predictions.otherLines());
        if (predictions.turns().isEmpty()) {
          err.printf("compare: %s has no prediction of model line '%s' (--model-line)%n", name, config.modelLine());
          return 1;
        }
        namespaces.add(predictions);
      }
    } catch (IllegalStateException | KafkaException e) {
      err.println("compare: " + e.getMessage());
      return 1;
    }
    ComparisonReport report = ComparisonReport.of(namespaces, config.method(), config.curvePoints());
    out.print(config.json() ? CompareJson.format(report) + System.lineSeparator() : CompareTable.format(report));
    if (!config.html().isEmpty()) {
      Path html = Path.of(config.html());
      try {
        if (html.toAbsolutePath().getParent() != null) {
          Files.createDirectories(html.toAbsolutePath().getParent());
        }
        Files.writeString(html, CompareHtml.render(report), StandardCharsets.UTF_8);
      } catch (IOException | UncheckedIOException e) {
        err.println("compare: cannot write " + html + ": " + e.getMessage());
        return 1;
      }
      err.println("compare: report written to " + html.toAbsolutePath());
    }
    return 0;
  }
}
