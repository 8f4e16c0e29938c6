package org.streamdistill.teacher.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.streamdistill.dataset.Clinc150;

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

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--epochs zero      | --epochs must be an integer >= 1, got 'zero'",
      "--epochs 0         | --epochs must be an integer >= 1, got 0",
      "--batch-size -3    | --batch-size must be an integer >= 1, got -3",
      "--temperature 0    | --temperature must be a number > 0, got 0",
      "--temperature NaN  | --temperature must be a number > 0, got NaN",
      "--l2 -0.1          | --l2 must be a number >= 0, got -0.1",
      "--learning-rate x  | --learning-rate must be a number > 0, got 'x'",
      "--seed 1.5         | --seed must be an integer, got '1.5'",
      "--threads 0        | --threads must be an integer >= 1, got 0",
      "--embed-batch-size 5000 | --embed-batch-size must be an integer in 1..1024, got 5000",
      "--epochs           | --epochs needs a value (N)",
      "--epoch 3          | unknown argument '--epoch'; flags are --data, --out, --temperature, --epochs, "
          + "--batch-size, --learning-rate, --l2, --oos-weight, --seed, --threads, --embed-batch-size",
  })
  void shouldNameTheFlagAndTheValueItRejects(String args, String message) {
    assertThatThrownBy(() -> FitOptions.parse(List.of(args.trim().split(" +"))))
        .isInstanceOf(UsageException.class)
        .hasMessage(message);
  }

  @Test
  void shouldDocumentEveryFlagInTheUsage() {
    String usage = FitOptions.usage();

    for (String flag : FitOptions.flagNames()) {
      assertThat(usage).contains("  " + flag + " ");
    }
    assertThat(usage).contains("--help");
  }
}
