package org.streamdistill.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GateCountersTest {

  @Test
  void shouldCountWhatTheTeacherScoredAndWhatItsGateSkippedSinceAnEarlierReading() {
    // Given a registry with the teacher job's batch histogram and skip counter, as the job registers them
    PrometheusRegistry registry = new PrometheusRegistry();
    Histogram batches = Histogram.builder().name("streamdistill_teacher_batch_size").classicUpperBounds(1, 8, 32)
        .classicOnly().register(registry);
    Counter skipped = Counter.builder().name("streamdistill_teacher_skipped_turns_total").labelNames("reason", "gold")
        .register(registry);
    batches.observe(32);
    skipped.labelValues("over-budget", "false").inc(10);
    GateCounters before = GateCounters.read(registry);

    // When the teacher scores two more batches (5 and 3 turns) and the gate skips more turns
    batches.observe(5);
    batches.observe(3);
    skipped.labelValues("over-budget", "true").inc(4);
    skipped.labelValues("behind", "false").inc(7);
    GateCounters since = GateCounters.read(registry).since(before);

    // Then only what happened since the first reading is counted
    assertThat(before.teacherTurns()).isEqualTo(32);
    assertThat(since.teacherTurns()).isEqualTo(8);
    assertThat(since.teacherBatches()).isEqualTo(2);
    assertThat(since.skippedByReason()).containsOnly(Map.entry("over-budget", 4L), Map.entry("behind", 7L));
    assertThat(since.skipped()).isEqualTo(11);
  }
}
