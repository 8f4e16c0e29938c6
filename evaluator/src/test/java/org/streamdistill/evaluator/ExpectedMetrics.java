package org.streamdistill.evaluator;

import java.time.Instant;
import org.streamdistill.records.RollingMetrics;

/**
 * Test fixture: expected {@code RollingMetrics} records. Each starts as an empty time window
 * (counts 0, every share and percentile null) for the test to fill in completely; shares are
 * written by hand, as the arithmetic a reader can check, not recomputed from the counts.
 */
public final class ExpectedMetrics {

  private ExpectedMetrics() {}

  /** The record of {@code version} in {@code role} over the time window [start, end). */
  public static RollingMetrics.Builder timeWindow(String version, String role, long startMs, long endMs) {
    return RollingMetrics.newBuilder()
        .setModelVersion(version)
        .setRole(role)
        .setWindowStart(Instant.ofEpochMilli(startMs))
        .setWindowEnd(Instant.ofEpochMilli(endMs))
        .setWindowType("time")
        .setWindowTurns(null)
        .setTurns(0)
        .setTeacherAgreements(0)
        .setTeacherAgreement(0.0)
        .setGoldTurns(0)
        .setGoldCorrect(0)
        .setGoldAccuracy(null)
        .setLateTurns(0)
        .setLateDroppedTurns(0)
        .setKlTeacher(null)
        .setGoldCrossEntropy(null)
        .setMacroF1(null)
        .setOosPrecision(null)
        .setOosRecall(null)
        .setEceGold(null)
        .setEceTeacher(null)
        .setLatencyP50Ms(null)
        .setLatencyP95Ms(null)
        .setLatencyP99Ms(null)
        .setLatencySampleTurns(0);
  }

  /** The record of {@code version} in {@code role} over its last {@code n} turns. */
  public static RollingMetrics.Builder lastTurns(String version, String role, int n, long startMs, long endMs) {
    return timeWindow(version, role, startMs, endMs).setWindowType("last_turns").setWindowTurns(n);
  }

  /** Sets all three latency percentiles to {@code latencyMs}, computed from {@code turns} turns. */
  public static RollingMetrics.Builder sameLatency(RollingMetrics.Builder builder, long latencyMs, long turns) {
    return builder.setLatencyP50Ms(latencyMs).setLatencyP95Ms(latencyMs).setLatencyP99Ms(latencyMs)
        .setLatencySampleTurns(turns);
  }
}
