package org.streamdistill.evaluator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.RollingMetrics;
import org.streamdistill.schemas.metrics.PrometheusText;

class EvaluatorMetricsTest {

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final EvaluatorMetrics metrics = new EvaluatorMetrics(registry);

  private List<PrometheusText.Sample> scrape() {
    return PrometheusText.parse(ExpositionFormats.init().getPrometheusTextFormatWriter().toDebugString(registry.scrape()));
  }

  private static RollingMetrics rolling(String version, String role, String window, long turns, double agreement,
                                        Double goldAccuracy, Double kl, Double eceGold, Double eceTeacher) {
    return RollingMetrics.newBuilder().setModelVersion(version).setRole(role).setWindowType(window)
        .setWindowStart(Instant.ofEpochMilli(0)).setWindowEnd(Instant.ofEpochMilli(10_000)).setTurns(turns)
        .setTeacherAgreements(Math.round(turns * agreement)).setTeacherAgreement(agreement)
        .setGoldTurns(goldAccuracy == null ? 0 : 10).setGoldCorrect(goldAccuracy == null ? 0 : Math.round(10 * goldAccuracy))
        .setGoldAccuracy(goldAccuracy).setKlTeacher(kl).setEceGold(eceGold).setEceTeacher(eceTeacher).build();
  }

  private static PromotionEvent decision(String decision, String from, String to, long atMillis) {
    return PromotionEvent.newBuilder().setModelName("student").setDecision(decision).setFromVersion(from)
        .setToVersion(to).setDecidedAt(Instant.ofEpochMilli(atMillis)).setPairedTurns(200)
        .setChallengerOnlyCorrect(30).setChampionOnlyCorrect(5).setChampionScore(0.7).setChallengerScore(0.82)
        .setMetric("gold").setReason("test").build();
  }

  @Test
  void shouldExposeTheLatestRollingFiguresPerModelVersionRoleAndWindow() {
    // Given two windows of the challenger (the later one replaces the earlier) and one of the champion without gold
    metrics.rollingMetrics(rolling("student-v3", "challenger", "time", 100, 0.5, 0.4, 0.9, 0.1, 0.2));
    metrics.rollingMetrics(rolling("student-v3", "challenger", "time", 120, 0.75, 0.6, 0.5, 0.05, 0.125));
    metrics.rollingMetrics(rolling("student-v2", "champion", "last_turns", 1000, 0.7, null, null, null, 0.3));

    // When scraped
    List<PrometheusText.Sample> samples = scrape();

    // Then each series holds the latest value, and the champion has no gold or KL series
    Map<String, String> v3 = Map.of("model_version", "student-v3", "role", "challenger", "window", "time");
    Map<String, String> v2 = Map.of("model_version", "student-v2", "role", "champion", "window", "last_turns");
    assertThat(PrometheusText.value(samples, "streamdistill_evaluator_teacher_agreement_ratio", v3)).isEqualTo(0.75);
    assertThat(PrometheusText.value(samples, "streamdistill_evaluator_gold_accuracy_ratio", v3)).isEqualTo(0.6);
    assertThat(PrometheusText.value(samples, "streamdistill_evaluator_teacher_kl_divergence", v3)).isEqualTo(0.5);
    assertThat(PrometheusText.value(samples, "streamdistill_evaluator_window_turns", v3)).isEqualTo(120.0);
    assertThat(PrometheusText.value(samples, "streamdistill_evaluator_expected_calibration_error",
        Map.of("model_version", "student-v3", "reference", "gold"))).isEqualTo(0.05);
    assertThat(PrometheusText.value(samples, "streamdistill_evaluator_expected_calibration_error",
        Map.of("model_version", "student-v3", "reference", "teacher"))).isEqualTo(0.125);
    assertThat(PrometheusText.value(samples, "streamdistill_evaluator_teacher_agreement_ratio", v2)).isEqualTo(0.7);
    assertThat(PrometheusText.value(samples, "streamdistill_evaluator_gold_accuracy_ratio", v2)).isNaN();
    assertThat(samples).filteredOn(s -> s.name().equals("streamdistill_evaluator_teacher_kl_divergence")).hasSize(1);
  }

  @Test
  void shouldCountDecisionsAndNameTheChampionAfterTheLastPromotionOrRollback() {
    // Given two promotions, a hold and a rollback
    metrics.decision(decision("PROMOTE", null, "student-v2", 10_000));
    metrics.decision(decision("PROMOTE", "student-v2", "student-v5", 20_000));
    metrics.decision(decision("HOLD", "student-v5", "student-v6", 30_000));
    metrics.decision(decision("ROLLBACK", "student-v5", "student-v2", 40_500));

    List<PrometheusText.Sample> samples = scrape();

    assertThat(PrometheusText.value(samples, "streamdistill_evaluator_decisions_total", Map.of("decision", "promote")))
        .isEqualTo(2.0);
    assertThat(PrometheusText.value(samples, "streamdistill_evaluator_decisions_total", Map.of("decision", "hold")))
        .isEqualTo(1.0);
    assertThat(PrometheusText.value(samples, "streamdistill_evaluator_decisions_total", Map.of("decision", "rollback")))
        .isEqualTo(1.0);
    assertThat(PrometheusText.value(samples, "streamdistill_evaluator_last_decision_timestamp_seconds",
        Map.of("decision", "promote"))).isEqualTo(20.0);
    assertThat(PrometheusText.value(samples, "streamdistill_evaluator_last_decision_timestamp_seconds",
        Map.of("decision", "rollback"))).isEqualTo(40.5);
    assertThat(samples).filteredOn(s -> s.name().equals("streamdistill_evaluator_champion_info"))
        .singleElement().satisfies(s -> {
          assertThat(s.labels()).isEqualTo(Map.of("model_version", "student-v2"));
          assertThat(s.value()).isEqualTo(1.0);
        });
  }

  @Test
  void shouldKeepSeriesOfTheLastUpdatedModelVersionsOnly() {
    // Given one more model version than are kept, v0 first
    for (int v = 0; v <= EvaluatorMetrics.MAX_MODEL_VERSIONS; v++) {
      metrics.rollingMetrics(rolling("student-v" + v, "challenger", "time", 10, 0.5, 0.5, 0.1, 0.1, 0.1));
    }

    // Then v0's series are gone and every later version has its own
    List<PrometheusText.Sample> samples = scrape();
    assertThat(samples).filteredOn(s -> s.name().equals("streamdistill_evaluator_teacher_agreement_ratio"))
        .map(s -> s.label("model_version")).hasSize(EvaluatorMetrics.MAX_MODEL_VERSIONS)
        .doesNotContain("student-v0").contains("student-v1", "student-v" + EvaluatorMetrics.MAX_MODEL_VERSIONS);
    assertThat(samples).filteredOn(s -> "student-v0".equals(s.label("model_version"))).isEmpty();
  }
}
