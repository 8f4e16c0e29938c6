package org.streamdistill.producers.ingest;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.schemas.metrics.MetricsEndpoint;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;

/** Command line: serve the live chat endpoint until the process is stopped (Ctrl-C, SIGTERM). */
public final class IngestMain {
  private IngestMain() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(List.of(args), System.getenv(), System.out, System.err));
  }

  public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err)
      throws InterruptedException {
    if (args.contains("--help")) {
      out.println("Serves POST /v1/conversations/{id}/turns and writes accepted turns to dialogue.turns. Settings:\n"
          + IngestConfig.LOADER.help());
      return 0;
    }
    IngestConfig config;
    MetricsEndpoint.Settings metricsSettings;
    try {
      config = IngestConfig.parse(args, env);
      metricsSettings = IngestConfig.metricsEndpoint(args, env);
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("ingest: " + e.getMessage());
      return 2;
    }
    LiveChatIngestion ingestion;
    try {
      ingestion = LiveChatIngestion.start(config, config.registry().newClient());
    } catch (RuntimeException e) {
      err.println("ingest: cannot start: " + e.getMessage());
      return 1;
    }
    MetricsEndpoint metrics;
    try {
      metrics = MetricsEndpoint.startIfEnabled("ingest-metrics", metricsSettings, ingestion.metricsRegistry());
    } catch (RuntimeException e) {
      ingestion.close();
      err.println("ingest: cannot serve metrics: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      ingestion.close();
      if (metrics != null) {
        metrics.close();
      }
      stopped.countDown();
    }, "ingest-shutdown"));
    out.printf("ingest: listening on %s/v1/conversations/{id}/turns, writing to %s (Ctrl-C stops)%n",
        ingestion.baseUri(), ingestion.topic().name());
    stopped.await();
    return 0;
  }
}
