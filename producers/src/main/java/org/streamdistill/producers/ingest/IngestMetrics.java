package org.streamdistill.producers.ingest;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.Supplier;

/**
 * The ingestion endpoint's Prometheus metrics, read from its {@link LiveChatEndpoint.Stats} at
 * each scrape: {@code streamdistill_ingest_requests_total{outcome}} (accepted, unauthorized,
 * invalid, unavailable) and, under the name every stage shares, {@code
 * streamdistill_records_produced_total{stage="ingest", topic}}: turns Kafka acknowledged.
 */
public final class IngestMetrics {

  static final String STAGE = "ingest";

  private IngestMetrics() {}

  public static void register(PrometheusRegistry registry, String topic, Supplier<LiveChatEndpoint.Stats> stats) {
    CounterWithCallback.builder().name("streamdistill_ingest_requests_total")
        .help("Turn requests answered, by outcome: accepted (202), unauthorized (401), invalid (4xx), unavailable (503).")
        .labelNames("outcome")
        .callback(cb -> {
          LiveChatEndpoint.Stats s = stats.get();
          cb.call(s.accepted(), "accepted");
          cb.call(s.unauthorized(), "unauthorized");
          cb.call(s.invalid(), "invalid");
          cb.call(s.unavailable(), "unavailable");
        }).register(registry);
    CounterWithCallback.builder().name("streamdistill_records_produced_total")
        .help("Records a stage produced to a topic (dead letters not included).")
        .labelNames("stage", "topic")
        .callback(cb -> cb.call(stats.get().accepted(), STAGE, topic)).register(registry);
  }
}
