package org.streamdistill.evaluator.app;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.schemas.metrics.MetricsEndpoint;

/**
 * Command line: {@code evaluator [--config FILE] [--key value]... [--help]}, configured like
 * every other command (see {@link EvaluatorConfig#parse}). Runs until interrupted (Ctrl-C /
 * SIGTERM close the application cleanly) and exits non-zero when the application stops by
 * itself after an error.
 */
public final class EvaluatorMain {

  private static final Logger LOG = LoggerFactory.getLogger(EvaluatorMain.class);

  private EvaluatorMain() {}

  public static void main(String[] args) throws InterruptedException {
    EvaluatorApp app;
    try {
      if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
        printUsage(System.out);
        return;
      }
      EvaluatorConfig config = parse(args, System.err);
      LOG.info("evaluator settings given (the rest at their defaults): {}",
          EvaluatorConfig.LOADER.given(List.of(args), System.getenv()));
      app = new EvaluatorApp(config);
    } catch (IllegalArgumentException | ConfigException e) {
      // User mistakes (a bad flag, key or value): the message names it, no stack trace.
      System.err.println("evaluator: " + e.getMessage());
      System.err.println("run with --help for the settings");
      System.exit(2);
      return;
    }
    MetricsEndpoint metrics = MetricsEndpoint.startIfEnabled("evaluator-metrics", app.config().metricsEndpoint(),
        app.metricsRegistry());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close();
      if (metrics != null) {
        metrics.close();
      }
    }, "evaluator-shutdown"));
    app.start();
    while (!app.awaitStopped(Duration.ofMinutes(1))) {
      // Keep the main thread alive while the stream threads work.
    }
    if (app.state() == KafkaStreams.State.ERROR) {
      // A refused login, TLS handshake or ACL says which setting or grant to check.
      var denied = org.streamdistill.schemas.kafka.KafkaAccessCheck.denied(app.config().bootstrapServers(),
          app.failure());
      System.err.println("evaluator: stopped after an error" + (denied != null ? ": " + denied.getMessage() : "")
          + ", see the log");
      System.exit(1);
    }
  }

  /** The settings of {@code args} and the environment; deprecation warnings go to {@code err}. */
  static EvaluatorConfig parse(String[] args, PrintStream err) {
    return EvaluatorConfig.parse(List.of(args), System.getenv(), warning -> err.println("evaluator: warning: " + warning));
  }

  static void printUsage(PrintStream out) {
    out.println("usage: evaluator [--config FILE] [--key value]... [--help]");
    out.println();
    out.println("Precedence: defaults, then --config FILE, then environment variables (e.g. "
        + EvaluatorConfig.environmentName(EvaluatorConfig.PROMOTION_MIN_PAIRED) + "), then flags.");
    out.println("Kafka Streams settings pass through as --" + EvaluatorConfig.STREAMS_PREFIX + "<setting> value.");
    out.println();
    out.println("Settings:");
    out.println(EvaluatorConfig.LOADER.help());
  }
}
