package org.streamdistill.evaluator.lag;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders a {@link LagSnapshot} as a fixed-width table for a terminal: one row per group and
 * partition (numbers right-aligned, each column as wide as its widest cell), then one line per
 * group with its status and what it means. A partition without a commit shows {@code -} as
 * committed offset, an unknown time lag shows {@code ?}, a group without partitions one row
 * of dashes. Time lags are truncated to the unit shown ({@code 12.3s}, {@code 4m05s}).
 */
public final class LagTable {

  private static final String[] HEADER = {"GROUP", "TOPIC", "PARTITION", "COMMITTED", "END", "LAG", "TIME LAG", "STATUS"};
  /** Which columns are right-aligned. */
  private static final boolean[] NUMERIC = {false, false, true, true, true, true, true, false};

  private LagTable() {}

  public static String render(LagSnapshot snapshot) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (GroupLag group : snapshot.groups()) {
      if (group.partitions().isEmpty()) {
        rows.add(new String[] {group.group(), "-", "-", "-", "-", "-", "-", group.status().name()});
      }
      for (PartitionLag p : group.partitions()) {
        rows.add(new String[] {group.group(), p.topic(), Integer.toString(p.partition()),
            p.hasCommit() ? Long.toString(p.committedOffset()) : "-", Long.toString(p.endOffset()),
            Long.toString(p.lag()), p.timeLagKnown() ? duration(p.timeLagMs()) : "?", p.status().name()});
      }
    }
    int[] widths = new int[HEADER.length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    StringBuilder out = new StringBuilder();
    if (snapshot.sampledAt() == null) {
      out.append("no sample yet\n");
      return out.toString();
    }
    out.append("sampled at ").append(snapshot.sampledAt()).append('\n');
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < row.length; c++) {
        if (c > 0) {
          line.append("  ");
        }
        String pad = " ".repeat(widths[c] - row[c].length());
        line.append(NUMERIC[c] ? pad + row[c] : row[c] + pad);
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    for (GroupLag group : snapshot.groups()) {
      out.append("group ").append(group.group()).append(": ").append(group.status().name());
      if (group.status() != ConsumerStatus.OK) {
        out.append(" (").append(group.status().meaning()).append(')');
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** A time lag for people, truncated: "0s", "250ms", "12.3s", "4m05s", "2h03m". */
  static String duration(long millis) {
    if (millis == 0) {
      return "0s";
    }
    if (millis < 1000) {
      return millis + "ms";
    }
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%d.%ds", millis / 1000, (millis % 1000) / 100);
    }
    long seconds = millis / 1000;
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
  }
}
