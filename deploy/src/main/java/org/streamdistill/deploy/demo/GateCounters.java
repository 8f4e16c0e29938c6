package org.streamdistill.deploy.demo;

import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.TreeMap;
import org.streamdistill.schemas.metrics.PrometheusText;

/**
 * What a teacher job running in this JVM has counted in a Prometheus registry: turns its gate
 * skipped by reason, and turns and batches its teacher scored. The demo and the bench's peak read
 * them before and after a run and keep the difference.
 *
 * @param skippedByReason {@code streamdistill_teacher_skipped_turns_total}, gold or not summed
 * @param teacherTurns turns the teacher scored ({@code streamdistill_teacher_batch_size} sum)
 * @param teacherBatches batches the teacher scored ({@code streamdistill_teacher_batch_size} count)
 */
public record GateCounters(Map<String, Long> skippedByReason, long teacherTurns, long teacherBatches) {

  public GateCounters {
    skippedByReason = Map.copyOf(skippedByReason);
  }

  /** The counters in {@code registry} now. */
  public static GateCounters read(PrometheusRegistry registry) {
    Map<String, Long> skipped = new TreeMap<>();
    long turns = 0;
    long batches = 0;
    String text = ExpositionFormats.init().getPrometheusTextFormatWriter().toDebugString(registry.scrape());
    for (PrometheusText.Sample sample : PrometheusText.parse(text)) {
      switch (sample.name()) {
        case "streamdistill_teacher_skipped_turns_total" ->
            skipped.merge(sample.label("reason"), Math.round(sample.value()), Long::sum);
        case "streamdistill_teacher_batch_size_sum" -> turns += Math.round(sample.value());
        case "streamdistill_teacher_batch_size_count" -> batches += Math.round(sample.value());
        default -> { }
      }
    }
    return new GateCounters(skipped, turns, batches);
  }

  /** What was counted since {@code before}; reasons with nothing new are left out. */
  public GateCounters since(GateCounters before) {
    Map<String, Long> skipped = new TreeMap<>();
    skippedByReason.forEach((reason, n) -> {
      long d = n - before.skippedByReason.getOrDefault(reason, 0L);
      if (d != 0) {
        skipped.put(reason, d);
      }
    });
    return new GateCounters(skipped, teacherTurns - before.teacherTurns, teacherBatches - before.teacherBatches);
  }

  /** Every skipped turn, all reasons summed. */
  public long skipped() {
    return skippedByReason.values().stream().mapToLong(Long::longValue).sum();
  }
}
