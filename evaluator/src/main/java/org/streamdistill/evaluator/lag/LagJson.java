package org.streamdistill.evaluator.lag;

/**
 * Renders a {@link LagSnapshot} as one line of JSON, as served on {@code /lag}:
 *
 * <pre>{@code
 * {"sampledAt":"2025-01-01T00:00:00Z","groups":[{"group":"student-trainer","status":"STALL",
 *   "meaning":"...","lag":12,"partitions":[{"topic":"teacher.soft-labels","partition":0,
 *   "committed":10,"end":22,"lag":12,"timeLagSeconds":3.5,"status":"STALL"}]}]}
 * }</pre>
 *
 * {@code sampledAt} is null before the first sample, {@code committed} is null for a partition
 * without a commit and {@code timeLagSeconds} is null when unknown.
 */
public final class LagJson {

  /** The content type served. */
  public static final String CONTENT_TYPE = "application/json; charset=utf-8";

  private LagJson() {}

  public static String render(LagSnapshot snapshot) {
    StringBuilder out = new StringBuilder("{\"sampledAt\":");
    out.append(snapshot.sampledAt() == null ? "null" : string(snapshot.sampledAt().toString()));
    out.append(",\"groups\":[");
    for (int g = 0; g < snapshot.groups().size(); g++) {
      GroupLag group = snapshot.groups().get(g);
      if (g > 0) {
        out.append(',');
      }
      out.append("{\"group\":").append(string(group.group()))
          .append(",\"status\":").append(string(group.status().name()))
          .append(",\"meaning\":").append(string(group.status().meaning()))
          .append(",\"lag\":").append(group.totalLag())
          .append(",\"partitions\":[");
      for (int p = 0; p < group.partitions().size(); p++) {
        PartitionLag partition = group.partitions().get(p);
        if (p > 0) {
          out.append(',');
        }
        out.append("{\"topic\":").append(string(partition.topic()))
            .append(",\"partition\":").append(partition.partition())
            .append(",\"committed\":").append(partition.hasCommit() ? Long.toString(partition.committedOffset()) : "null")
            .append(",\"end\":").append(partition.endOffset())
            .append(",\"lag\":").append(partition.lag())
            .append(",\"timeLagSeconds\":")
            .append(partition.timeLagKnown() ? seconds(partition.timeLagMs()) : "null")
            .append(",\"status\":").append(string(partition.status().name()))
            .append('}');
      }
      out.append("]}");
    }
    return out.append("]}\n").toString();
  }

  static String string(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** Milliseconds as seconds, exactly: 1500 -> "1.5", 0 -> "0". */
  static String seconds(long millis) {
    return java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
  }
}
