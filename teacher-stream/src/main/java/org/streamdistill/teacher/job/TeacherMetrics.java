package org.streamdistill.teacher.job;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.WeakHashMap;
import org.streamdistill.schemas.metrics.StageMetrics;

/**
 * The teacher's Prometheus metrics, besides the {@link StageMetrics} of stage {@code
 * teacher-stream} (turns consumed, soft labels produced, dead letters by reason):
 * {@code streamdistill_teacher_batch_size} (histogram of turns per scored batch), {@code
 * streamdistill_teacher_scoring_latency_seconds} (histogram of the time to score one batch,
 * retries of a failing batch included), {@code streamdistill_teacher_truncated_turns_total} and
 * {@code streamdistill_teacher_scorer_failures_total}; with a selection gate, {@code
 * streamdistill_teacher_selected_turns_total{reason}} and {@code
 * streamdistill_teacher_skipped_turns_total{reason,gold}} and {@code
 * streamdistill_teacher_fallback_turns_total{gold}}; and {@code streamdistill_teacher_scorers_open},
 * the scoring subtasks of this JVM that are open and take turns (0 while the job starts or restarts:
 * a readiness signal, which the demo waits for before it replays), and {@code
 * streamdistill_teacher_open_failures_total}, the times a subtask here failed to open (Flink then
 * restarts the job: a count that keeps rising is a teacher that cannot start, not a slow one).
 *
 * <p><b>Where they live.</b> The scoring operator reports the same figures to Flink's own metric
 * group (seen in the Flink UI and REST API, and by any reporter a cluster configures, such as
 * Flink's Prometheus reporter) and to these metrics in the registry of its JVM, shared by every
 * subtask there ({@link #in}). With a local environment (a MiniCluster: {@code teacher-job}
 * outside a cluster, the demo) the operators run in the process that serves {@code
 * teacher.metrics.port}, which therefore shows them. On a Flink cluster they run in the
 * TaskManagers, and the Flink metric group with the cluster's reporter is the way to see them;
 * a Flink {@code MetricReporter} of our own would only duplicate Flink's.
 */
public final class TeacherMetrics {

  public static final String STAGE = TeacherScoringOperator.STAGE;

  /** One set per registry: the subtasks of one JVM add up into the same series. */
  private static final Map<PrometheusRegistry, TeacherMetrics> BY_REGISTRY = new WeakHashMap<>();

  private final StageMetrics stage;
  private final Histogram batchSize;
  private final Histogram scoringLatency;
  private final Counter truncated;
  private final Counter scorerFailures;
  private final Counter selected;
  private final Counter skipped;
  private final Counter toFallback;
  private final Gauge scorersOpen;
  private final Counter openFailures;

  /** Registers new metrics in {@code registry}; {@link #in} shares one set between operators. */
  TeacherMetrics(PrometheusRegistry registry) {
    stage = new StageMetrics(STAGE, registry);
    batchSize = Histogram.builder().name("streamdistill_teacher_batch_size")
        .help("Turns per batch the teacher scored.")
        .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096).classicOnly().register(registry);
    scoringLatency = Histogram.builder().name("streamdistill_teacher_scoring_latency_seconds")
        .help("Time to score one batch with the teacher (tokenize, run the model, build the soft labels).")
        .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10).classicOnly()
        .register(registry);
    truncated = Counter.builder().name("streamdistill_teacher_truncated_turns_total")
        .help("Turns whose text was cut before scoring (their soft labels say truncated).").register(registry);
    scorerFailures = Counter.builder().name("streamdistill_teacher_scorer_failures_total")
        .help("Times the teacher failed on a batch (which is then split) or on a single turn.").register(registry);
    selected = Counter.builder().name("streamdistill_teacher_selected_turns_total")
        .help("Turns the selection gate sent to the teacher, by reason (all, uniform, uncertain, budget, audit).")
        .labelNames("reason").register(registry);
    skipped = Counter.builder().name("streamdistill_teacher_skipped_turns_total")
        .help("Turns the selection gate kept from the teacher, by reason (not-drawn, confident, over-budget, "
            + "behind) and whether they carried a gold label.")
        .labelNames("reason", "gold").register(registry);
    toFallback = Counter.builder().name("streamdistill_teacher_fallback_turns_total")
        .help("Skipped turns sent to the fallback teacher (teacher.fallback.bundle) instead of going on gold-only or "
            + "producing nothing, by whether they carried a gold label (one it fails on is a dead letter).")
        .labelNames("gold").register(registry);
    scorersOpen = Gauge.builder().name("streamdistill_teacher_scorers_open")
        .help("Scoring subtasks in this process whose teacher, gate and codecs are open, so that they take turns "
            + "(0 while the teacher job starts or restarts).").register(registry);
    openFailures = Counter.builder().name("streamdistill_teacher_open_failures_total")
        .help("Times a scoring subtask in this process failed to open its teacher, gate or codecs (the job then "
            + "restarts; the log says why).").register(registry);
  }

  /** The teacher metrics of {@code registry}, registered at the first call. */
  public static TeacherMetrics in(PrometheusRegistry registry) {
    synchronized (BY_REGISTRY) {
      return BY_REGISTRY.computeIfAbsent(registry, TeacherMetrics::new);
    }
  }

  StageMetrics stage() {
    return stage;
  }

  void batchScored(int turns, long nanos) {
    batchSize.observe(turns);
    scoringLatency.observe(nanos / 1e9);
  }

  void truncated() {
    truncated.inc();
  }

  void scorerFailed() {
    scorerFailures.inc();
  }

  void selected(String reason) {
    selected.labelValues(reason).inc();
  }

  void skipped(String reason, boolean gold) {
    skipped.labelValues(reason, Boolean.toString(gold)).inc();
  }

  void toFallback(boolean gold) {
    toFallback.labelValues(Boolean.toString(gold)).inc();
  }

  void scorerOpened() {
    scorersOpen.inc();
  }

  void scorerClosed() {
    scorersOpen.dec();
  }

  void openFailed() {
    openFailures.inc();
  }

  /** How often a scoring subtask in this process failed to open. */
  public long openFailures() {
    return (long) openFailures.get();
  }

  /** How many scoring subtasks in this process are open and take turns. */
  public long scorersOpen() {
    return (long) scorersOpen.get();
  }
}
