package org.streamdistill.student.training;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.streamdistill.schemas.lifecycle.StageSupervisor;

/**
 * The metrics a supervised trainer's endpoint serves: those of the trainer running now (each
 * instance the supervisor starts has its own, so its counters start over after a restart, which
 * Prometheus reads as a counter reset) and {@code streamdistill_trainer_restarts_total}, how often
 * the supervisor started it again. The {@code trainer} command and the embedded pipeline serve
 * the same registry.
 */
public final class SupervisedTrainerMetrics {

  private SupervisedTrainerMetrics() {}

  /** A new registry that reads {@code supervisor}'s current trainer at each scrape. */
  public static PrometheusRegistry registry(StageSupervisor<StudentTrainer> supervisor) {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register((MultiCollector) () -> {
      StudentTrainer running = supervisor.current();
      return running == null ? MetricSnapshots.of() : running.metricsRegistry().scrape();
    });
    CounterWithCallback.builder().name("streamdistill_trainer_restarts")
        .help("Times the trainer was started again after a failure a restart can fix (the broker away, say)")
        .callback(callback -> callback.call(supervisor.restarts())).register(registry);
    return registry;
  }
}
