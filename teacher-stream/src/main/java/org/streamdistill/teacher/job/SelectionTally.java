package org.streamdistill.teacher.job;

import java.util.Map;
import java.util.TreeMap;
import org.streamdistill.teacher.selection.Selection;

/**
 * Running counts of the gate's decisions in one subtask, by reason, for the operator's periodic
 * log line: what an operator reads to see how many teacher calls the gate saves.
 */
final class SelectionTally {

  static final long LOG_EVERY_MILLIS = 30_000;

  private final Map<String, Long> selected = new TreeMap<>();
  private final Map<String, Long> skipped = new TreeMap<>();
  private long skippedWithGold;
  private long toFallback;
  private long lastLine = Long.MIN_VALUE;

  /**
   * Counts one decision.
   *
   * @param gold whether the turn has a gold label
   * @param fallback whether the fallback teacher scores the skipped turn (then it does not go on gold-only)
   */
  void add(Selection decision, boolean gold, boolean fallback) {
    (decision.toTeacher() ? selected : skipped).merge(decision.reason(), 1L, Long::sum);
    if (!decision.toTeacher() && fallback) {
      toFallback++;
    } else if (!decision.toTeacher() && gold) {
      skippedWithGold++;
    }
  }

  long selected() {
    return selected.values().stream().mapToLong(Long::longValue).sum();
  }

  long skipped() {
    return skipped.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The status line when one is due (the first window, then every {@value #LOG_EVERY_MILLIS} ms), else null. */
  String lineIfDue(long nowMillis, String champion) {
    if (lastLine != Long.MIN_VALUE && nowMillis - lastLine < LOG_EVERY_MILLIS) {
      return null;
    }
    lastLine = nowMillis;
    return line(champion);
  }

  String line(String champion) {
    String fallback = toFallback == 0 ? "" : String.format("%,d of them to the fallback teacher, ", toFallback);
    return String.format("champion %s; %,d turns to the teacher %s, %,d skipped %s (%s%,d %swith a gold label, "
            + "forwarded gold-only)", champion == null ? "none yet" : champion, selected(), selected, skipped(),
        skipped, fallback, skippedWithGold, fallback.isEmpty() ? "of them " : "");
  }
}
