package org.streamdistill.evaluator.lag;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.schemas.lifecycle.UntilShutdown;

/**
 * {@code lag}: the consumer lag of the pipeline's groups. With {@code --once}, samples one
 * full window and prints the table; otherwise samples until Ctrl-C, serving {@code /metrics}
 * and {@code /lag} when {@code --http-port} is given and printing the table every {@code
 * --print-every} milliseconds.
 */
public final class LagCommand {

  private static final String USAGE = """
      Usage: streamdistill lag [--bootstrap-servers HOST:PORT] [--groups G1,G2] [--interval MS] [--window N]
                               [--stop-after MS] (--once | --http-port PORT) [settings]

      Consumer lag of every group: per partition the committed offset, the last stable offset, the records
      not consumed yet and the age of the oldest of them, and a status per group over a sliding window:
        OK      caught up within the window, or keeping pace (transaction markers alone count as caught up)
        WARN    committed offsets advance but the lag grows at every commit
        REWIND  a committed offset went backwards
        STALL   the committed offset did not move across the whole window while records wait
        STOP    the committed offset has not moved for --stop-after while records wait
      --once samples one full window (--window samples, --interval apart) and prints a table; without it
      the lag is sampled until Ctrl-C, served on --http-port as /metrics (Prometheus) and /lag (JSON).

      Settings:
      """;

  private LagCommand() {}

  /** Runs the command; returns the exit code (0 done, 1 failed, 2 bad usage). */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    // Ctrl-C completes stop; shutdown then waits for run() to close the clients before the JVM halts.
    return UntilShutdown.run("lag-shutdown", Duration.ofSeconds(10),
        stop -> run(args, System.getenv(), out, err, stop));
  }

  /**
   * Runs the command until it is done or {@code stop} completes.
   *
   * @param env environment variables to read settings from
   */
  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err,
                 CompletableFuture<?> stop) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(USAGE);
      out.println(LagConfig.LOADER.help());
      return 0;
    }
    LagConfig config;
    try {
      config = LagConfig.parse(args, env, warning -> err.println("lag: warning: " + warning));
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("lag: " + e.getMessage());
      return 2;
    }
    ConsumerLagMonitor created;
    try {
      created = new ConsumerLagMonitor(config.monitor());
    } catch (KafkaException e) {
      // Malformed or unresolvable bootstrap servers: a user mistake, reported without a stack trace.
      err.println("lag: --bootstrap-servers " + config.monitor().bootstrapServers() + ": " + rootMessage(e));
      return 2;
    }
    try (ConsumerLagMonitor monitor = created) {
      return config.once() ? once(monitor, out, err, stop) : serve(config, monitor, out, stop);
    } catch (LagSamplingException e) {
      err.println("lag: " + e.getMessage());
      return 1;
    } catch (UncheckedIOException e) {
      err.println("lag: " + e.getMessage());
      return 1;
    }
  }

  private static int once(ConsumerLagMonitor monitor, PrintStream out, PrintStream err, CompletableFuture<?> stop) {
    ConsumerLagMonitor.Settings settings = monitor.settings();
    int samples = settings.windowSamples();
    err.printf("lag: sampling %d times, %d ms apart (the status needs a full window: --window and --interval "
        + "shorten it)%n", samples, settings.interval().toMillis());
    LagSnapshot snapshot = monitor.sampleNow();
    for (int i = 1; i < samples; i++) {
      if (await(stop, settings.interval())) {
        break;
      }
      snapshot = monitor.sampleNow();
    }
    out.print(LagTable.render(snapshot));
    return 0;
  }

  private static int serve(LagConfig config, ConsumerLagMonitor monitor, PrintStream out, CompletableFuture<?> stop) {
    monitor.start();
    LagHttpServer server = config.httpPort() >= 0
        ? new LagHttpServer(config.httpHost(), config.httpPort(), config.httpLimits(), config.httpToken(),
            config.httpTls(), monitor::latest, monitor::sampleFailures) : null;
    try {
      if (server != null) {
        out.printf("lag: serving %s://%s:%d/metrics and /lag%s (Ctrl-C to stop)%n", server.tls() ? "https" : "http",
            config.httpHost(), server.port(), config.httpToken() != null ? " (bearer token required)" : "");
      } else {
        out.println("lag: sampling until Ctrl-C");
      }
      Duration every = config.printInterval();
      while (!(every.isZero() ? await(stop, null) : await(stop, every))) {
        LagSnapshot snapshot = monitor.latest();
        if (snapshot.sampledAt() != null) {
          out.print(LagTable.render(snapshot));
          out.flush();
        }
      }
      return 0;
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }

  /** Waits for {@code stop} up to {@code timeout} (null: for ever); whether it completed. */
  private static boolean await(CompletableFuture<?> stop, Duration timeout) {
    try {
      if (timeout == null) {
        stop.get();
      } else {
        stop.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }
}
