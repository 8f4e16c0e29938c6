package org.streamdistill.evaluator.lag;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.schemas.http.BearerToken;
import org.streamdistill.schemas.http.BoundedHttpServer;
import org.streamdistill.schemas.http.HttpGuard;
import org.streamdistill.schemas.http.HttpTls;
import org.streamdistill.schemas.metrics.MetricsHandler;

/**
 * Serves the latest {@link LagSnapshot} of a {@link ConsumerLagMonitor} over HTTP (a Jetty
 * handler on a {@link BoundedHttpServer}): {@code GET /metrics} through the Prometheus Java
 * client ({@link LagMetrics} and the JVM's metrics), {@code GET /lag} (alias {@code /metrics.json}) as JSON ({@link
 * LagJson}). Every request renders the latest sample; none triggers a sample of its own, so
 * scrapes cost the cluster nothing. Request bodies are not read; a flood beyond the request
 * threads and queue gets 503 with {@code Retry-After: 1}. With a bearer token every path needs
 * it (Prometheus sends one with {@code authorization: credentials_file}); with a key store the
 * endpoint speaks HTTPS only.
 */
public final class LagHttpServer implements AutoCloseable {

  /** Requests rendered at once: rendering is quick and a scraper asks one at a time. */
  public static final int REQUEST_THREADS = 2;

  private static final Logger LOG = LoggerFactory.getLogger(LagHttpServer.class);
  private static final String TEXT = "text/plain; charset=utf-8";

  private final BoundedHttpServer server;
  private final PrometheusRegistry registry;

  /**
   * Binds and starts the server with the default HTTP limits.
   *
   * @param host address to bind, {@code 0.0.0.0} for every interface
   * @param port port to bind, 0 for a free one (see {@link #port()})
   * @param monitor the monitor whose snapshots are served
   * @throws UncheckedIOException when the address cannot be bound
   */
  public LagHttpServer(String host, int port, ConsumerLagMonitor monitor) {
    this(host, port, monitor::latest, monitor::sampleFailures);
  }

  /**
   * Binds and starts a server of the snapshots {@code snapshots} supplies, with the default HTTP limits.
   *
   * @param sampleFailures the failed samples so far, for {@code /metrics}
   */
  public LagHttpServer(String host, int port, Supplier<LagSnapshot> snapshots, LongSupplier sampleFailures) {
    this(host, port, BoundedHttpServer.Limits.defaults(REQUEST_THREADS), snapshots, sampleFailures);
  }

  /** Binds and starts a server of the snapshots {@code snapshots} supplies, within {@code limits}. */
  public LagHttpServer(String host, int port, BoundedHttpServer.Limits limits, Supplier<LagSnapshot> snapshots,
                       LongSupplier sampleFailures) {
    this(host, port, limits, null, null, snapshots, sampleFailures);
  }

  /**
   * Binds and starts a server of the snapshots {@code snapshots} supplies, within {@code limits}.
   *
   * @param token the bearer token every request must carry, or null for none
   * @param tls the key store to serve HTTPS with, or null for plain HTTP
   */
  public LagHttpServer(String host, int port, BoundedHttpServer.Limits limits, BearerToken token, HttpTls tls,
                       Supplier<LagSnapshot> snapshots, LongSupplier sampleFailures) {
    Objects.requireNonNull(snapshots, "snapshots");
    Objects.requireNonNull(sampleFailures, "sampleFailures");
    registry = new PrometheusRegistry();
    registry.register(new LagMetrics(snapshots, sampleFailures));
    JvmMetrics.builder().register(registry);
    MetricsHandler metrics = new MetricsHandler(registry);
    Supplier<String> json = () -> LagJson.render(snapshots.get());
    Handler routes = new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (metrics.handle(request, response, callback)) {
          return true;
        }
        String path = request.getHttpURI().getPath();
        switch (path) {
          case "/lag", "/metrics.json" -> respond(request, response, callback, LagJson.CONTENT_TYPE, json);
          default -> send(response, callback, 404, TEXT, "not found; try /metrics or /lag\n");
        }
        return true;
      }
    };
    Handler handler = token == null ? routes
        : HttpGuard.bearer(token, "lag", TEXT, "a valid bearer token is required (Authorization: Bearer <token>)\n")
            .protect(routes);
    server = BoundedHttpServer.start("lag-http", new InetSocketAddress(host, port), limits, tls, handler,
        BoundedHttpServer.Busy.of(TEXT, "busy; retry later\n"));
    LOG.info("Serving consumer lag on {}://{}:{}/metrics and /lag ({})", server.tls() ? "https" : "http", host, port(),
        token != null ? "bearer token required" : "no authentication");
  }

  /** Whether the endpoint speaks HTTPS. */
  public boolean tls() {
    return server.tls();
  }

  /** What {@code /metrics} serves: the lag ({@link LagMetrics}) and this JVM's metrics. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /** The bound port. */
  public int port() {
    return server.port();
  }

  private static void respond(Request request, Response response, Callback callback, String contentType,
                              Supplier<String> body) {
    String method = request.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      send(response, callback, 405, TEXT, "only GET\n");
      return;
    }
    // For HEAD Jetty sends the headers, Content-Length included, and drops the body.
    send(response, callback, 200, contentType, body.get());
  }

  private static void send(Response response, Callback callback, int status, String contentType, String body) {
    BoundedHttpServer.answer(response, callback, status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  /** Stops serving. */
  @Override
  public void close() {
    server.close();
  }
}
