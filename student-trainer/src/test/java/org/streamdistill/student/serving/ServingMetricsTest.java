package org.streamdistill.student.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.streamdistill.schemas.metrics.PrometheusText;

class ServingMetricsTest {

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final AtomicReference<StudentServer.Stats> stats =
      new AtomicReference<>(new StudentServer.Stats(0, 0, 0, 0, 0, 0, null));
  private final ServingMetrics metrics = new ServingMetrics(registry, stats::get);

  private List<PrometheusText.Sample> scrape() {
    return PrometheusText.parse(ExpositionFormats.init().getPrometheusTextFormatWriter().toDebugString(registry.scrape()));
  }

  @Test
  void shouldShowNoModelBeforeTheFirstChampionThenTheServedOneWithRequestCountsAndDurations() {
    assertThat(scrape()).noneMatch(s -> s.name().equals("streamdistill_serving_model_info"));

    // Given a champion loaded twice, 5 classified, 1 rejected, 2 unavailable requests, two of them timed
    stats.set(new StudentServer.Stats(5, 1, 2, 0, 2, 1, "student-v7"));
    metrics.requestAnswered(2_000_000);
    metrics.requestAnswered(30_000_000);

    List<PrometheusText.Sample> samples = scrape();
    assertThat(PrometheusText.value(samples, "streamdistill_serving_requests_total", Map.of("outcome", "classified")))
        .isEqualTo(5.0);
    assertThat(PrometheusText.value(samples, "streamdistill_serving_requests_total", Map.of("outcome", "unavailable")))
        .isEqualTo(2.0);
    assertThat(PrometheusText.value(samples, "streamdistill_serving_model_swaps_total", Map.of())).isEqualTo(2.0);
    assertThat(PrometheusText.value(samples, "streamdistill_serving_request_duration_seconds_count", Map.of()))
        .isEqualTo(2.0);
    assertThat(PrometheusText.value(samples, "streamdistill_serving_request_duration_seconds_sum", Map.of()))
        .isEqualTo(0.032);
    assertThat(PrometheusText.value(samples, "streamdistill_serving_request_duration_seconds_bucket",
        Map.of("le", "0.0025"))).isEqualTo(1.0);
    assertThat(samples).filteredOn(s -> s.name().equals("streamdistill_serving_model_info"))
        .map(PrometheusText.Sample::labels).containsExactly(Map.of("model_version", "student-v7"));
  }
}
