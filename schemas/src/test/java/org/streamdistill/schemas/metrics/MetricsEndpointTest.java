package org.streamdistill.schemas.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<String> get(MetricsEndpoint endpoint, String path, String accept) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.baseUri() + path))
        .timeout(Duration.ofSeconds(5)).GET();
    if (accept != null) {
      request.header("Accept", accept);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldServeTheStageCountersWithExactValuesBesideTheJvmMetrics() throws Exception {
    // Given a stage that consumed 3 turns, produced 2 soft labels and dead-lettered one turn twice for one reason
    PrometheusRegistry registry = new PrometheusRegistry();
    StageMetrics stage = new StageMetrics("teacher-stream", registry);
    stage.consumed("dialogue.turns", 3);
    stage.produced("teacher.soft-labels");
    stage.produced("teacher.soft-labels");
    stage.deadLetter("dialogue.turns", new IllegalStateException("x"));
    stage.deadLetter("dialogue.turns", new IllegalStateException("y"));

    // When its endpoint is scraped
    try (MetricsEndpoint endpoint = MetricsEndpoint.startIfEnabled("test-metrics",
        new MetricsEndpoint.Settings("127.0.0.1", 0), registry)) {
      HttpResponse<String> response = get(endpoint, "/metrics", null);

      // Then the text format holds exactly those counts, under the shared names, and the JVM's metrics
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
      List<PrometheusText.Sample> samples = PrometheusText.parse(response.body());
      assertThat(samples).filteredOn(s -> s.name().startsWith("streamdistill_")).hasSize(3);
      assertThat(PrometheusText.value(samples, "streamdistill_records_consumed_total",
          Map.of("stage", "teacher-stream", "topic", "dialogue.turns"))).isEqualTo(3.0);
      assertThat(PrometheusText.value(samples, "streamdistill_records_produced_total",
          Map.of("stage", "teacher-stream", "topic", "teacher.soft-labels"))).isEqualTo(2.0);
      assertThat(PrometheusText.value(samples, "streamdistill_dead_letters_total",
          Map.of("stage", "teacher-stream", "topic", "dialogue.turns", "reason", "IllegalStateException")))
          .isEqualTo(2.0);
      assertThat(samples).map(PrometheusText.Sample::name).contains("jvm_memory_used_bytes", "jvm_threads_current");
      // And OpenMetrics when asked for it; 404 elsewhere
      assertThat(get(endpoint, "/metrics", "application/openmetrics-text; version=1.0.0").headers()
          .firstValue("Content-Type").orElseThrow()).startsWith("application/openmetrics-text");
      assertThat(get(endpoint, "/", null).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void shouldServeHttpsOnlyToScrapesCarryingTheTokenWhenTheSettingsAskForBoth() throws Exception {
    // Given a token and a key store in the stage's metrics settings
    org.streamdistill.schemas.http.TestCertificates certificates =
        org.streamdistill.schemas.http.TestCertificates.shared("server");
    String token = "metrics-token-0123456789";
    ConfigDef definition = MetricsEndpoint.define(new ConfigDef(), "trainer.");
    MetricsEndpoint.Settings settings = MetricsEndpoint.Settings.from(definition.parse(Map.of(
        "trainer.metrics.port", "0",
        "trainer.metrics.http.token", token,
        "trainer.metrics.http.ssl.keystore.location", certificates.keyStore().toString(),
        "trainer.metrics.http.ssl.keystore.password", certificates.password())), "trainer.");
    PrometheusRegistry registry = new PrometheusRegistry();
    new StageMetrics("student-trainer", registry).produced("student.predictions");
    HttpClient tls = HttpClient.newBuilder().sslContext(certificates.clientContext())
        .connectTimeout(Duration.ofSeconds(5)).build();

    try (MetricsEndpoint endpoint = MetricsEndpoint.startIfEnabled("trainer-metrics", settings, registry)) {
      URI metrics = URI.create(endpoint.baseUri() + "/metrics");
      // When scraped without the token, with a wrong one, and with the right one
      HttpResponse<String> anonymous = tls.send(HttpRequest.newBuilder(metrics).build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> wrong = tls.send(HttpRequest.newBuilder(metrics)
          .header("Authorization", "Bearer not-the-token-at-all").build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> right = tls.send(HttpRequest.newBuilder(metrics)
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());

      // Then only the last gets the metrics, over HTTPS
      assertThat(endpoint.baseUri().getScheme()).isEqualTo("https");
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"trainer-metrics\"");
      assertThat(anonymous.body()).doesNotContain("streamdistill_");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(right.statusCode()).isEqualTo(200);
      assertThat(PrometheusText.value(PrometheusText.parse(right.body()), "streamdistill_records_produced_total",
          Map.of("stage", "student-trainer", "topic", "student.predictions"))).isEqualTo(1.0);
    }
  }

  @Test
  void shouldServeNothingWhenThePortIsMinusOneAndRejectAnInvalidPort() {
    ConfigDef definition = MetricsEndpoint.define(new ConfigDef(), "trainer.");

    MetricsEndpoint.Settings off = MetricsEndpoint.Settings.from(definition.parse(Map.of()), "trainer.");
    MetricsEndpoint.Settings on = MetricsEndpoint.Settings.from(
        definition.parse(Map.of("trainer.metrics.port", "9404", "trainer.metrics.host", "0.0.0.0")), "trainer.");

    assertThat(off).isEqualTo(new MetricsEndpoint.Settings("127.0.0.1", -1));
    assertThat(MetricsEndpoint.startIfEnabled("off", off, new PrometheusRegistry())).isNull();
    assertThat(on).isEqualTo(new MetricsEndpoint.Settings("0.0.0.0", 9404));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> definition.parse(Map.of("trainer.metrics.port", "70000")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("trainer.metrics.port");
  }

  @Test
  void shouldNameTheReasonAfterTheExceptionsSimpleName() {
    assertThat(StageMetrics.reason("org.streamdistill.teacher.job.TeacherScoringOperator$InvalidTurnException"))
        .isEqualTo("InvalidTurnException");
    assertThat(StageMetrics.reason("java.io.IOException")).isEqualTo("IOException");
    assertThat(StageMetrics.reason(null)).isEqualTo("unknown");
  }

  @Test
  void shouldReadSamplesWithEscapedLabelsAndSpecialValues() {
    List<PrometheusText.Sample> samples = PrometheusText.parse("""
        # HELP x_total a counter
        # TYPE x_total counter
        x_total{a="q\\"uote",b="back\\\\slash\\nline"} 2.5
        y NaN
        z{le="+Inf"} +Inf 1700000000000
        """);

    assertThat(samples).containsExactly(
        new PrometheusText.Sample("x_total", Map.of("a", "q\"uote", "b", "back\\slash\nline"), 2.5),
        new PrometheusText.Sample("y", Map.of(), Double.NaN),
        new PrometheusText.Sample("z", Map.of("le", "+Inf"), Double.POSITIVE_INFINITY));
  }
}
