package org.streamdistill.evaluator.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.schemas.http.BasicAuthUsers;
import org.streamdistill.schemas.http.BoundedHttpServer;
import org.streamdistill.schemas.http.HttpGuard;
import org.streamdistill.schemas.http.HttpTls;

/**
 * Serves the console on a {@link BoundedHttpServer}: {@code GET /} the page, {@code /console.js}
 * and {@code /console.css} its script and style, {@code /lib/uplot.js} and {@code /lib/uplot.css}
 * the chart library from the uPlot webjar on the class path, and {@code GET /api/state} the
 * figures as JSON ({@link ConsoleState#toJson}), which the page polls. Everything comes from this
 * server: the page's Content-Security-Policy allows no other origin, so a browser showing it
 * makes no request elsewhere. With users set, every path wants their HTTP basic credentials
 * (the browser asks for them once and sends them with each poll); with a key store, HTTPS only.
 */
public final class ConsoleServer implements AutoCloseable {

  /** Resources of the page, beside this class. */
  private static final String PAGE_RESOURCES = "/org/streamdistill/evaluator/console/";
  private static final String UPLOT_PROPERTIES = "/META-INF/maven/org.webjars.npm/uplot/pom.properties";
  private static final String CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A static file of the page: where it is on the class path and its content type. */
  private record Asset(String resource, String contentType) {}

  private final BoundedHttpServer server;
  private final Map<String, Asset> assets;
  private final Supplier<Object> state;

  /**
   * Binds and starts the console.
   *
   * @param state the document {@code /api/state} answers, rendered at each request
   * @throws UncheckedIOException when the address cannot be bound
   */
  public ConsoleServer(String host, int port, BoundedHttpServer.Limits limits, Supplier<Object> state) {
    this(host, port, limits, null, null, state);
  }

  /**
   * Binds and starts the console behind {@code users} (null: anyone) over {@code tls} (null: plain HTTP).
   *
   * @throws UncheckedIOException when the address cannot be bound
   */
  public ConsoleServer(String host, int port, BoundedHttpServer.Limits limits, BasicAuthUsers users, HttpTls tls,
                       Supplier<Object> state) {
    this.state = Objects.requireNonNull(state, "state");
    String uplot = "/META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
    assets = Map.of(
        "/", new Asset(PAGE_RESOURCES + "index.html", "text/html; charset=utf-8"),
        "/console.js", new Asset(PAGE_RESOURCES + "console.js", "text/javascript; charset=utf-8"),
        "/console.css", new Asset(PAGE_RESOURCES + "console.css", "text/css; charset=utf-8"),
        "/lib/uplot.js", new Asset(uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8"),
        "/lib/uplot.css", new Asset(uplot + "uPlot.min.css", "text/css; charset=utf-8"));
    Handler routes = users == null ? new Routes() : HttpGuard.basic(users, "streamdistill console",
        "text/plain; charset=utf-8", "the console wants a user name and password\n").protect(new Routes());
    server = BoundedHttpServer.start("console-http", new InetSocketAddress(host, port), limits, tls, routes,
        BoundedHttpServer.Busy.of("text/plain; charset=utf-8", "busy; retry later\n"));
    LOG.info("console on {} ({})", baseUri(), users == null ? "no authentication" : "basic authentication");
  }

  /** The uPlot version of the webjar on the class path (its path holds the version). */
  public static String uplotVersion() {
    try (InputStream in = ConsoleServer.class.getResourceAsStream(UPLOT_PROPERTIES)) {
      if (in == null) {
        throw new IllegalStateException("the uPlot webjar (org.webjars.npm:uplot) is not on the class path");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return server.port();
  }

  /** {@code http://host:port/}, what to open in a browser. */
  public URI baseUri() {
    return URI.create(server.baseUri() + "/");
  }

  private final class Routes extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws IOException {
      String method = request.getMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
        send(response, callback, 405, "text/plain; charset=utf-8", "only GET\n".getBytes(StandardCharsets.UTF_8));
        return true;
      }
      String path = request.getHttpURI().getPath();
      response.getHeaders().put("Content-Security-Policy", CSP);
      response.getHeaders().put("X-Content-Type-Options", "nosniff");
      if (path.equals("/api/state")) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        send(response, callback, 200, "application/json; charset=utf-8", JSON.writeValueAsBytes(state.get()));
        return true;
      }
      Asset asset = assets.get(path);
      if (asset == null) {
        send(response, callback, 404, "text/plain; charset=utf-8",
            "not found; the console is at /\n".getBytes(StandardCharsets.UTF_8));
        return true;
      }
      byte[] body;
      try (InputStream in = ConsoleServer.class.getResourceAsStream(asset.resource())) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + asset.resource());
        }
        body = in.readAllBytes();
      }
      send(response, callback, 200, asset.contentType(), body);
      return true;
    }
  }

  private static void send(Response response, Callback callback, int status, String contentType, byte[] body) {
    BoundedHttpServer.answer(response, callback, status, contentType, body);
  }

  @Override
  public void close() {
    server.close();
  }
}
