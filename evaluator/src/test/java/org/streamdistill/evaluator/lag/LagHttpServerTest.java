package org.streamdistill.evaluator.lag;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamdistill.schemas.metrics.PrometheusText;

class LagHttpServerTest {

  private final AtomicReference<LagSnapshot> snapshot = new AtomicReference<>(LagSnapshot.EMPTY);
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private LagHttpServer server;

  @BeforeEach
  void serve() {
    server = new LagHttpServer("127.0.0.1", 0, snapshot::get, () -> 3);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldServeTheLatestSnapshotInThePrometheusTextFormatOnMetrics() throws Exception {
    // Given a first snapshot served, then a newer one
    get("/metrics");
    snapshot.set(Snapshots.mixed());

    // When /metrics is scraped
    HttpResponse<String> response = get("/metrics");

    // Then it renders the newer snapshot, with the text format's content type, beside the JVM's metrics
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    List<PrometheusText.Sample> samples = PrometheusText.parse(response.body());
    assertThat(PrometheusText.value(samples, "streamdistill_consumer_lag_offsets",
        Map.of("group", "student-trainer", "partition", "0"))).isEqualTo(12.0);
    assertThat(PrometheusText.value(samples, "streamdistill_lag_monitor_sample_failures_total", Map.of()))
        .isEqualTo(3.0);
    assertThat(samples).anySatisfy(s -> assertThat(s.name()).isEqualTo("jvm_memory_used_bytes"));
  }

  @Test
  void shouldRequireTheBearerTokenOnMetricsAndLagWhenOneIsSet() throws Exception {
    // Given a second server whose settings carry a token, as lag --lag.http.token gives it
    String token = "lag-token-0123456789ab";
    LagConfig config = LagConfig.parse(java.util.List.of("--http-port", "0"), java.util.Map.of(
        "STREAMDISTILL_LAG_HTTP_TOKEN", token));
    snapshot.set(Snapshots.mixed());
    try (LagHttpServer secured = new LagHttpServer("127.0.0.1", 0, config.httpLimits(), config.httpToken(),
        config.httpTls(), snapshot::get, () -> 3)) {
      URI metrics = URI.create("http://127.0.0.1:" + secured.port() + "/metrics");

      // When it is scraped without, with a wrong and with the right token
      HttpResponse<String> none = client.send(HttpRequest.newBuilder(metrics).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(metrics)
          .header("Authorization", "Bearer not-" + token).GET().build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> right = client.send(HttpRequest.newBuilder(metrics)
          .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());

      // Then only the right token gets the metrics
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"lag\"");
      assertThat(none.body()).isEqualTo("a valid bearer token is required (Authorization: Bearer <token>)\n");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(right.statusCode()).isEqualTo(200);
      assertThat(PrometheusText.value(PrometheusText.parse(right.body()), "streamdistill_consumer_lag_offsets",
          Map.of("group", "student-trainer", "partition", "0"))).isEqualTo(12.0);
    }
    assertThat(config.toString()).doesNotContain(token);
  }

  @Test
  void shouldServeJsonOnLagAndMetricsJson() throws Exception {
    snapshot.set(Snapshots.mixed());

    HttpResponse<String> lag = get("/lag");
    HttpResponse<String> alias = get("/metrics.json");

    assertThat(lag.statusCode()).isEqualTo(200);
    assertThat(lag.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    assertThat(lag.body()).isEqualTo(LagJson.render(Snapshots.mixed()));
    assertThat(alias.body()).isEqualTo(lag.body());
  }

  @Test
  void shouldAnswerNotFoundForOtherPaths() throws Exception {
    assertThat(get("/metricsx").statusCode()).isEqualTo(404);
    assertThat(get("/").statusCode()).isEqualTo(404);
  }

  @Test
  void shouldAnswerHeadWithoutBodyAndOtherMethodsWith405() throws Exception {
    snapshot.set(Snapshots.mixed());
    URI metrics = URI.create("http://127.0.0.1:" + server.port() + "/metrics");

    HttpResponse<String> head = client.send(HttpRequest.newBuilder(metrics).method("HEAD",
        HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> post = client.send(HttpRequest.newBuilder(metrics).POST(HttpRequest.BodyPublishers.ofString("x"))
        .build(), HttpResponse.BodyHandlers.ofString());

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValueAsLong("Content-Length").orElse(0)).isPositive();
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }
}
