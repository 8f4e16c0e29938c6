package org.streamdistill.deploy.bench;

import java.util.List;
import java.util.Map;

/**
 * The figures of one {@code bench --cluster} run: when, how it was invoked, on what machine, and
 * the teacher job's scale-out on the local Flink cluster against raw teachers of the same run.
 *
 * @param clusterScale null when the measurement failed (the notes say why)
 */
public record ClusterBenchReport(String date, String command, String mode, Machine machine,
                                 Map<String, String> loadAverageAt, double wallSeconds,
                                 ClusterScaleOut.ClusterScale clusterScale, List<String> notes) {

  public ClusterBenchReport {
    loadAverageAt = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(loadAverageAt));
    notes = List.copyOf(notes);
  }
}
