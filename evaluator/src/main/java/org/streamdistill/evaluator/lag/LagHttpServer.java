package org.streamdistill.evaluator.lag;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the latest {@link LagSnapshot} of a {@link ConsumerLagMonitor} over HTTP (the JDK's server, one
 * thread): {@code GET /metrics} in the Prometheus text format ({@link PrometheusFormat}),
 * {@code GET /lag} (alias {@code /metrics.json}) as JSON ({@link LagJson}). Every request
 * renders the latest sample; none triggers a sample of its own, so scrapes cost the cluster
 * nothing.
 */
public final class LagHttpServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LagHttpServer.class);

  private final HttpServer server;
  private final ExecutorService executor;

  /**
   * Binds and starts the server.
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
   * Binds and starts a server of the snapshots {@code snapshots} supplies.
   *
   * @param sampleFailures the failed samples so far, for {@code /metrics}
   */
  public LagHttpServer(String host, int port, Supplier<LagSnapshot> snapshots, LongSupplier sampleFailures) {
    Objects.requireNonNull(snapshots, "snapshots");
    Objects.requireNonNull(sampleFailures, "sampleFailures");
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve lag metrics on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    executor = Executors.newSingleThreadExecutor(r -> {
      Thread thread = new Thread(r, "lag-http");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    Supplier<String> metrics = () -> PrometheusFormat.render(snapshots.get(), sampleFailures.getAsLong());
    Supplier<String> json = () -> LagJson.render(snapshots.get());
    server.createContext("/metrics", exchange -> respond(exchange, "/metrics", PrometheusFormat.CONTENT_TYPE, metrics));
    server.createContext("/lag", exchange -> respond(exchange, "/lag", LagJson.CONTENT_TYPE, json));
    server.createContext("/metrics.json", exchange -> respond(exchange, "/metrics.json", LagJson.CONTENT_TYPE, json));
    server.start();
    LOG.info("Serving consumer lag on http://{}:{}/metrics and /lag", host, port());
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, String path, String contentType, Supplier<String> body)
      throws IOException {
    try (exchange) {
      // Contexts match by prefix: /metricsfoo must not answer as /metrics.
      if (!exchange.getRequestURI().getPath().equals(path)) {
        send(exchange, 404, "text/plain; charset=utf-8", "not found; try /metrics or /lag\n");
        return;
      }
      if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, 405, "text/plain; charset=utf-8", "only GET\n");
        return;
      }
      send(exchange, 200, contentType, body.get());
    }
  }

  private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Stops serving (requests in progress get a second to finish). */
  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
  }
}
