package org.streamdistill.schemas.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Objects;

/**
 * The counters every stage keeps under the same names, so that one query covers the whole
 * pipeline ({@code sum by (stage) (rate(streamdistill_records_produced_total[1m]))}):
 *
 * <ul>
 *   <li>{@code streamdistill_records_consumed_total{stage, topic}}: records the stage read (or,
 *       for ingestion, turns it accepted);
 *   <li>{@code streamdistill_records_produced_total{stage, topic}}: records it wrote, per topic;
 *   <li>{@code streamdistill_dead_letters_total{stage, topic, reason}}: poison records it sent to
 *       {@code <topic>.dlq}, where {@code topic} is the source topic and {@code reason} the simple
 *       name of the exception the dead letter's {@code dlq.exception} header names (a small,
 *       fixed set, unlike the message).
 * </ul>
 *
 * <p>Registered once per registry: one stage, one registry (the teacher's operators share one
 * per JVM, see the teacher job).
 */
public final class StageMetrics {

  public static final String CONSUMED = "streamdistill_records_consumed";
  public static final String PRODUCED = "streamdistill_records_produced";
  public static final String DEAD_LETTERS = "streamdistill_dead_letters";

  private final String stage;
  private final Counter consumed;
  private final Counter produced;
  private final Counter deadLetters;

  /**
   * @param stage the stage's name in the {@code stage} label: {@code ingest}, {@code teacher-stream},
   *     {@code student-trainer}, {@code evaluator}, {@code serve}
   * @throws IllegalArgumentException when {@code registry} already holds these metrics
   */
  public StageMetrics(String stage, PrometheusRegistry registry) {
    this.stage = Objects.requireNonNull(stage, "stage");
    consumed = Counter.builder().name(CONSUMED + "_total")
        .help("Records a stage consumed from a topic (turns accepted, for ingestion).")
        .labelNames("stage", "topic").register(registry);
    produced = Counter.builder().name(PRODUCED + "_total")
        .help("Records a stage produced to a topic (dead letters not included).")
        .labelNames("stage", "topic").register(registry);
    deadLetters = Counter.builder().name(DEAD_LETTERS + "_total")
        .help("Poison records a stage sent to the dead-letter twin of their source topic, by reason (exception).")
        .labelNames("stage", "topic", "reason").register(registry);
  }

  public String stage() {
    return stage;
  }

  public void consumed(String topic) {
    consumed.labelValues(stage, topic).inc();
  }

  public void consumed(String topic, long records) {
    consumed.labelValues(stage, topic).inc(records);
  }

  public void produced(String topic) {
    produced.labelValues(stage, topic).inc();
  }

  public void produced(String topic, long records) {
    produced.labelValues(stage, topic).inc(records);
  }

  /** Counts a dead letter of a record read from {@code sourceTopic}, for {@code error}. */
  public void deadLetter(String sourceTopic, Throwable error) {
    deadLetter(sourceTopic, reason(error.getClass().getName()));
  }

  /** Counts a dead letter of a record read from {@code sourceTopic}, for the given reason. */
  public void deadLetter(String sourceTopic, String reason) {
    deadLetters.labelValues(stage, sourceTopic, reason).inc();
  }

  /** The {@code reason} label of an exception class name: its simple name ({@code a.b.Outer$Inner} -> {@code Inner}). */
  public static String reason(String exceptionClassName) {
    String name = exceptionClassName == null ? "unknown" : exceptionClassName;
    int cut = Math.max(name.lastIndexOf('.'), name.lastIndexOf('$'));
    return cut >= 0 ? name.substring(cut + 1) : name;
  }
}
