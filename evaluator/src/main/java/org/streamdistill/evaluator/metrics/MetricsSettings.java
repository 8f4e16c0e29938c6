package org.streamdistill.evaluator.metrics;

import java.time.Duration;
import java.util.Objects;

/**
 * The knobs of the rolling metrics.
 *
 * @param windowSize event-time length of a time window
 * @param windowAdvance how far consecutive time windows start apart (equal to the size: tumbling)
 * @param windowGrace how long after a window's end late turns are still counted
 * @param lastTurns N of the last-N-turns metrics per model version and role; 0 turns them off
 * @param lastTurnsEvery a last-N-turns record is published every this many turns of a model
 *     version and role
 * @param lastTurnsRetention a model version and role not seen for this long (event time)
 *     forgets its last turns
 * @param oosLabel name of the out-of-scope label
 * @param latencySampleSize turns a window keeps for exact latency percentiles; beyond it, a
 *     uniform sample of this many
 */
public record MetricsSettings(
    Duration windowSize,
    Duration windowAdvance,
    Duration windowGrace,
    int lastTurns,
    int lastTurnsEvery,
    Duration lastTurnsRetention,
    String oosLabel,
    int latencySampleSize) {

  public MetricsSettings {
    Objects.requireNonNull(windowSize, "windowSize");
    Objects.requireNonNull(windowAdvance, "windowAdvance");
    Objects.requireNonNull(windowGrace, "windowGrace");
    Objects.requireNonNull(lastTurnsRetention, "lastTurnsRetention");
    Objects.requireNonNull(oosLabel, "oosLabel");
    if (windowSize.toMillis() < 1 || windowAdvance.toMillis() < 1 || windowAdvance.compareTo(windowSize) > 0) {
      throw new IllegalArgumentException("windows need 1 ms <= advance <= size, got size " + windowSize.toMillis()
          + " ms and advance " + windowAdvance.toMillis() + " ms");
    }
    if (windowGrace.isNegative()) {
      throw new IllegalArgumentException("windowGrace must be >= 0, got " + windowGrace.toMillis() + " ms");
    }
    if (lastTurns < 0 || lastTurnsEvery < 1) {
      throw new IllegalArgumentException("lastTurns must be >= 0 and lastTurnsEvery >= 1, got " + lastTurns + " and "
          + lastTurnsEvery);
    }
    if (lastTurnsRetention.toMillis() < 1) {
      throw new IllegalArgumentException("lastTurnsRetention must be >= 1 ms, got " + lastTurnsRetention.toMillis());
    }
    if (latencySampleSize < 1) {
      throw new IllegalArgumentException("latencySampleSize must be >= 1, got " + latencySampleSize);
    }
  }
}
