package org.streamdistill.deploy.cluster;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.streamdistill.deploy.registry.EmbeddedSchemaRegistry;
import org.streamdistill.schemas.http.BasicAuthUsers;
import org.streamdistill.schemas.http.HttpTls;

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
      Kafka topic (created if absent), until Ctrl-C. With registry.auth.users or registry.auth.users-file
      every request needs HTTP basic credentials; with registry.http.ssl.keystore.location it speaks
      HTTPS only. Settings (file, then STREAMDISTILL_* variables, then flags):
      """;

  private RegistryCommand() {}

  /** The registry the settings describe, not started yet. */
  static EmbeddedSchemaRegistry.Builder builder(List<String> args, java.util.Map<String, String> env) {
    java.util.Map<String, Object> settings = ClusterCommandConfig.registry(args, env);
    return builder(settings, ClusterCommandConfig.registryUsers(settings));
  }

  /** Runs until the JVM shuts down; returns the exit code (1 failed to start, 2 bad usage). */
  public static int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
    if (args.contains("--help")) {
      out.print(USAGE);
      out.println(ClusterCommandConfig.REGISTRY_LOADER.help());
      return 0;
    }
    EmbeddedSchemaRegistry.Builder builder;
    BasicAuthUsers users;
    String bind;
    try {
      java.util.Map<String, Object> settings = ClusterCommandConfig.registry(args, System.getenv());
      users = ClusterCommandConfig.registryUsers(settings);
      bind = (String) settings.get(ClusterCommandConfig.REGISTRY_BIND);
      builder = builder(settings, users);
    } catch (org.apache.kafka.common.config.ConfigException e) {
      err.println("registry: " + e.getMessage());
      return 2;
    }
    if (users == null && !isLoopback(bind)) {
      err.println("registry: warning: listening on " + bind + " without authentication: anyone who reaches it can "
          + "register schemas; set " + ClusterCommandConfig.REGISTRY_USERS + " or "
          + ClusterCommandConfig.REGISTRY_USERS_FILE);
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
    out.printf("schema registry serving %s (schemas in topic %s, %s); Ctrl-C stops it%n", registry.url(),
        registry.topic(), users == null ? "no authentication" : "basic authentication, " + users.users().size()
            + (users.users().size() == 1 ? " user" : " users"));
    out.flush();
    closed.await();
    return 0;
  }

  /**
   * The registry that parsed {@code registry} settings describe, not started yet.
   *
   * @param users the users of {@link ClusterCommandConfig#registryUsers}, null for no authentication
   * @throws org.apache.kafka.common.config.ConfigException naming the setting when the key store cannot be read
   */
  static EmbeddedSchemaRegistry.Builder builder(java.util.Map<String, Object> settings, BasicAuthUsers users) {
    return EmbeddedSchemaRegistry.builder((String) settings.get(ClusterCommandConfig.BOOTSTRAP_SERVERS))
        .bindAddress((String) settings.get(ClusterCommandConfig.REGISTRY_BIND))
        .port((Integer) settings.get(ClusterCommandConfig.REGISTRY_PORT))
        .topic((String) settings.get(ClusterCommandConfig.REGISTRY_TOPIC))
        .users(users)
        .tls(HttpTls.from(settings, ClusterCommandConfig.REGISTRY_PREFIX))
        .kafka(org.streamdistill.schemas.config.KafkaClientSettings.from(settings));
  }

  private static boolean isLoopback(String address) {
    try {
      return java.net.InetAddress.getByName(address).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false; // binding fails anyway, with its own message
    }
  }
}
