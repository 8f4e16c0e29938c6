package org.streamdistill.evaluator.lag;

import java.math.BigDecimal;
import java.util.function.Function;

/**
 * Renders a {@link LagSnapshot} in the Prometheus text exposition format (version 0.0.4), as
 * served on {@code /metrics}. Gauges per group and partition: {@code
 * streamdistill_consumer_lag_offsets}, {@code streamdistill_consumer_lag_seconds} ({@code NaN}
 * when unknown), {@code streamdistill_consumer_committed_offset} (absent without a commit),
 * {@code streamdistill_consumer_log_end_offset} (the last stable offset); per group {@code
 * streamdistill_consumer_group_status}, one series per status with 1 for the current one and
 * 0 for the others (so {@code streamdistill_consumer_group_status{status="OK"} == 0} alerts).
 */
public final class PrometheusFormat {

  /** The content type of the text format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private PrometheusFormat() {}

  /**
   * @param snapshot the latest snapshot ({@link LagSnapshot#EMPTY} renders the metadata only)
   * @param sampleFailures the monitor's failed samples so far
   */
  public static String render(LagSnapshot snapshot, long sampleFailures) {
    StringBuilder out = new StringBuilder();
    partitionGauge(out, snapshot, "streamdistill_consumer_lag_offsets",
        "Records the group has not consumed yet, up to the last stable offset (0 when only transaction markers"
            + " remain).", p -> Long.toString(p.lag()));
    partitionGauge(out, snapshot, "streamdistill_consumer_lag_seconds",
        "Age of the oldest record the group has not consumed yet, seconds (0 when caught up, NaN when unknown).",
        p -> p.timeLagKnown() ? seconds(p.timeLagMs()) : "NaN");
    partitionGauge(out, snapshot, "streamdistill_consumer_committed_offset",
        "The group's committed offset (no series when the group has not committed on the partition).",
        p -> p.hasCommit() ? Long.toString(p.committedOffset()) : null);
    partitionGauge(out, snapshot, "streamdistill_consumer_log_end_offset",
        "The partition's last stable offset: the end a read-committed consumer can reach.",
        p -> Long.toString(p.endOffset()));
    header(out, "streamdistill_consumer_group_status",
        "Status of the group after Burrow's rules: 1 for the current status, 0 for the others.", "gauge");
    for (GroupLag group : snapshot.groups()) {
      for (ConsumerStatus status : ConsumerStatus.values()) {
        out.append("streamdistill_consumer_group_status{group=\"").append(escape(group.group()))
            .append("\",status=\"").append(status.name()).append("\"} ")
            .append(group.status() == status ? '1' : '0').append('\n');
      }
    }
    header(out, "streamdistill_lag_monitor_last_sample_timestamp_seconds",
        "When the latest lag sample was taken, Unix time in seconds.", "gauge");
    if (snapshot.sampledAt() != null) {
      out.append("streamdistill_lag_monitor_last_sample_timestamp_seconds ")
          .append(seconds(snapshot.sampledAt().toEpochMilli())).append('\n');
    }
    header(out, "streamdistill_lag_monitor_sample_failures_total", "Lag samples that failed.", "counter");
    out.append("streamdistill_lag_monitor_sample_failures_total ").append(sampleFailures).append('\n');
    return out.toString();
  }

  private static void partitionGauge(StringBuilder out, LagSnapshot snapshot, String name, String help,
                                     Function<PartitionLag, String> value) {
    header(out, name, help, "gauge");
    for (GroupLag group : snapshot.groups()) {
      for (PartitionLag partition : group.partitions()) {
        String v = value.apply(partition);
        if (v == null) {
          continue;
        }
        out.append(name).append("{group=\"").append(escape(group.group())).append("\",topic=\"")
            .append(escape(partition.topic())).append("\",partition=\"").append(partition.partition())
            .append("\"} ").append(v).append('\n');
      }
    }
  }

  private static void header(StringBuilder out, String name, String help, String type) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  /** Milliseconds as seconds, exactly: 1500 -> "1.5", 0 -> "0". */
  static String seconds(long millis) {
    return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
  }

  /** Escapes a label value: backslash, double quote and line feed. */
  static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
