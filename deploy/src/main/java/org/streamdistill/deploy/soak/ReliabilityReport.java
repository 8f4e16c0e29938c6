package org.streamdistill.deploy.soak;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The soak's result: per kind of fault, how often it was injected, how long the pipeline took
 * to recover (p50 and max, nearest rank), how many valid turns were lost or duplicated (each
 * turn counted against the last fault injected before it entered {@code dialogue.turns}), and
 * what was not handled as promised. Pure: built from figures, renders Markdown.
 */
final class ReliabilityReport {

  /** What one fault kind came to. */
  record Row(Fault fault, int count, Long p50Millis, Long maxMillis, int unrecovered, int lost, int duplicated,
             List<String> problems) {}

  /** A valid turn's outcome: lost (no soft label or no prediction) or duplicated (more than one of either). */
  record TurnOutcome(long enteredAt, boolean lost, boolean duplicated) {}

  private final List<Row> rows;
  private final int lostBeforeAnyFault;
  private final int duplicatedBeforeAnyFault;

  private ReliabilityReport(List<Row> rows, int lostBeforeAnyFault, int duplicatedBeforeAnyFault) {
    this.rows = List.copyOf(rows);
    this.lostBeforeAnyFault = lostBeforeAnyFault;
    this.duplicatedBeforeAnyFault = duplicatedBeforeAnyFault;
  }

  static ReliabilityReport of(List<Injection> injections, List<TurnOutcome> turns) {
    List<Injection> byStart = new ArrayList<>(injections);
    byStart.sort(java.util.Comparator.comparingLong(Injection::startedAt));
    Map<Fault, int[]> lostDup = new EnumMap<>(Fault.class);
    int lostBefore = 0;
    int dupBefore = 0;
    for (TurnOutcome turn : turns) {
      if (!turn.lost() && !turn.duplicated()) {
        continue;
      }
      Injection last = null;
      for (Injection i : byStart) {
        if (i.startedAt() <= turn.enteredAt()) {
          last = i;
        }
      }
      if (last == null) {
        lostBefore += turn.lost() ? 1 : 0;
        dupBefore += turn.duplicated() ? 1 : 0;
      } else {
        int[] counts = lostDup.computeIfAbsent(last.fault(), f -> new int[2]);
        counts[0] += turn.lost() ? 1 : 0;
        counts[1] += turn.duplicated() ? 1 : 0;
      }
    }
    List<Row> rows = new ArrayList<>();
    for (Fault fault : Fault.values()) {
      List<Long> times = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      int count = 0;
      int unrecovered = 0;
      for (Injection i : byStart) {
        if (i.fault() != fault) {
          continue;
        }
        count++;
        Long t = i.recoveryMillis();
        if (t == null) {
          unrecovered++;
        } else {
          times.add(t);
        }
        String problem = i.problem().get();
        if (problem != null) {
          problems.add(problem);
        }
      }
      if (count == 0) {
        continue;
      }
      times.sort(null);
      int[] counts = lostDup.getOrDefault(fault, new int[2]);
      rows.add(new Row(fault, count, times.isEmpty() ? null : times.get((times.size() - 1) / 2),
          times.isEmpty() ? null : times.get(times.size() - 1), unrecovered, counts[0], counts[1],
          List.copyOf(problems)));
    }
    return new ReliabilityReport(rows, lostBefore, dupBefore);
  }

  List<Row> rows() {
    return rows;
  }

  int faults() {
    return rows.stream().mapToInt(Row::count).sum();
  }

  int kinds() {
    return rows.size();
  }

  int lost() {
    return lostBeforeAnyFault + rows.stream().mapToInt(Row::lost).sum();
  }

  int duplicated() {
    return duplicatedBeforeAnyFault + rows.stream().mapToInt(Row::duplicated).sum();
  }

  List<String> problems() {
    List<String> all = new ArrayList<>();
    rows.forEach(r -> r.problems().forEach(p -> all.add(r.fault().key() + ": " + p)));
    return all;
  }

  /** The table in Markdown. */
  String table() {
    StringBuilder out = new StringBuilder();
    out.append("| fault | count | recovered in p50 | max | not recovered | lost | duplicated |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Row r : rows) {
      out.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %d | %d | %d |%n", r.fault().description(),
          r.count(), seconds(r.p50Millis()), seconds(r.maxMillis()), r.unrecovered(), r.lost(), r.duplicated()));
    }
    out.append(String.format(Locale.ROOT, "| **all** (%d kinds; before the first fault: %d lost, %d duplicated) "
        + "| %d | | | %d | %d | %d |%n", kinds(), lostBeforeAnyFault, duplicatedBeforeAnyFault, faults(),
        rows.stream().mapToInt(Row::unrecovered).sum(), lost(), duplicated()));
    return out.toString();
  }

  static String seconds(Long millis) {
    return millis == null ? "-" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
