package org.streamdistill.student.serving;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.streamdistill.schemas.metrics.CallbackInfo;

/**
 * The serving endpoint's Prometheus metrics: {@code streamdistill_serving_requests_total{outcome}}
 * (classified, rejected, unavailable, failed) and {@code streamdistill_serving_model_swaps_total}
 * read from its {@link StudentServer.Stats} at each scrape; {@code
 * streamdistill_serving_request_duration_seconds}, a histogram of the time to answer a classify
 * request; and {@code streamdistill_serving_model_info{model_version}}, the champion served now.
 */
public final class ServingMetrics {

  private final Histogram duration;

  public ServingMetrics(PrometheusRegistry registry, Supplier<StudentServer.Stats> stats) {
    CounterWithCallback.builder().name("streamdistill_serving_requests_total")
        .help("Classify requests answered, by outcome: classified (200), rejected (4xx), unavailable (503, no "
            + "champion yet), failed (500).")
        .labelNames("outcome")
        .callback(cb -> {
          StudentServer.Stats s = stats.get();
          cb.call(s.classified(), "classified");
          cb.call(s.rejected(), "rejected");
          cb.call(s.unavailable(), "unavailable");
          cb.call(s.failed(), "failed");
        }).register(registry);
    CounterWithCallback.builder().name("streamdistill_serving_model_swaps_total")
        .help("Times the endpoint loaded a new champion.")
        .callback(cb -> cb.call(stats.get().swaps())).register(registry);
    duration = Histogram.builder().name("streamdistill_serving_request_duration_seconds")
        .help("Time to answer a classify request (parse, tokenize, run the student).")
        .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1).classicOnly()
        .register(registry);
    CallbackInfo.register(registry, "streamdistill_serving_model", "The champion the endpoint serves now.",
        List.of("model_version"), () -> List.of(Arrays.asList(stats.get().championVersion())));
  }

  void requestAnswered(long nanos) {
    duration.observe(nanos / 1e9);
  }
}
