package org.streamdistill.deploy.platform;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka cluster (one KRaft process that is both broker and controller) running
 * inside this JVM, on loopback. It runs the same code path as {@code kafka-server-start.sh}:
 * the storage is formatted with {@link Formatter} (what {@code kafka-storage.sh format}
 * calls), then {@link KafkaRaftServer} starts on it.
 *
 * <p>A log directory that already holds formatted storage is reused as it is, so a broker
 * restarted on the same directory keeps its cluster id, topics and records. Without a given
 * directory the broker uses a temporary one and deletes it on {@link #close()}.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *   String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {

  /** The KRaft node id of the single node. */
  public static final int NODE_ID = 1;

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final String HOST = "127.0.0.1";
  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  /** How many times {@link Builder#start()} tries new free ports when one was taken meanwhile. */
  static final int BIND_ATTEMPTS = 3;

  private final Path logDir;
  private final boolean ownsLogDir;
  private final int port;
  private final int controllerPort;
  private final String clusterId;
  private final KafkaRaftServer server;
  private boolean closed;

  private EmbeddedKafka(Path logDir, boolean ownsLogDir, int port, int controllerPort, String clusterId,
      KafkaRaftServer server) {
    this.logDir = logDir;
    this.ownsLogDir = ownsLogDir;
    this.port = port;
    this.controllerPort = controllerPort;
    this.clusterId = clusterId;
    this.server = server;
  }

  /** Starts a broker on free ports and a temporary log directory. */
  public static EmbeddedKafka start() {
    return builder().start();
  }

  /** Options for a broker: log directory, ports, extra broker settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code host:port} of the PLAINTEXT listener, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  public int port() {
    return port;
  }

  public int controllerPort() {
    return controllerPort;
  }

  /** The directory holding the broker's logs and its KRaft metadata log. */
  public Path logDir() {
    return logDir;
  }

  /** The cluster id the storage was formatted with (stable across restarts on one directory). */
  public String clusterId() {
    return clusterId;
  }

  /**
   * Shuts the broker down cleanly and waits until it has stopped. A temporary log directory
   * is deleted; a given one is kept for the next start.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long started = System.nanoTime();
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      if (ownsLogDir) {
        deleteRecursively(logDir);
      }
    }
    LOG.info("Kafka broker on {} stopped in {} ms", bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  @Override
  public String toString() {
    return "EmbeddedKafka[" + bootstrapServers() + ", cluster " + clusterId + ", " + logDir + "]";
  }

  /** Options of an {@link EmbeddedKafka}; every one has a working default. */
  public static final class Builder {
    private Path logDir;
    private int port;
    private int controllerPort;
    private Duration startTimeout = Duration.ofSeconds(60);
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private PortChooser ports = EmbeddedKafka::choosePorts;

    private Builder() {}

    /**
     * Keeps the broker's data in {@code dir} (created if absent). Storage already formatted
     * there is reused, not reformatted; the directory survives {@link EmbeddedKafka#close()}.
     */
    public Builder logDir(Path dir) {
      this.logDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** Port of the PLAINTEXT (client) listener; 0, the default, picks a free one. */
    public Builder port(int port) {
      this.port = checkPort("port", port);
      return this;
    }

    /** Port of the CONTROLLER listener; 0, the default, picks a free one. */
    public Builder controllerPort(int port) {
      this.controllerPort = checkPort("controllerPort", port);
      return this;
    }

    /** How long {@link #start()} waits for the broker to answer clients. */
    public Builder startTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be > 0, got " + timeout);
      }
      this.startTimeout = timeout;
      return this;
    }

    /** Sets (or overrides) one broker setting, e.g. {@code log.retention.ms}. */
    public Builder brokerConfig(String key, String value) {
      overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** How free ports are chosen for the ports left at 0; for tests of the retry below. */
    Builder portChooser(PortChooser chooser) {
      this.ports = Objects.requireNonNull(chooser, "chooser");
      return this;
    }

    /**
     * Formats the storage if needed, starts the broker and waits until it answers a
     * {@code describeCluster} request. A free port is found by binding port 0 and closing the
     * socket before the broker binds it, so another process can take it in between; when the
     * broker then cannot bind a port this builder chose, it starts again on new ones (at most
     * {@value #BIND_ATTEMPTS} times). A port given by the caller is never replaced.
     *
     * @throws IllegalStateException when the broker does not start or answer in time
     */
    public EmbeddedKafka start() {
      for (int attempt = 1; ; attempt++) {
        int[] chosen = ports.choose(port, controllerPort);
        try {
          return start(chosen);
        } catch (RuntimeException e) {
          String bind = bindFailure(e);
          if (bind == null) {
            throw e;
          }
          if ((port != 0 && controllerPort != 0) || attempt >= BIND_ATTEMPTS) {
            throw new IllegalStateException("Kafka cannot listen on " + HOST + " (broker port " + chosen[0]
                + ", controller port " + chosen[1] + "): " + bind + (port != 0 && controllerPort != 0
                ? " Give free ports, or 0 for any." : " Tried " + attempt + " times with new free ports."), e);
          }
          LOG.warn("Kafka could not bind the free ports {} and {} (taken since they were chosen: {}); "
              + "starting again on others", chosen[0], chosen[1], e.getMessage());
        }
      }
    }

    private EmbeddedKafka start(int[] ports) {
      long started = System.nanoTime();
      boolean ownsLogDir = logDir == null;
      Path dir;
      try {
        dir = ownsLogDir ? Files.createTempDirectory("streamdistill-kafka-") : Files.createDirectories(logDir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the Kafka log directory " + logDir + ": " + e.getMessage(), e);
      }
      KafkaRaftServer server = null;
      try {
        KafkaConfig config = new KafkaConfig(brokerProperties(dir, ports[0], ports[1]), false);
        String clusterId = formatIfNeeded(config, dir);
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        EmbeddedKafka kafka = new EmbeddedKafka(dir, ownsLogDir, ports[0], ports[1], clusterId, server);
        awaitReady(kafka.bootstrapServers(), startTimeout);
        LOG.info("Kafka broker {} started in {} ms (cluster {}, log dir {})", kafka.bootstrapServers(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), clusterId, dir);
        return kafka;
      } catch (RuntimeException e) {
        if (server != null) {
          try {
            server.shutdown();
            server.awaitShutdown();
          } catch (RuntimeException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        if (ownsLogDir) {
          deleteRecursively(dir);
        }
        throw e;
      }
    }

    private Properties brokerProperties(Path dir, int brokerPort, int controllerPort) {
      Properties props = new Properties();
      props.put("process.roles", "broker,controller");
      props.put("node.id", Integer.toString(NODE_ID));
      // A static quorum: the voter set is in the configuration, not in the metadata log, so
      // a restart on other ports needs no reconfiguration.
      props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
      props.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
          + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
      props.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
      props.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
      props.put("controller.listener.names", CONTROLLER_LISTENER);
      props.put("inter.broker.listener.name", BROKER_LISTENER);
      props.put("log.dirs", dir.toAbsolutePath().toString());

      // One node: every internal topic has one replica.
      props.put("default.replication.factor", "1");
      props.put("min.insync.replicas", "1");
      props.put("offsets.topic.replication.factor", "1");
      props.put("transaction.state.log.replication.factor", "1");
      props.put("transaction.state.log.min.isr", "1");
      props.put("share.coordinator.state.topic.replication.factor", "1");
      props.put("share.coordinator.state.topic.min.isr", "1");
      // Fewer internal partitions than the 50 default: less to load at start-up on one node.
      props.put("offsets.topic.num.partitions", "8");
      props.put("transaction.state.log.num.partitions", "8");
      props.put("share.coordinator.state.topic.num.partitions", "8");

      props.put("group.initial.rebalance.delay.ms", "0");
      // Topics come from the catalogue (TopicProvisioner): a typo must fail, not create a topic.
      props.put("auto.create.topics.enable", "false");
      props.put("num.partitions", "1");
      // Flink's exactly-once sink keeps transactions open across checkpoints (STACK.md).
      props.put("transaction.max.timeout.ms", "900000");
      // Flushing is left to the OS page cache (Kafka's default); a clean shutdown flushes.
      // The cleaner's default 128 MiB dedupe buffer is allocated eagerly: far more than the
      // few compacted topics here need.
      props.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
      props.putAll(overrides);
      return props;
    }
  }

  /**
   * Formats {@code dir} unless it already holds a {@code meta.properties}, the same steps as
   * {@code kafka-storage.sh format --cluster-id <random> --ignore-formatted} on a static
   * quorum. Returns the cluster id in use.
   */
  private static String formatIfNeeded(KafkaConfig config, Path dir) {
    Path meta = dir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME);
    if (Files.exists(meta)) {
      String existing = readClusterId(meta);
      LOG.info("Reusing formatted Kafka storage in {} (cluster {})", dir, existing);
      return existing;
    }
    String clusterId = Uuid.randomUuid().toString();
    ByteArrayOutputStream formatterOutput = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(formatterOutput, true, StandardCharsets.UTF_8)) {
      new Formatter()
          .setPrintStream(out)
          .setNodeId(config.nodeId())
          .setClusterId(clusterId)
          .setUnstableFeatureVersionsEnabled(false)
          .setIgnoreFormatted(true)
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setMetadataLogDirectory(config.metadataLogDir())
          .setHasDynamicQuorum(false)
          .addDirectory(dir.toAbsolutePath().toString())
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format Kafka storage in " + dir + ": " + e.getMessage()
          + " (formatter output: " + formatterOutput.toString(StandardCharsets.UTF_8).trim() + ")", e);
    }
    LOG.debug("Formatter: {}", formatterOutput.toString(StandardCharsets.UTF_8).trim());
    return clusterId;
  }

  private static String readClusterId(Path metaProperties) {
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(metaProperties)) {
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + metaProperties + ": " + e.getMessage(), e);
    }
    String clusterId = props.getProperty("cluster.id");
    if (clusterId == null) {
      throw new IllegalStateException(metaProperties + " has no cluster.id: the directory is not KRaft storage;"
          + " give an empty directory or one written by this broker");
    }
    return clusterId;
  }

  private static void awaitReady(String bootstrapServers, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Object> config = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    try (Admin admin = Admin.create(config)) {
      Exception last = null;
      while (System.nanoTime() < deadline) {
        try {
          int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000)).nodes()
              .get(5, TimeUnit.SECONDS).size();
          if (nodes > 0) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          last = e; // the broker is still registering with its controller: ask again
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the Kafka broker on " + bootstrapServers, e);
        }
      }
      throw new IllegalStateException("Kafka broker on " + bootstrapServers + " did not answer within "
          + timeout.toSeconds() + " s" + (last == null ? "" : ": " + last.getMessage()), last);
    }
  }

  private static int checkPort(String name, int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(name + " must be between 0 and 65535, got " + port);
    }
    return port;
  }

  /** Chooses the broker's and the controller's ports, each given one kept as it is. */
  @FunctionalInterface
  interface PortChooser {
    int[] choose(int brokerPort, int controllerPort);
  }

  /**
   * When {@code e} or one of its causes is a port that could not be bound, the message that says
   * which (Kafka's socket server names host and port around the {@link BindException}); else null.
   */
  static String bindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getCause() instanceof BindException) {
        return t.getMessage();
      }
      if (t instanceof BindException) {
        return t.getMessage();
      }
    }
    return null;
  }

  /** Resolves 0 to free ports; both sockets stay open until both are chosen, so they differ. */
  static int[] choosePorts(int brokerPort, int controllerPort) {
    try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getByName(HOST));
         ServerSocket second = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return new int[] {
          brokerPort != 0 ? brokerPort : first.getLocalPort(),
          controllerPort != 0 ? controllerPort : second.getLocalPort()};
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find free ports on " + HOST + ": " + e.getMessage(), e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try {
      FileTree.delete(dir);
    } catch (IOException e) {
      LOG.warn("Cannot delete all of Kafka log directory {}: {}", dir, e.getMessage());
    }
  }
}
