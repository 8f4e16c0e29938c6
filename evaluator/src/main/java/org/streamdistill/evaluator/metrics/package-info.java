/**
 * Rolling metrics per model version: each prediction of a turn becomes a {@link
 * org.streamdistill.evaluator.metrics.TurnOutcome} keyed by {@link
 * org.streamdistill.evaluator.metrics.ModelKey} (model version and role), outcomes are summed
 * into a {@link org.streamdistill.evaluator.metrics.WindowTally} per event-time window, and a
 * closed window becomes one {@code RollingMetrics} record. The compact binary serdes here are
 * for the evaluator's own repartition and changelog topics only; nothing outside the evaluator
 * reads them, so they are not registered Avro schemas.
 */
package org.streamdistill.evaluator.metrics;
