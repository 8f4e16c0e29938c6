package org.streamdistill.evaluator.app;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.streamdistill.evaluator.EvaluatorConfig;

/**
 * Command line: {@code evaluator [--config FILE] [--set key=value]... [--help]}. Settings come
 * from the file, then the environment, then the flags (see {@link EvaluatorConfig#fromSources}).
 * Runs until interrupted (Ctrl-C / SIGTERM close the application cleanly) and exits non-zero
 * when the application stops by itself after an error.
 */
public final class EvaluatorMain {

  private EvaluatorMain() {}

  public static void main(String[] args) throws InterruptedException {
    EvaluatorApp app;
    try {
      Arguments arguments = Arguments.parse(args);
      if (arguments.help) {
        printUsage(System.out);
        return;
      }
      EvaluatorConfig config = EvaluatorConfig.fromSources(arguments.configFile, System.getenv(), arguments.settings);
      app = new EvaluatorApp(config);
    } catch (IllegalArgumentException | ConfigException e) {
      // User mistakes (a bad flag, key or value): the message names it, no stack trace.
      System.err.println("evaluator: " + e.getMessage());
      System.err.println("run with --help for the settings");
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "evaluator-shutdown"));
    app.start();
    while (!app.awaitStopped(Duration.ofMinutes(1))) {
      // Keep the main thread alive while the stream threads work.
    }
    if (app.state() == KafkaStreams.State.ERROR) {
      System.err.println("evaluator: stopped after an error, see the log");
      System.exit(1);
    }
  }

  private static void printUsage(PrintStream out) {
    out.println("usage: evaluator [--config FILE] [--set key=value]... [--help]");
    out.println();
    out.println("Precedence: file, then environment (e.g. "
        + EvaluatorConfig.environmentName(EvaluatorConfig.PROMOTION_MIN_PAIRED) + "), then --set.");
    out.println("Kafka Streams settings pass through as " + EvaluatorConfig.STREAMS_PREFIX + "<setting>.");
    out.println();
    out.println(EvaluatorConfig.CONFIG.toRst());
  }

  /** The parsed flags. */
  record Arguments(Path configFile, Map<String, String> settings, boolean help) {

    static Arguments parse(String[] args) {
      Path configFile = null;
      Map<String, String> settings = new LinkedHashMap<>();
      boolean help = false;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        switch (arg) {
          case "--help", "-h" -> help = true;
          case "--config" -> {
            configFile = Path.of(valueOf(args, ++i, arg));
            if (!Files.isReadable(configFile)) {
              throw new IllegalArgumentException("--config " + configFile + ": no such readable file");
            }
          }
          case "--set" -> {
            String pair = valueOf(args, ++i, arg);
            int eq = pair.indexOf('=');
            if (eq <= 0) {
              throw new IllegalArgumentException("--set expects key=value, got '" + pair + "'");
            }
            settings.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
          }
          default -> throw new IllegalArgumentException("unknown argument '" + arg
              + "'; expected --config FILE, --set key=value or --help");
        }
      }
      return new Arguments(configFile, settings, help);
    }

    private static String valueOf(String[] args, int index, String flag) {
      if (index >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      return args[index];
    }
  }
}
