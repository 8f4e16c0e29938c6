/**
 * Prometheus metrics shared by every stage: the {@code <stage>.metrics.*} settings and the
 * endpoint that serves a {@link io.prometheus.metrics.model.registry.PrometheusRegistry} on
 * {@code GET /metrics} ({@link MetricsEndpoint}, a Jetty handler on the same bounded server as
 * every other endpoint), the counters every stage keeps under one name ({@link StageMetrics}:
 * records consumed, produced and dead-lettered), and a reader of the text format ({@link
 * PrometheusText}) for the console and for tests. Exposition is the Prometheus Java client's,
 * never written by hand.
 */
package org.streamdistill.schemas.metrics;
