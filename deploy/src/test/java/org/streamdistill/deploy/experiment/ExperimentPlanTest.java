package org.streamdistill.deploy.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ExperimentPlanTest {

  private static final List<String> BASE = List.of("--bootstrap-servers", "b:9092", "--registry", "http://r:8081",
      "--name", "exp1", "--from-time", "2026-12-03T10:00:00Z", "--to-time", "2026-12-03T11:00:00Z");

  @Test
  void shouldGiveEachStageItsOwnStateAndTheSettingsItsPrefixNames() {
    ExperimentConfig config = ExperimentConfig.parse(with("--set", "trainer.learning-rate=0.05",
        "--set=teacher.parallelism=2", "--set", "evaluator.promotion.min-paired=500"), Map.of());

    ExperimentPlan plan = ExperimentPlan.of(config);

    assertThat(plan.replay()).containsSubsequence("replay", "topic", "--experiment.namespace", "exp1",
        "--replay.from-time", "2026-12-03T10:00:00Z", "--replay.to-time", "2026-12-03T11:00:00Z");
    assertThat(String.join(" ", plan.teacher())).startsWith("teacher-job --bootstrap.servers b:9092")
        .contains("--topic.namespace exp1").contains("--teacher.checkpoint.dir target/experiments/exp1/teacher-checkpoints")
        .endsWith("--teacher.parallelism 2").doesNotContain("learning-rate");
    assertThat(String.join(" ", plan.trainer())).contains("--trainer.checkpoint.dir target/experiments/exp1/student-checkpoints")
        .endsWith("--trainer.learning-rate 0.05");
    assertThat(String.join(" ", plan.evaluator())).contains("--evaluator.state.dir target/experiments/exp1/evaluator-state")
        .endsWith("--evaluator.promotion.min-paired 500");
    assertThat(plan.compare()).containsSubsequence("compare", "--compare.namespaces", "production,exp1",
        "--compare.html", "target/experiments/exp1/compare-report.html");
  }

  @Test
  void shouldPrintTheCommandsInsteadOfRunningThemWhenAsked() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = ExperimentCommand.run(with("--print-only", "true", "--set", "trainer.learning-rate=0.05"), Map.of(),
        new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

    assertThat(exit).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("bin/streamdistill ")))
        .extracting(l -> l.split(" ")[1])
        .containsExactly("replay", "teacher-job", "trainer", "evaluator", "lag", "compare");
  }

  @Test
  void shouldRefuseBadSetsAndRangesWithTheReason() throws Exception {
    assertThatThrownBy(() -> ExperimentConfig.parse(with("--set", "learning-rate=0.05"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("starts with one of [teacher., trainer., evaluator.]");
    assertThatThrownBy(() -> ExperimentConfig.parse(List.of("--name", "exp1"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("--from-time");
    assertThatThrownBy(() -> ExperimentConfig.parse(List.of("--name", "Exp 1", "--from-offsets", "0"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("namespace");
    // a stage's own setting that does not exist fails before anything starts
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = ExperimentCommand.run(with("--set", "trainer.learning-rat=0.05"), Map.of(), System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("trainer.learning-rat");
  }

  private static List<String> with(String... more) {
    List<String> args = new java.util.ArrayList<>(BASE);
    args.addAll(List.of(more));
    return args;
  }
}
