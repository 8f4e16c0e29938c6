package org.streamdistill.evaluator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluatorMainTest {

  @TempDir
  Path dir;

  @Test
  void shouldParseConfigFileAndRepeatedSetFlags() throws IOException {
    Path file = Files.writeString(dir.resolve("evaluator.properties"), "evaluator.promotion.alpha=0.05\n");

    EvaluatorMain.Arguments arguments = EvaluatorMain.Arguments.parse(new String[] {
        "--config", file.toString(),
        "--set", "evaluator.promotion.min-paired=50",
        "--set", "evaluator.topic.namespace = exp1"});

    assertThat(arguments).isEqualTo(new EvaluatorMain.Arguments(file, Map.of(
        "evaluator.promotion.min-paired", "50",
        "evaluator.topic.namespace", "exp1"), false));
  }

  @Test
  void shouldExplainMalformedArguments() {
    assertThatThrownBy(() -> EvaluatorMain.Arguments.parse(new String[] {"--set", "no-equals-sign"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--set expects key=value, got 'no-equals-sign'");
    assertThatThrownBy(() -> EvaluatorMain.Arguments.parse(new String[] {"--config"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--config needs a value");
    assertThatThrownBy(() -> EvaluatorMain.Arguments.parse(new String[] {"--config", dir.resolve("x").toString()}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--config " + dir.resolve("x") + ": no such readable file");
    assertThatThrownBy(() -> EvaluatorMain.Arguments.parse(new String[] {"--verbose"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown argument '--verbose'; expected --config FILE, --set key=value or --help");
  }
}
