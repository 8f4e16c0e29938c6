package org.streamdistill.deploy.registry;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.http.BasicAuthUsers;
import org.streamdistill.schemas.http.BoundedHttpServer;
import org.streamdistill.schemas.http.HttpGuard;
import org.streamdistill.schemas.http.HttpTls;

/**
 * A schema registry that speaks the Confluent REST API (the subset listed on {@link
 * RegistryHttpHandler}) on loopback, and keeps its state where Confluent's does: in a
 * compacted Kafka topic ({@value #DEFAULT_TOPIC} by default; record format in {@link
 * SchemaLogRecords}). On start it replays that topic, so a restarted registry, or a second
 * one on the same topic, serves the same ids and versions. Avro only; compatibility levels
 * NONE, BACKWARD (default), FORWARD, FULL and their transitive forms. HTTP runs on a {@link
 * BoundedHttpServer}: bounded threads, queue, header and idle timeouts, and request bodies.
 * Optionally it requires HTTP basic authentication for every request, reads and writes alike
 * ({@link Builder#users}), and speaks TLS ({@link Builder#tls}).
 *
 * <pre>{@code
 * try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers())) {
 *   SchemaRegistryClient client = new RestSchemaRegistryClient(registry.url());
 * }
 * }</pre>
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

  /** Confluent's default topic name. */
  public static final String DEFAULT_TOPIC = "_schemas";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
  private static final String LOOPBACK = "127.0.0.1";

  /** Largest request body unless configured: a big Avro schema, JSON-escaped, with room to spare. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 4 << 20;

  private final BoundedHttpServer server;
  private final SchemaLog log;
  private final String topic;
  private final String host;
  private boolean closed;

  private EmbeddedSchemaRegistry(BoundedHttpServer server, SchemaLog log, String topic, String host) {
    this.server = server;
    this.log = log;
    this.topic = topic;
    this.host = host;
  }

  /** Starts a registry on a free port, stored in {@value #DEFAULT_TOPIC} of the given cluster. */
  public static EmbeddedSchemaRegistry start(String bootstrapServers) {
    return builder(bootstrapServers).start();
  }

  /** Options for a registry stored in the given Kafka cluster. */
  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  /**
   * Base URL for {@code RestSchemaRegistryClient}, e.g. {@code http://127.0.0.1:40123}, or
   * {@code https://...} over TLS.
   */
  public String url() {
    return (server.tls() ? "https://" : "http://") + (host.equals("0.0.0.0") ? LOOPBACK : host) + ":" + port();
  }

  public int port() {
    return server.port();
  }

  /** The Kafka topic holding the registry's state. */
  public String topic() {
    return topic;
  }

  /** Stops serving HTTP, then stops reading and writing the topic. The topic keeps the state. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    String url = url(); // the port is gone once the server is closed
    server.close();
    log.close();
    LOG.info("Schema registry {} stopped", url);
  }

  @Override
  public String toString() {
    return "EmbeddedSchemaRegistry[" + url() + ", topic " + topic + "]";
  }

  /** Options of an {@link EmbeddedSchemaRegistry}; every one has a working default. */
  public static final class Builder {
    private final String bootstrapServers;
    private int port;
    private String topic = DEFAULT_TOPIC;
    private String bindAddress = LOOPBACK;
    private Duration timeout = Duration.ofSeconds(30);
    private int httpThreads = 4;
    private BoundedHttpServer.Limits httpLimits;
    private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
    private BasicAuthUsers users;
    private HttpTls tls;
    private KafkaClientSettings kafka = KafkaClientSettings.NONE;

    private Builder(String bootstrapServers) {
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        throw new IllegalArgumentException("bootstrap servers of the registry's Kafka cluster are empty");
      }
      this.bootstrapServers = bootstrapServers;
    }

    /** HTTP port; 0, the default, picks a free one. */
    /** The address to listen on: 127.0.0.1 unless given; 0.0.0.0 for every interface. */
    public Builder bindAddress(String address) {
      this.bindAddress = address;
      return this;
    }

    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /** The Kafka topic that stores the registry (created, compacted, if absent). */
    public Builder topic(String topic) {
      if (topic == null || topic.isBlank()) {
        throw new IllegalArgumentException("schema topic name is empty");
      }
      this.topic = topic;
      return this;
    }

    /** Bound on start-up replay and on each write's round trip through Kafka. */
    public Builder timeout(Duration timeout) {
      if (Objects.requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be > 0, got " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /** {@code kafka.*} settings of the schema log's Kafka clients (security, say). */
    public Builder kafka(KafkaClientSettings settings) {
      this.kafka = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** Threads serving HTTP requests. */
    public Builder httpThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("httpThreads must be >= 1, got " + threads);
      }
      this.httpThreads = threads;
      return this;
    }

    /**
     * HTTP bounds (queue, timeouts, sizes); by default {@link BoundedHttpServer.Limits#defaults}. Its
     * request slots replace {@link #httpThreads}.
     */
    public Builder httpLimits(BoundedHttpServer.Limits limits) {
      this.httpLimits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** Largest request body; larger ones get 413 before they are read. */
    public Builder maxRequestBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxRequestBytes must be >= 1024, got " + bytes);
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    /**
     * Requires HTTP basic authentication by one of {@code users} for every request; null, the
     * default, serves anyone who can connect.
     */
    public Builder users(BasicAuthUsers users) {
      this.users = users;
      return this;
    }

    /** Serves HTTPS with this key store; null, the default, plain HTTP. */
    public Builder tls(HttpTls tls) {
      this.tls = tls;
      return this;
    }

    /**
     * Creates the topic if needed, replays it, then serves HTTP.
     *
     * @throws IllegalStateException when the Kafka cluster cannot be used
     * @throws UncheckedIOException when the port cannot be bound
     */
    public EmbeddedSchemaRegistry start() {
      long started = System.nanoTime();
      RegistryState state = new RegistryState();
      SchemaLog log = new SchemaLog(bootstrapServers, kafka, topic, state, timeout);
      BoundedHttpServer.Limits limits = httpLimits != null ? httpLimits : BoundedHttpServer.Limits.defaults(httpThreads);
      try {
        long replayed = log.start();
        Handler handler = new RegistryHttpHandler(new SchemaRegistryService(state, log), maxRequestBytes,
            limits.bodyTimeout());
        if (users != null) {
          handler = HttpGuard.basic(users, "schema-registry", RegistryHttpHandler.CONTENT_TYPE,
              RegistryHttpHandler.unauthorizedBody()).protect(handler);
        }
        BoundedHttpServer server = BoundedHttpServer.start("schema-registry-http", new InetSocketAddress(bindAddress, port),
            limits, tls, handler, RegistryHttpHandler.busy());
        EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(server, log, topic, bindAddress);
        LOG.info("Schema registry {} started in {} ms ({} offsets of topic {} replayed, {} subjects; {})",
            registry.url(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), replayed, topic,
            state.subjects().size(), users == null ? "no authentication" : "basic authentication, users " + users.users());
        return registry;
      } catch (UncheckedIOException e) {
        log.close();
        throw new UncheckedIOException("cannot serve the schema registry on " + bindAddress + ":" + port + ": "
            + e.getCause().getMessage(), e.getCause());
      } catch (RuntimeException e) {
        log.close();
        throw e;
      }
    }
  }
}
