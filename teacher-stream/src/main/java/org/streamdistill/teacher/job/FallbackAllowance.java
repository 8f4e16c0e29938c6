package org.streamdistill.teacher.job;

/**
 * How many skipped turns a subtask may still send to the fallback teacher: a token bucket of
 * {@code turnsPerSecond} refilled with processing time, holding at most one second's worth, so a
 * quiet spell saves up one second of work and no more. Without a limit (0) every turn may go.
 * Not thread-safe: one per subtask.
 */
final class FallbackAllowance {

  private final double turnsPerSecond;
  private double tokens;
  private long lastMillis = Long.MIN_VALUE;

  /** @param turnsPerSecond the refill rate; 0 for no limit */
  FallbackAllowance(double turnsPerSecond) {
    if (!(turnsPerSecond >= 0) || Double.isInfinite(turnsPerSecond)) {
      throw new IllegalArgumentException("turns per second must be finite and >= 0, got " + turnsPerSecond);
    }
    this.turnsPerSecond = turnsPerSecond;
    this.tokens = turnsPerSecond;
  }

  /** Whether one more turn may go to the fallback at {@code nowMillis}; takes its token if so. */
  boolean tryTake(long nowMillis) {
    if (turnsPerSecond == 0) {
      return true;
    }
    if (lastMillis != Long.MIN_VALUE && nowMillis > lastMillis) {
      tokens = Math.min(turnsPerSecond, tokens + (nowMillis - lastMillis) / 1000.0 * turnsPerSecond);
    }
    lastMillis = Math.max(lastMillis, nowMillis);
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
