package org.streamdistill.deploy.cluster;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.streamdistill.deploy.registry.EmbeddedSchemaRegistry;

/**
 * {@code registry}: serves the schema registry (the Confluent REST API subset of {@link
 * EmbeddedSchemaRegistry}) as a process of its own, stored in a compacted topic of an external
 * Kafka cluster, until Ctrl-C or SIGTERM. Several instances on the same topic serve the same
 * ids, so it can be restarted at will.
 */
public final class RegistryCommand {


  private static final String USAGE = """
      Usage: streamdistill registry [--bootstrap-servers HOST:PORT[,HOST:PORT...]] [--port N] [--topic NAME]
                                    [--bind ADDRESS] [--config FILE]

      Serves a schema registry that speaks the Confluent REST API, keeping its schemas in a compacted
      Kafka topic (created if absent), until Ctrl-C. Settings (file, then STREAMDISTILL_* variables,
      then flags):
      """;

  private RegistryCommand() {}

  /** The registry the settings describe, not started yet. */
  static EmbeddedSchemaRegistry.Builder builder(List<String> args, java.util.Map<String, String> env) {
    java.util.Map<String, Object> settings = ClusterCommandConfig.registry(args, env);
    return EmbeddedSchemaRegistry.builder((String) settings.get(ClusterCommandConfig.BOOTSTRAP_SERVERS))
        .bindAddress((String) settings.get(ClusterCommandConfig.REGISTRY_BIND))
        .port((Integer) settings.get(ClusterCommandConfig.REGISTRY_PORT))
        .topic((String) settings.get(ClusterCommandConfig.REGISTRY_TOPIC))
        .kafka(org.streamdistill.schemas.config.KafkaClientSettings.from(settings));
  }

  /** Runs until the JVM shuts down; returns the exit code (1 failed to start, 2 bad usage). */
  public static int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
    if (args.contains("--help")) {
      out.print(USAGE);
      out.println(ClusterCommandConfig.REGISTRY_LOADER.help());
      return 0;
    }
    EmbeddedSchemaRegistry.Builder builder;
    try {
      builder = builder(args, System.getenv());
    } catch (org.apache.kafka.common.config.ConfigException e) {
      err.println("registry: " + e.getMessage());
      return 2;
    }
    EmbeddedSchemaRegistry registry;
    try {
      registry = builder.start();
    } catch (IllegalStateException | UncheckedIOException | org.apache.kafka.common.KafkaException e) {
      err.println("registry: cannot start: " + e.getMessage());
      return 1;
    }
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      registry.close();
      closed.countDown();
    }, "schema-registry-shutdown"));
    out.printf("schema registry serving %s (schemas in topic %s); Ctrl-C stops it%n", registry.url(),
        registry.topic());
    out.flush();
    closed.await();
    return 0;
  }
}
