/**
 * Rolling metrics per model version and role: each prediction of a turn becomes a {@link
 * org.streamdistill.evaluator.metrics.TurnOutcome} keyed by {@link
 * org.streamdistill.evaluator.metrics.ModelKey}, outcomes are summed into a {@link
 * org.streamdistill.evaluator.metrics.MetricsTally} (whose Javadoc defines every metric) per
 * event-time window by the {@link org.streamdistill.evaluator.metrics.TimeWindowMetricsProcessor}
 * and over each key's last N turns by the {@link
 * org.streamdistill.evaluator.metrics.LastTurnsMetricsProcessor}, and each becomes a {@code
 * RollingMetrics} record. The compact binary serdes here, each with a leading format version,
 * are for the evaluator's own repartition and changelog topics only; nothing outside the
 * evaluator reads them, so they are not registered Avro schemas.
 */
package org.streamdistill.evaluator.metrics;
