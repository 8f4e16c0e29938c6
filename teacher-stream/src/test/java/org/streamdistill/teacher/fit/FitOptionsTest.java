package org.streamdistill.teacher.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.teacher.model.EncoderId;

class FitOptionsTest {

  @Test
  void shouldUseTheDocumentedDefaultsWithoutFlags() throws UsageException {
    FitOptions options = FitOptions.parse(List.of());

    assertThat(options).isEqualTo(new FitOptions(Clinc150.DEFAULT_PATH, Path.of("target", "teacher-bundle"),
        2.0, 20, 64, 0.01, 1e-6, 10, 42, Runtime.getRuntime().availableProcessors(), 32));
  }

  @Test
  void shouldAcceptEveryFlagWithASpaceOrAnEqualsSign() throws UsageException {
    FitOptions options = FitOptions.parse(List.of("--data", "d.json", "--out=o", "--temperature", "3.5",
        "--epochs=5", "--batch-size", "16", "--learning-rate=0.5", "--l2", "0", "--oos-weight=2",
        "--seed", "-7", "--threads=1", "--embed-batch-size", "8"));

    assertThat(options).isEqualTo(new FitOptions(Path.of("d.json"), Path.of("o"), 3.5, 5, 16, 0.5, 0.0, 2.0,
        -7, 1, 8));
  }

  @Test
  void shouldReadTheSameSettingsFromAFileTheEnvironmentAndTheirFullKeys(@TempDir Path dir) throws Exception {
    Path file = java.nio.file.Files.writeString(dir.resolve("fit.properties"), "fit.epochs=7\nfit.out=from-file\n");

    FitOptions options = FitOptions.parse(List.of("--config", file.toString(), "--fit.seed", "9", "--out", "flag"),
        java.util.Map.of("STREAMDISTILL_FIT_EPOCHS", "8", "STREAMDISTILL_FIT_EMBED_BATCH_SIZE", "4"));

    assertThat(options.epochs()).isEqualTo(8);
    assertThat(options.out()).isEqualTo(Path.of("flag"));
    assertThat(options.seed()).isEqualTo(9);
    assertThat(options.embedBatchSize()).isEqualTo(4);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--epochs zero      | Invalid value zero for configuration fit.epochs",
      "--epochs 0         | Invalid value 0 for configuration fit.epochs: Value must be at least 1",
      "--batch-size -3    | Invalid value -3 for configuration fit.batch-size: Value must be at least 1",
      "--temperature 0    | Invalid value 0.0 for configuration fit.temperature: must be a number > 0",
      "--temperature NaN  | Invalid value NaN for configuration fit.temperature: must be a number > 0",
      "--l2 -0.1          | Invalid value -0.1 for configuration fit.l2: must be a number >= 0",
      "--learning-rate x  | Invalid value x for configuration fit.learning-rate",
      "--seed 1.5         | Invalid value 1.5 for configuration fit.seed",
      "--threads -1       | Invalid value -1 for configuration fit.threads: Value must be at least 0",
      "--embed-batch-size 5000 | Invalid value 5000 for configuration fit.embed-batch-size: Value must be no more than 1024",
      "--epochs           | flag --epochs needs a value",
      "--epoch 3          | unknown setting 'epoch'",
  })
  void shouldNameTheKeyAndTheValueItRejects(String args, String message) {
    assertThatThrownBy(() -> FitOptions.parse(List.of(args.trim().split(" +"))))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining(message);
  }

  @Test
  void shouldTakeTheEncodersOfAnEnsembleAndTheirWeights() throws UsageException {
    FitOptions options = FitOptions.parse(List.of("--encoders", "minilm-l6, e5-small-q,bge-small-q",
        "--ensemble-weights", "2,1,1", "--cost-turns", "0"));

    assertThat(options.encoders()).containsExactly(EncoderId.ALL_MINILM_L6_V2, EncoderId.E5_SMALL_V2_Q,
        EncoderId.BGE_SMALL_EN_V15_Q);
    assertThat(options.ensemble()).isTrue();
    assertThat(options.memberWeights()).containsExactly(2.0, 1.0, 1.0);
    assertThat(options.costTurns()).isZero();
    assertThat(FitOptions.parse(List.of("--encoders", "minilm-l6-q")).ensemble()).isFalse();
    assertThat(FitOptions.parse(List.of("--encoders", "minilm-l6,minilm-l6-q")).memberWeights()).containsExactly(1.0, 1.0);
  }

  @Test
  void shouldNameTheKnownEncodersWhenGivenAnUnknownOne() {
    assertThatThrownBy(() -> FitOptions.parse(List.of("--encoders", "minilm-l6,minilm-l12")))
        .isInstanceOf(UsageException.class)
        .hasMessage("Invalid value [minilm-l6, minilm-l12] for configuration fit.encoders: unknown encoder "
            + "'minilm-l12'; known encoders are minilm-l6, minilm-l6-q, e5-small-q, bge-small-q");
  }

  @Test
  void shouldRefuseAnEncoderNamedTwiceAndWeightsThatDoNotMatchTheEncoders() {
    assertThatThrownBy(() -> FitOptions.parse(List.of("--encoders", "minilm-l6,minilm-l6")))
        .isInstanceOf(UsageException.class)
        .hasMessage("fit.encoders names an encoder twice: minilm-l6,minilm-l6");
    assertThatThrownBy(() -> FitOptions.parse(List.of("--encoders", "minilm-l6,e5-small-q", "--ensemble-weights", "1,2,3")))
        .isInstanceOf(UsageException.class)
        .hasMessage("fit.ensemble-weights must be 'equal', 'val' or 2 comma-separated weights (one per encoder), got '1,2,3'");
    assertThatThrownBy(() -> FitOptions.parse(List.of("--encoders", "minilm-l6,e5-small-q", "--ensemble-weights", "1,-1")))
        .isInstanceOf(UsageException.class)
        .hasMessage("fit.ensemble-weights must be >= 0 and finite, got -1");
    assertThatThrownBy(() -> FitOptions.parse(List.of("--encoders", "minilm-l6,e5-small-q", "--ensemble-weights", "0,0")))
        .isInstanceOf(UsageException.class)
        .hasMessage("fit.ensemble-weights must not all be 0, got '0,0'");
  }

  @Test
  void shouldDocumentEveryKeyWithItsFlagTypeDefaultAndValidValuesInTheUsage() {
    String usage = FitOptions.usage();

    for (String key : FitOptions.DEFINITION.names()) {
      assertThat(usage).contains("  --" + key + " (--" + key.substring("fit.".length()) + ")  [");
    }
    assertThat(usage).contains("--fit.temperature (--temperature)  [double, default 2.0, valid: a number > 0]")
        .contains("--help");
  }

  @Test
  void shouldFitOnEveryTrainingTurnUnlessGivenAShare() throws UsageException {
    assertThat(FitOptions.parse(List.of()).trainShare()).isEqualTo(1.0);
    assertThat(FitOptions.parse(List.of()).describeFit()).doesNotContainKey("train_share");
    FitOptions half = FitOptions.parse(List.of("--train-share", "0.5"));
    assertThat(half.trainShare()).isEqualTo(0.5);
    assertThat(half.describeFit()).containsEntry("train_share", "0.5");
    assertThatThrownBy(() -> FitOptions.parse(List.of("--fit.train-share", "0"))).isInstanceOf(UsageException.class)
        .hasMessageContaining("fit.train-share");
  }
}
