package org.streamdistill.evaluator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.evaluator.EvaluatorConfig;

class EvaluatorMainTest {

  @TempDir
  Path dir;

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);

  @Test
  void shouldTakeTheSameFlagsAsEveryOtherCommand() throws IOException {
    Path file = Files.writeString(dir.resolve("e.properties"), "evaluator.promotion.min-paired=300\n");

    EvaluatorConfig config = EvaluatorMain.parse(new String[] {"--config", file.toString(),
        "--bootstrap-servers", "kafka:9092", "--topic.namespace", "exp1", "--evaluator.promotion.min-paired", "50",
        "--evaluator.streams.replication.factor=3"}, errStream);

    assertThat(config.bootstrapServers()).isEqualTo("kafka:9092");
    assertThat(config.topicNamespace()).isEqualTo("exp1");
    assertThat(config.promotionSettings().minPaired()).isEqualTo(50);
    assertThat(config.streamsOverrides()).containsEntry("replication.factor", "3");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void shouldStillTakeTheOldKeysAndSetFlagsWithAWarningNamingTheNewForm() {
    EvaluatorConfig config = EvaluatorMain.parse(new String[] {"--set", "evaluator.bootstrap.servers=kafka:9092",
        "--evaluator.topic.namespace", "exp1"}, errStream);

    assertThat(config.bootstrapServers()).isEqualTo("kafka:9092");
    assertThat(config.topicNamespace()).isEqualTo("exp1");
    assertThat(err.toString(StandardCharsets.UTF_8).lines()).containsExactlyInAnyOrder(
        "evaluator: warning: --set is deprecated and will be removed in the next release: use "
            + "--evaluator.bootstrap.servers kafka:9092",
        "evaluator: warning: setting 'evaluator.bootstrap.servers' is deprecated and will be removed in the next "
            + "release: use 'bootstrap.servers'",
        "evaluator: warning: setting 'evaluator.topic.namespace' is deprecated and will be removed in the next "
            + "release: use 'topic.namespace'");
  }

  @Test
  void shouldExplainMalformedArguments() {
    assertThatThrownBy(() -> EvaluatorMain.parse(new String[] {"--set", "no-equals-sign"}, errStream))
        .isInstanceOf(ConfigException.class).hasMessage("--set expects key=value, got 'no-equals-sign'");
    assertThatThrownBy(() -> EvaluatorMain.parse(new String[] {"--verbose", "yes"}, errStream))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("unknown setting 'verbose'");
    assertThatThrownBy(() -> EvaluatorMain.parse(new String[] {"stray"}, errStream))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unexpected argument 'stray': settings are given as --key value");
  }

  @Test
  void shouldPrintReadableHelpWithTypesDefaultsAndValidValues() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    EvaluatorMain.printUsage(new PrintStream(out, true, StandardCharsets.UTF_8));

    String help = out.toString(StandardCharsets.UTF_8);
    assertThat(help).contains("--bootstrap.servers (--bootstrap-servers)  [string, default 127.0.0.1:9092, valid: "
        + "not empty]").contains("--evaluator.promotion.alpha  [double, default 0.01, valid: > 0 and < 1]")
        .doesNotContain("Lambda").doesNotContain("$$");
  }
}
