package org.streamdistill.evaluator.console;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.evaluator.lag.ConsumerLagMonitor;
import org.streamdistill.schemas.lifecycle.UntilShutdown;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.registry.SchemaRegistryClient;

/**
 * {@code console}: serves the live web console of a running pipeline until Ctrl-C. A {@link
 * Console} is the same thing for callers that run it beside other work (the demo).
 */
public final class ConsoleCommand {

  private static final String USAGE = """
      Usage: streamdistill console [--bootstrap-servers HOST:PORT] [--schema.registry.url URL]
                                   [--topic.namespace NS] [--port P] [settings]

      Serves one page that updates itself: the flow of topics and stages with their rates and lag, lag per
      consumer group over time, rolling agreement with the teacher and gold accuracy per model version with
      every promotion and rollback and its evidence, teacher and student latency, throughput, dead letters by
      reason, and the champion with how to fetch it. Everything comes from the topics and the consumer groups,
      so it works against any cluster. Binds 127.0.0.1 unless --console.http.host says otherwise; with
      console.auth.users it asks for a user name and password, with console.http.ssl.keystore.location it
      serves HTTPS only.

      Settings:
      """;

  private ConsoleCommand() {}

  /** A running console: lag monitor, topic watcher and page, closed together. */
  public static final class Console implements AutoCloseable {
    private final ConsumerLagMonitor monitor;
    private final PipelineWatcher watcher;
    private final ConsoleServer server;

    /** Starts watching and serving. */
    public Console(ConsoleConfig config, SchemaRegistryClient registry) {
      ConsoleState state = new ConsoleState(config.namespace(), config.serveUrl(), config.historyPoints());
      monitor = new ConsumerLagMonitor(config.lagSettings());
      PipelineWatcher w = null;
      ConsoleServer s = null;
      try {
        monitor.start();
        w = new PipelineWatcher(config, registry, state, monitor::latest, System::currentTimeMillis);
        w.start();
        s = new ConsoleServer(config.httpHost(), config.httpPort(), config.httpLimits(), config.users(), config.tls(),
            state::toJson);
      } catch (RuntimeException e) {
        if (w != null) {
          w.close();
        }
        monitor.close();
        throw e;
      }
      watcher = w;
      server = s;
    }

    /** Where to point a browser. */
    public java.net.URI uri() {
      return server.baseUri();
    }

    @Override
    public void close() {
      server.close();
      watcher.close();
      monitor.close();
    }
  }

  /** Runs until Ctrl-C; returns the exit code (0 done, 1 failed, 2 bad usage). */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    // Ctrl-C completes stop; shutdown then waits for run() to close the clients before the JVM halts.
    return UntilShutdown.run("console-shutdown", Duration.ofSeconds(10),
        stop -> run(args, System.getenv(), out, err, stop));
  }

  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err,
                 CompletableFuture<?> stop) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(USAGE);
      out.println(ConsoleConfig.LOADER.help());
      return 0;
    }
    ConsoleConfig config;
    SchemaRegistryClient registry;
    try {
      config = ConsoleConfig.parse(args, env);
      registry = new RestSchemaRegistryClient(config.registryUrl());
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("console: " + e.getMessage());
      return 2;
    }
    try (Console console = new Console(config, registry)) {
      out.printf("console: open %s (Ctrl-C to stop)%n", console.uri());
      stop.get();
      return 0;
    } catch (KafkaException | UncheckedIOException e) {
      err.println("console: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (ExecutionException e) {
      return 0;
    }
  }
}
