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

  private static final List<String> FLAGS = List.of("bootstrap-servers", "port", "topic");
  private static final int DEFAULT_PORT = 8081;

  private static final String USAGE = """
      Usage: streamdistill registry --bootstrap-servers HOST:PORT[,HOST:PORT...] [--port N] [--topic NAME]

      Serves a schema registry that speaks the Confluent REST API, keeping its schemas in a compacted
      Kafka topic (created if absent), until Ctrl-C. It listens on 127.0.0.1 only.

        --bootstrap-servers   the Kafka cluster that stores the schemas (required)
        --port                HTTP port (default 8081)
        --topic               the schemas topic (default _schemas, as Confluent's)
      """;

  private RegistryCommand() {}

  /** Runs until the JVM shuts down; returns the exit code (1 failed to start, 2 bad usage). */
  public static int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
    if (args.contains("--help")) {
      out.print(USAGE);
      return 0;
    }
    EmbeddedSchemaRegistry.Builder builder;
    try {
      CommandFlags flags = CommandFlags.parse("registry", args, FLAGS);
      String bootstrap = flags.string("bootstrap-servers")
          .orElseThrow(() -> new CommandFlags.UsageException("--bootstrap-servers is required"));
      builder = EmbeddedSchemaRegistry.builder(bootstrap)
          .port(flags.integer("port", 1, 65_535).orElse(DEFAULT_PORT))
          .topic(flags.string("topic", EmbeddedSchemaRegistry.DEFAULT_TOPIC));
    } catch (CommandFlags.UsageException e) {
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
