package org.streamdistill.evaluator.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.RollingMetrics;
import org.streamdistill.schemas.metrics.StageMetrics;

/**
 * The evaluator's Prometheus metrics, fed with the records it publishes (so they say what
 * {@code evaluator.metrics} and {@code model.promotions} say, as soon as they say it):
 *
 * <ul>
 *   <li>per model version, role and window type ({@code time}, {@code last_turns}), the latest
 *       rolling figures: {@code streamdistill_evaluator_teacher_agreement_ratio}, {@code
 *       streamdistill_evaluator_gold_accuracy_ratio}, {@code streamdistill_evaluator_teacher_kl_divergence}
 *       (nats), {@code streamdistill_evaluator_expected_calibration_error{reference="gold"|"teacher"}}
 *       and {@code streamdistill_evaluator_window_turns}. Only the {@value #MAX_MODEL_VERSIONS}
 *       versions updated last keep series: a long run makes hundreds of versions;
 *   <li>{@code streamdistill_evaluator_decisions_total{decision}} (promote, hold, rollback) and
 *       {@code streamdistill_evaluator_last_decision_timestamp_seconds{decision}};
 *   <li>{@code streamdistill_evaluator_champion_info{model_version}}: the champion after the last
 *       promotion or rollback;
 *   <li>the {@link StageMetrics} of stage {@code evaluator}.
 * </ul>
 *
 * <p>Counted when a record goes to its sink, before the transaction commits: after a crash the
 * records of an aborted transaction are counted again. Figures for people, not for accounting.
 */
public final class EvaluatorMetrics {

  public static final String STAGE = "evaluator";
  /** Model versions with rolling-metric series at most. */
  public static final int MAX_MODEL_VERSIONS = 16;

  private final StageMetrics stage;
  private final Gauge agreement;
  private final Gauge goldAccuracy;
  private final Gauge kl;
  private final Gauge ece;
  private final Gauge windowTurns;
  private final Counter decisions;
  private final Gauge lastDecision;
  private final Info champion;
  /** Model version to its label sets (role, window), least recently updated first. */
  private final LinkedHashMap<String, List<String[]>> series = new LinkedHashMap<>(16, 0.75f, true);

  /** Metrics registered in {@code registry}. */
  public EvaluatorMetrics(PrometheusRegistry registry) {
    stage = new StageMetrics(STAGE, registry);
    String[] labels = {"model_version", "role", "window"};
    agreement = Gauge.builder().name("streamdistill_evaluator_teacher_agreement_ratio")
        .help("Share of turns whose predicted label is the teacher's top label, in the latest window.")
        .labelNames(labels).register(registry);
    goldAccuracy = Gauge.builder().name("streamdistill_evaluator_gold_accuracy_ratio")
        .help("Share of gold-labelled turns predicted correctly, in the latest window with gold labels.")
        .labelNames(labels).register(registry);
    kl = Gauge.builder().name("streamdistill_evaluator_teacher_kl_divergence")
        .help("Mean KL(teacher || student) in nats at the soft labels' temperature, in the latest window.")
        .labelNames(labels).register(registry);
    ece = Gauge.builder().name("streamdistill_evaluator_expected_calibration_error")
        .help("Expected calibration error (15 bins) against gold labels or the teacher's top label, latest window.")
        .labelNames("model_version", "role", "window", "reference").register(registry);
    windowTurns = Gauge.builder().name("streamdistill_evaluator_window_turns")
        .help("Turns in the latest window.").labelNames(labels).register(registry);
    decisions = Counter.builder().name("streamdistill_evaluator_decisions_total")
        .help("Decisions of the promotion policy: promote, hold, rollback.").labelNames("decision").register(registry);
    lastDecision = Gauge.builder().name("streamdistill_evaluator_last_decision_timestamp_seconds")
        .help("When the policy last took each decision (its decided_at), Unix time in seconds.")
        .labelNames("decision").register(registry);
    champion = Info.builder().name("streamdistill_evaluator_champion")
        .help("The champion after the latest promotion or rollback.").labelNames("model_version").register(registry);
  }

  public StageMetrics stage() {
    return stage;
  }

  /** Takes in a record published to {@code evaluator.metrics}. */
  public synchronized void rollingMetrics(RollingMetrics m) {
    String version = m.getModelVersion();
    String[] labels = {version, m.getRole(), m.getWindowType()};
    List<String[]> known = series.computeIfAbsent(version, v -> new ArrayList<>());
    if (known.stream().noneMatch(l -> java.util.Arrays.equals(l, labels))) {
      known.add(labels);
    }
    agreement.labelValues(labels).set(m.getTeacherAgreement());
    windowTurns.labelValues(labels).set(m.getTurns());
    if (m.getGoldAccuracy() != null) {
      goldAccuracy.labelValues(labels).set(m.getGoldAccuracy());
    }
    if (m.getKlTeacher() != null) {
      kl.labelValues(labels).set(m.getKlTeacher());
    }
    if (m.getEceGold() != null) {
      ece.labelValues(version, m.getRole(), m.getWindowType(), "gold").set(m.getEceGold());
    }
    if (m.getEceTeacher() != null) {
      ece.labelValues(version, m.getRole(), m.getWindowType(), "teacher").set(m.getEceTeacher());
    }
    while (series.size() > MAX_MODEL_VERSIONS) {
      Map.Entry<String, List<String[]>> oldest = series.entrySet().iterator().next();
      for (String[] l : oldest.getValue()) {
        agreement.remove(l);
        goldAccuracy.remove(l);
        kl.remove(l);
        windowTurns.remove(l);
        ece.remove(l[0], l[1], l[2], "gold");
        ece.remove(l[0], l[1], l[2], "teacher");
      }
      series.remove(oldest.getKey());
    }
  }

  /** Takes in a decision published to {@code model.promotions}. */
  public void decision(PromotionEvent event) {
    String decision = event.getDecision().toLowerCase(Locale.ROOT);
    decisions.labelValues(decision).inc();
    lastDecision.labelValues(decision).set(event.getDecidedAt().toEpochMilli() / 1000.0);
    if (!decision.equals("hold")) {
      champion.setLabelValues(event.getToVersion());
    }
  }
}
