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
}
