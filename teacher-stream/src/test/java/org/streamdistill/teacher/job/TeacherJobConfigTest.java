package org.streamdistill.teacher.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TeacherJobConfigTest {

  @Test
  void shouldDefaultToTheBundleTeacherWithEveryLogit() {
    TeacherJobConfig config = TeacherJobConfig.of(Map.of());

    assertThat(config.kind()).isEqualTo(TeacherJobConfig.KIND_BUNDLE);
    assertThat(config.softLabelsTopK()).isZero();
    assertThat(config.deadLetterMaxValueBytes()).isEqualTo(1_000_000);
  }

  @Test
  void shouldHaveNoFallbackTeacherByDefaultAndReadOneBehindAGate() {
    assertThat(TeacherJobConfig.of(Map.of()).fallback()).isEqualTo(FallbackTeacher.NONE);
    assertThat(TurnScorers.fallbackFromConfig(TeacherJobConfig.of(Map.of()))).isNull();

    TeacherJobConfig config = TeacherJobConfig.of(Map.of(TeacherJobConfig.SELECTION_POLICY, "budget",
        TeacherJobConfig.FALLBACK_BUNDLE, " bundles/int8 ", TeacherJobConfig.FALLBACK_MAX_TURNS_PER_SECOND, "40"));

    assertThat(config.fallback()).isEqualTo(new FallbackTeacher("bundles/int8", 40.0, 1));
    assertThat(TeacherJobConfig.of(Map.of(TeacherJobConfig.SELECTION_POLICY, "budget",
        TeacherJobConfig.FALLBACK_BUNDLE, "b", TeacherJobConfig.FALLBACK_ONNX_THREADS, "2")).fallback()
        .intraOpThreads()).isEqualTo(2);
    assertThat(config.fallback().describe()).isEqualTo("bundles/int8 (at most 40.0 turns/s)");
    assertThat(TurnScorers.fallbackFromConfig(config)).isNotNull();
  }

  @Test
  void shouldRefuseAFallbackTeacherThatPolicyAllLeavesNothingToScore() {
    assertThatThrownBy(() -> TeacherJobConfig.of(Map.of(TeacherJobConfig.FALLBACK_BUNDLE, "bundles/int8")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("teacher.fallback.bundle")
        .hasMessageContaining("teacher.selection.policy=all skips none");
    assertThatThrownBy(() -> TeacherJobConfig.of(Map.of(TeacherJobConfig.SELECTION_POLICY, "budget",
        TeacherJobConfig.FALLBACK_BUNDLE, "b", TeacherJobConfig.FALLBACK_MAX_TURNS_PER_SECOND, "-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("teacher.fallback.max-turns-per-second");
  }

  @Test
  void shouldReadTheOnnxClassifierSettings() {
    TeacherJobConfig config = TeacherJobConfig.of(Map.of(
        TeacherJobConfig.KIND, "onnx-classifier",
        TeacherJobConfig.ONNX_MODEL, "/models/intent.onnx",
        TeacherJobConfig.ONNX_TOKENIZER, "/models/tokenizer.json",
        TeacherJobConfig.ONNX_LABELS, "/models/config.json",
        TeacherJobConfig.ONNX_MAX_LENGTH, "256",
        TeacherJobConfig.TEMPERATURE, "4",
        TeacherJobConfig.SOFT_LABELS_TOP_K, "10"));

    assertThat(config.onnxModel()).isEqualTo("/models/intent.onnx");
    assertThat(config.onnxTokenizer()).isEqualTo("/models/tokenizer.json");
    assertThat(config.onnxLabels()).isEqualTo("/models/config.json");
    assertThat(config.onnxMaxLength()).isEqualTo(256);
    assertThat(config.temperature()).isEqualTo(4.0);
    assertThat(config.softLabelsTopK()).isEqualTo(10);
    assertThat(TurnScorers.fromConfig(config)).isNotNull();
  }

  @Test
  void shouldNameTheMissingFileSettingOfAnOnnxClassifier() {
    assertThatThrownBy(() -> TeacherJobConfig.of(Map.of(
        TeacherJobConfig.KIND, "onnx-classifier",
        TeacherJobConfig.ONNX_MODEL, "/models/intent.onnx",
        TeacherJobConfig.ONNX_LABELS, "/models/labels.txt")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("teacher.onnx.tokenizer must name a file when teacher.kind=onnx-classifier");
  }

  @Test
  void shouldRefuseAnUnknownTeacherKind() {
    assertThatThrownBy(() -> TeacherJobConfig.of(Map.of(TeacherJobConfig.KIND, "ensemble")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("teacher.kind");
  }

  @Test
  void shouldTakeGroupAndTransactionalIdFromTheCatalogueInTheNamespaceUnlessSet() {
    TeacherJobConfig production = TeacherJobConfig.parse(java.util.List.of(), Map.of());
    TeacherJobConfig experiment = TeacherJobConfig.parse(java.util.List.of("--topic.namespace", "exp1"), Map.of());
    TeacherJobConfig explicit = TeacherJobConfig.parse(java.util.List.of("--topic.namespace", "exp1",
        "--teacher.group-id", "mine", "--teacher.transactional-id-prefix", "mine-tx"), Map.of());

    assertThat(production.groupId()).isEqualTo("teacher-stream");
    assertThat(production.transactionalIdPrefix()).isEqualTo("teacher-stream");
    assertThat(experiment.groupId()).isEqualTo("exp1-teacher-stream");
    assertThat(experiment.transactionalIdPrefix()).isEqualTo("exp1-teacher-stream");
    assertThat(explicit.groupId()).isEqualTo("mine");
    assertThat(explicit.transactionalIdPrefix()).isEqualTo("mine-tx");
  }

  @Test
  void shouldHandKafkaClientSettingsToTheJobAndRefuseTheOnesExactlyOnceNeeds() {
    TeacherJobConfig config = TeacherJobConfig.of(Map.of("kafka.security.protocol", "SASL_SSL",
        "kafka.sasl.jaas.config", "secret-jaas"));

    assertThat(config.kafka().values()).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.jaas.config", "secret-jaas");
    assertThat(config.toString()).doesNotContain("secret-jaas");
    assertThatThrownBy(() -> TeacherJobConfig.parse(java.util.List.of("--kafka.isolation.level", "read_uncommitted"),
        Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("kafka.isolation.level");
  }

  @Test
  void shouldReadTheSelectionGateSettingsAndPassEveryTurnByDefault() {
    assertThat(TeacherJobConfig.of(Map.of()).selection().passesEverything()).isTrue();

    TeacherJobConfig config = TeacherJobConfig.of(Map.of(TeacherJobConfig.SELECTION_POLICY, "budget",
        TeacherJobConfig.SELECTION_BUDGET, "250", TeacherJobConfig.SELECTION_MEASURE, "margin",
        TeacherJobConfig.SELECTION_AUDIT_SHARE, "0.1", TeacherJobConfig.SELECTION_SEED, "42",
        TeacherJobConfig.SELECTION_CHAMPION_FOLLOW, "latest"));

    assertThat(config.selection()).isEqualTo(new org.streamdistill.teacher.selection.SelectionSettings("budget", 0.3,
        org.streamdistill.teacher.selection.UncertaintyMeasure.MARGIN, 0.7, 250.0, 1_000L, 3_000L, 0.1, 42L, 5_000L,
        true));
    assertThat(config.selection().describe()).endsWith(", judged by the latest checkpoint");
    assertThat(TeacherJobConfig.of(Map.of()).selection().followLatest()).isFalse();
    assertThatThrownBy(() -> TeacherJobConfig.of(Map.of(TeacherJobConfig.SELECTION_CHAMPION_FOLLOW, "newest")))
        .isInstanceOf(ConfigException.class).hasMessageContaining(TeacherJobConfig.SELECTION_CHAMPION_FOLLOW);
    assertThat(config.championModelName()).isEqualTo("student");
  }

  @Test
  void shouldBoundTheBudgetsLagAtThreeSecondsByDefaultAndTakeZeroForNone() {
    assertThat(TeacherJobConfig.of(Map.of()).selection().budgetMaxLagMillis()).isEqualTo(3_000L);
    TeacherJobConfig none = TeacherJobConfig.of(Map.of(TeacherJobConfig.SELECTION_POLICY, "budget",
        TeacherJobConfig.SELECTION_BUDGET_MAX_LAG_MS, "0"));
    assertThat(none.selection().budgetMaxLagMillis()).isZero();
    assertThat(none.selection().describe()).doesNotContain("behind");
    assertThat(TeacherJobConfig.of(Map.of(TeacherJobConfig.SELECTION_POLICY, "budget")).selection().describe())
        .contains("none to turns over 3000 ms behind");
    assertThatThrownBy(() -> TeacherJobConfig.of(Map.of(TeacherJobConfig.SELECTION_BUDGET_MAX_LAG_MS, "-1")))
        .isInstanceOf(ConfigException.class).hasMessageContaining(TeacherJobConfig.SELECTION_BUDGET_MAX_LAG_MS);
  }

  @Test
  void shouldRefuseAnUnknownSelectionPolicyOrAnAuditShareAboveOneNamingTheKey() {
    assertThatThrownBy(() -> TeacherJobConfig.of(Map.of(TeacherJobConfig.SELECTION_POLICY, "cheapest")))
        .hasMessageContaining("teacher.selection.policy").hasMessageContaining("cheapest");
    assertThatThrownBy(() -> TeacherJobConfig.of(Map.of(TeacherJobConfig.SELECTION_AUDIT_SHARE, "1.5")))
        .hasMessageContaining("teacher.selection.audit.share").hasMessageContaining("1.5");
  }
}
