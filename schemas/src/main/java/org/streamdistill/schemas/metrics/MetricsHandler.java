package org.streamdistill.schemas.metrics;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.streamdistill.schemas.http.BoundedHttpServer;

/**
 * A Jetty core handler that answers {@code GET /metrics} with a scrape of a {@link
 * PrometheusRegistry}, in the format the client's {@code Accept} header asks for (the
 * Prometheus text format by default, OpenMetrics when asked), written by the Prometheus Java
 * client's exposition writers. Any other path is left to the next handler ({@code handle}
 * returns false), so an endpoint with routes of its own puts this handler in front of them.
 */
public final class MetricsHandler extends Handler.Abstract {

  /** The path Prometheus scrapes. */
  public static final String PATH = "/metrics";

  private final PrometheusRegistry registry;
  private final ExpositionFormats formats = ExpositionFormats.init();

  public MetricsHandler(PrometheusRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws IOException {
    if (!PATH.equals(request.getHttpURI().getPath())) {
      return false;
    }
    String method = request.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      BoundedHttpServer.answer(response, callback, 405, "text/plain; charset=utf-8",
          "only GET\n".getBytes(StandardCharsets.UTF_8));
      return true;
    }
    ExpositionFormatWriter writer = formats.findWriter(request.getHeaders().get(HttpHeader.ACCEPT));
    ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
    writer.write(body, registry.scrape());
    BoundedHttpServer.answer(response, callback, 200, writer.getContentType(), body.toByteArray());
    return true;
  }
}
