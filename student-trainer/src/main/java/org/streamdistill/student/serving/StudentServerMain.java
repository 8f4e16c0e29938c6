package org.streamdistill.student.serving;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.schemas.metrics.MetricsEndpoint;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;

/**
 * Command line: serves the champion student over HTTP until Ctrl-C or SIGTERM, following the
 * promotions and checkpoints topics of a running Kafka cluster and schema registry. The ONNX
 * exports must be readable at the {@code file:} URIs the checkpoints name (same host or a shared
 * volume). Settings: {@code --config FILE}, then {@code STREAMDISTILL_*} environment variables,
 * then {@code --key value} flags (see {@link ServerConfig}).
 */
public final class StudentServerMain {

  private StudentServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (List.of(args).contains("--help")) {
      System.out.println("Serves the champion student on POST /v1/classify until Ctrl-C. "
          + "Settings:\n" + ServerConfig.LOADER.help());
      return;
    }
    StudentServer server;
    MetricsEndpoint.Settings metricsSettings;
    try {
      ServerConfig config = ServerConfig.parse(List.of(args), System.getenv());
      metricsSettings = ServerConfig.metricsEndpoint(List.of(args), System.getenv());
      RestSchemaRegistryClient registry;
      try {
        registry = config.registry().newClient();
      } catch (IllegalArgumentException e) {
        throw new ConfigException(ServerConfig.REGISTRY_URL + ": " + e.getMessage());
      }
      TeacherTokenizer tokenizer = new TeacherTokenizer();
      KafkaChampionFeed feed;
      try {
        feed = new KafkaChampionFeed(config.bootstrapServers(), config.namespace(),
            config.modelName(), registry,
            config.modelDir().isEmpty() ? null : java.nio.file.Path.of(config.modelDir()), config.kafka());
      } catch (RuntimeException e) {
        tokenizer.close();
        throw e;
      }
      try {
        server = new StudentServer(config, feed, tokenizer);
      } catch (IOException e) {
        feed.close();
        tokenizer.close();
        throw new ConfigException(ServerConfig.HOST + "/" + ServerConfig.PORT + ": cannot listen on "
            + config.host() + ":" + config.port() + ": " + e.getMessage());
      }
    } catch (ConfigException e) {
      System.err.println("student-server: " + e.getMessage());
      System.exit(2);
      return;
    } catch (KafkaException e) {
      System.err.println("student-server: " + rootMessage(e));
      System.exit(2);
      return;
    } catch (IOException e) {
      System.err.println("student-server: " + e.getMessage());
      System.exit(1);
      return;
    }

    MetricsEndpoint metrics = MetricsEndpoint.startIfEnabled("server-metrics", metricsSettings,
        server.metricsRegistry());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      if (metrics != null) {
        metrics.close();
      }
      stopped.countDown();
    }, "student-server-shutdown"));
    server.start();
    System.out.println("student-server: listening on port " + server.port()
        + " (POST /v1/classify, GET /v1/champion)");
    stopped.await();
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }
}
