package org.streamdistill.schemas.metrics;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.schemas.config.NotBlank;
import org.streamdistill.schemas.http.BearerToken;
import org.streamdistill.schemas.http.BoundedHttpServer;
import org.streamdistill.schemas.http.HttpGuard;
import org.streamdistill.schemas.http.HttpTls;

/**
 * A stage's metrics endpoint: {@code GET /metrics} of its {@link PrometheusRegistry} (with the
 * JVM's own metrics added) on a {@link BoundedHttpServer}, so a flood of scrapes is bounded like
 * every other endpoint. Each stage's config class includes the two settings with {@link
 * #define}, under its own prefix ({@code teacher.metrics.port}, {@code trainer.metrics.port},
 * ...). Off by default; on 127.0.0.1 unless told otherwise. Like every other endpoint it takes an
 * optional bearer token ({@code <prefix>metrics.http.token}: Prometheus sends it with {@code
 * authorization: {credentials_file: ...}}) and an optional TLS key store ({@code
 * <prefix>metrics.http.ssl.keystore.location}, ...).
 */
public final class MetricsEndpoint implements AutoCloseable {

  /** Suffix of the port setting: {@code <prefix>metrics.port}. */
  public static final String PORT = "metrics.port";
  /** Suffix of the bind address setting: {@code <prefix>metrics.host}. */
  public static final String HOST = "metrics.host";
  /** Prefix, after the stage's, of the token and TLS settings: {@code <prefix>metrics.http.token}, ... */
  public static final String SECURITY_PREFIX = "metrics.";
  /** Scrapes answered at once: a scrape is quick, and Prometheus asks one at a time. */
  public static final int REQUEST_THREADS = 2;

  private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

  /**
   * Where to serve, if at all, and how to protect it.
   *
   * @param host address to bind
   * @param port port to bind, 0 for a free one, -1 for no endpoint
   * @param token the bearer token every scrape must carry, or null for none
   * @param tls the key store to serve HTTPS with, or null for plain HTTP
   */
  public record Settings(String host, int port, BearerToken token, HttpTls tls) {
    public static final Settings OFF = new Settings("127.0.0.1", -1);

    /** Plain HTTP without authentication. */
    public Settings(String host, int port) {
      this(host, port, null, null);
    }

    public boolean enabled() {
      return port >= 0;
    }

    /** The settings under {@code prefix} of values parsed by a definition that {@link #define}d them. */
    public static Settings from(Map<String, ?> parsed, String prefix) {
      return new Settings((String) parsed.get(prefix + HOST), (Integer) parsed.get(prefix + PORT),
          BearerToken.from(parsed, prefix + SECURITY_PREFIX), HttpTls.from(parsed, prefix + SECURITY_PREFIX));
    }
  }

  /**
   * Adds {@code <prefix>metrics.port}, {@code <prefix>metrics.host}, the token {@code
   * <prefix>metrics.http.token} and the TLS settings {@code <prefix>metrics.http.ssl.*} to {@code
   * definition}.
   */
  public static ConfigDef define(ConfigDef definition, String prefix) {
    BearerToken.define(definition, prefix + SECURITY_PREFIX);
    HttpTls.define(definition, prefix + SECURITY_PREFIX);
    return definition
        .define(prefix + PORT, Type.INT, -1, Range.between(-1, 65_535), Importance.LOW,
            "Serve this process's Prometheus metrics on GET /metrics at this port; 0 picks a free port, -1 serves"
                + " none.")
        .define(prefix + HOST, Type.STRING, "127.0.0.1", NotBlank.INSTANCE, Importance.LOW,
            "Address the metrics endpoint binds; 0.0.0.0 for every interface (then set " + prefix + SECURITY_PREFIX
                + BearerToken.HTTP_TOKEN + ", and TLS).");
  }

  private final BoundedHttpServer server;

  private MetricsEndpoint(BoundedHttpServer server) {
    this.server = server;
  }

  /**
   * Registers the JVM metrics in {@code registry} (once per registry) and serves it, or returns
   * null when {@code settings} are off.
   *
   * @param name names the server's threads and log lines, e.g. {@code trainer-metrics}
   * @throws java.io.UncheckedIOException when the address cannot be bound
   */
  public static MetricsEndpoint startIfEnabled(String name, Settings settings, PrometheusRegistry registry) {
    if (!settings.enabled()) {
      return null;
    }
    JvmMetrics.builder().register(registry);
    MetricsHandler metrics = new MetricsHandler(registry);
    Handler handler = new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!metrics.handle(request, response, callback)) {
          BoundedHttpServer.answer(response, callback, 404, "text/plain; charset=utf-8",
              "not found; try /metrics\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return true;
      }
    };
    if (settings.token() != null) {
      handler = HttpGuard.bearer(settings.token(), name, "text/plain; charset=utf-8",
          "a valid bearer token is required (Authorization: Bearer <token>)\n").protect(handler);
    }
    BoundedHttpServer server = BoundedHttpServer.start(name, new InetSocketAddress(settings.host(), settings.port()),
        BoundedHttpServer.Limits.defaults(REQUEST_THREADS), settings.tls(), handler,
        BoundedHttpServer.Busy.of("text/plain; charset=utf-8", "busy; retry later\n"));
    MetricsEndpoint endpoint = new MetricsEndpoint(server);
    LOG.info("{}: serving Prometheus metrics on {}{} ({})", name, endpoint.baseUri(), MetricsHandler.PATH,
        settings.token() != null ? "bearer token required" : "no authentication");
    return endpoint;
  }

  public int port() {
    return server.port();
  }

  /** {@code http://host:port}, without a path. */
  public URI baseUri() {
    return server.baseUri();
  }

  @Override
  public void close() {
    server.close();
  }
}
