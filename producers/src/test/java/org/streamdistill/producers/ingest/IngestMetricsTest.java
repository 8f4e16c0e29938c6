package org.streamdistill.producers.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.streamdistill.schemas.metrics.PrometheusText;

class IngestMetricsTest {

  @Test
  void shouldExposeTheEndpointsCountsAsTheyAreAtEachScrape() {
    // Given an endpoint's counts, registered, and later counts
    PrometheusRegistry registry = new PrometheusRegistry();
    AtomicReference<LiveChatEndpoint.Stats> stats = new AtomicReference<>(new LiveChatEndpoint.Stats(1, 0, 0, 0));
    IngestMetrics.register(registry, "dialogue.turns", stats::get);
    stats.set(new LiveChatEndpoint.Stats(7, 2, 3, 1));

    // When scraped
    List<PrometheusText.Sample> samples = PrometheusText.parse(
        ExpositionFormats.init().getPrometheusTextFormatWriter().toDebugString(registry.scrape()));

    // Then the scrape shows the later counts, the accepted turns also as records produced to the turns topic
    assertThat(samples).map(s -> s.name() + " " + s.label("outcome") + " " + s.value()).containsExactlyInAnyOrder(
        "streamdistill_ingest_requests_total accepted 7.0", "streamdistill_ingest_requests_total unauthorized 2.0",
        "streamdistill_ingest_requests_total invalid 3.0", "streamdistill_ingest_requests_total unavailable 1.0",
        "streamdistill_records_produced_total null 7.0");
    assertThat(PrometheusText.value(samples, "streamdistill_records_produced_total",
        Map.of("stage", "ingest", "topic", "dialogue.turns"))).isEqualTo(7.0);
  }
}
