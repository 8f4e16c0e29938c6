package org.streamdistill.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TeacherOptionsConfigTest {

  @Test
  void shouldKeepTheBundlesInTheOrderGivenWithTheFirstAsBaseline() {
    TeacherOptionsConfig config = TeacherOptionsConfig.parse(List.of("--bundles",
        "minilm=target/teacher-bundle, ensemble = /tmp/ens3,int8=b/q"), Map.of());

    assertThat(config.bundles()).containsExactly(Map.entry("minilm", Path.of("target/teacher-bundle")),
        Map.entry("ensemble", Path.of("/tmp/ens3")), Map.entry("int8", Path.of("b/q")));
  }

  @Test
  void shouldCompareTheBenchTeacherAloneWhenNoBundleIsListed() {
    TeacherOptionsConfig config = TeacherOptionsConfig.parse(List.of("--teacher-bundle", "x/y"), Map.of());

    assertThat(config.bundles()).containsExactly(Map.entry("teacher", Path.of("x/y")));
    assertThat(config.seeds()).isEqualTo(3);
    assertThat(config.passes()).isEqualTo(1);
    assertThat(config.trainTurns()).isZero();
  }

  @Test
  void shouldShrinkOnlyTheSizesNotGivenUnderQuick() {
    TeacherOptionsConfig config = TeacherOptionsConfig.parse(List.of("--quick", "--bench.teachers.seeds", "2"),
        Map.of());

    assertThat(config.quick()).isTrue();
    assertThat(config.seeds()).isEqualTo(2);
    assertThat(config.trainTurns()).isEqualTo(1500);
    assertThat(config.testTurns()).isEqualTo(300);
    assertThat(config.costRounds()).isEqualTo(1);
  }

  @Test
  void shouldRefuseABundleEntryWithoutANameOrADirectory() {
    assertThatThrownBy(() -> TeacherOptionsConfig.parse(List.of("--bundles", "target/teacher-bundle"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bench.teachers.bundles")
        .hasMessageContaining("NAME=DIR");
    assertThatThrownBy(() -> TeacherOptionsConfig.parse(List.of("--bundles", "a="), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("NAME=DIR");
  }

  @Test
  void shouldLayTheGatedStudentsTrainerSettingsOverEveryStudents() {
    TeacherOptionsConfig config = TeacherOptionsConfig.parse(List.of("--bench.teachers.trainer",
        "trainer.replay.batches=2,trainer.learning-rate=0.003", "--bench.teachers.gated.trainer",
        "trainer.replay.batches=8"), Map.of());

    assertThat(config.trainer()).containsExactly(Map.entry("trainer.replay.batches", "2"),
        Map.entry("trainer.learning-rate", "0.003"));
    assertThat(config.gatedTrainer()).containsOnly(Map.entry("trainer.replay.batches", "8"),
        Map.entry("trainer.learning-rate", "0.003"));
    assertThatThrownBy(() -> TeacherOptionsConfig.parse(List.of("--bench.teachers.trainer", "replay=8"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("trainer.KEY=VALUE");
  }

  @Test
  void shouldDescribeEitherGateWithItsOwnSettings() {
    TeacherOptionsConfig uncertainty = TeacherOptionsConfig.parse(List.of(), Map.of());
    TeacherOptionsConfig budget = TeacherOptionsConfig.parse(List.of("--bench.teachers.gate", "budget",
        "--bench.teachers.budget.share", "0.375", "--bench.teachers.audit.share", "0.02"), Map.of());

    assertThat(uncertainty.gate()).isEqualTo("uncertainty");
    assertThat(uncertainty.gateDescription()).isEqualTo("`uncertainty`, top probability < 0.7, audit share 0.05");
    assertThat(budget.gateDescription()).isEqualTo("`budget`, 37.5 % of each batch's turns, the most uncertain "
        + "first, audit share 0.02 of the rest");
    assertThatThrownBy(() -> TeacherOptionsConfig.parse(List.of("--bench.teachers.gate", "random"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bench.teachers.gate");
    assertThatThrownBy(() -> TeacherOptionsConfig.parse(List.of("--bench.teachers.budget.share", "0"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bench.teachers.budget.share");
  }

  @Test
  void shouldMeasureOnTestUnlessValIsAskedForToChooseSettings() {
    assertThat(TeacherOptionsConfig.parse(List.of(), Map.of()).heldOut()).isEqualTo("test");
    assertThat(TeacherOptionsConfig.parse(List.of("--bench.teachers.held-out", "val"), Map.of()).heldOut())
        .isEqualTo("val");
    assertThatThrownBy(() -> TeacherOptionsConfig.parse(List.of("--bench.teachers.held-out", "train"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bench.teachers.held-out");
  }

  @Test
  void shouldRefuseANameGivenTwice() {
    assertThatThrownBy(() -> TeacherOptionsConfig.parse(List.of("--bundles", "a=x,a=y"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("the name a is given twice");
  }

  @Test
  void shouldTrainEveryTeachersTwoStudentsUnlessSomeAreNamed() {
    List<String> bundles = List.of("--bundles", "minilm=a,ensemble=b");

    assertThat(TeacherOptionsConfig.parse(bundles, Map.of()).students())
        .containsExactly("minilm:all", "minilm:gated", "ensemble:all", "ensemble:gated");
    TeacherOptionsConfig two = TeacherOptionsConfig.parse(List.of("--bundles", "minilm=a,ensemble=b",
        "--bench.teachers.students", "ensemble:gated, minilm:all"), Map.of());
    assertThat(two.trains("minilm", "all")).isTrue();
    assertThat(two.trains("ensemble", "gated")).isTrue();
    assertThat(two.trains("minilm", "gated")).isFalse();
    assertThat(two.trains("ensemble", "all")).isFalse();
  }

  @Test
  void shouldRefuseAStudentOfNoTeacherOrPolicyAndAListWithoutTheBaselinesOwn() {
    assertThatThrownBy(() -> TeacherOptionsConfig.parse(List.of("--bundles", "minilm=a,ensemble=b",
        "--bench.teachers.students", "minilm:all,int8:gated"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bench.teachers.students")
        .hasMessageContaining("int8:gated").hasMessageContaining("NAME:all or NAME:gated");
    assertThatThrownBy(() -> TeacherOptionsConfig.parse(List.of("--bundles", "minilm=a",
        "--bench.teachers.students", "minilm:half"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("NAME:all or NAME:gated");
    assertThatThrownBy(() -> TeacherOptionsConfig.parse(List.of("--bundles", "minilm=a,ensemble=b",
        "--bench.teachers.students", "ensemble:gated"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("minilm:all")
        .hasMessageContaining("what the others are measured against");
  }

  @Test
  void shouldAddAnEscalatingTeacherOfTwoBundlesWhoseStudentsMayBeNamed() {
    TeacherOptionsConfig none = TeacherOptionsConfig.parse(List.of("--bundles", "minilm=a,ensemble=b"), Map.of());
    TeacherOptionsConfig escalating = TeacherOptionsConfig.parse(List.of("--bundles", "minilm=a,ensemble=b",
        "--bench.teachers.escalate", "minilm>ensemble", "--bench.teachers.escalate.below", "0.8",
        "--bench.teachers.students", "minilm:all,minilm>ensemble:gated"), Map.of());

    assertThat(none.escalate()).isNull();
    assertThat(escalating.escalate()).isEqualTo(new TeacherOptionsConfig.Escalate("minilm", "ensemble", 0.8));
    assertThat(escalating.escalate().name()).isEqualTo("minilm>ensemble");
    assertThat(escalating.trains("minilm>ensemble", "gated")).isTrue();
    assertThat(escalating.trains("minilm>ensemble", "all")).isFalse();
    for (String bad : List.of("minilm", "minilm>int8", "minilm>minilm", "minilm>ensemble>x", ">ensemble")) {
      assertThatThrownBy(() -> TeacherOptionsConfig.parse(List.of("--bundles", "minilm=a,ensemble=b",
          "--bench.teachers.escalate", bad), Map.of())).as(bad).isInstanceOf(ConfigException.class)
          .hasMessageContaining("bench.teachers.escalate").hasMessageContaining("BASE>STRONG");
    }
  }

  @Test
  void shouldNameTheFallbackTeacherOfACascadeAmongTheBundlesOnly() {
    TeacherOptionsConfig none = TeacherOptionsConfig.parse(List.of("--bundles", "minilm=a,ensemble=b"), Map.of());
    TeacherOptionsConfig cascade = TeacherOptionsConfig.parse(List.of("--bundles", "minilm=a,ensemble=b",
        "--bench.teachers.gate", "budget", "--bench.teachers.gated.fallback", "minilm"), Map.of());

    assertThat(none.fallback()).isEmpty();
    assertThat(none.gateDescription()).doesNotContain("cascade");
    assertThat(cascade.fallback()).isEqualTo("minilm");
    assertThat(cascade.gateDescription()).endsWith("of the rest; the turns it skips scored by minilm (a cascade)");
    assertThatThrownBy(() -> TeacherOptionsConfig.parse(List.of("--bundles", "minilm=a,ensemble=b",
        "--bench.teachers.gated.fallback", "int8"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bench.teachers.gated.fallback")
        .hasMessageContaining("[minilm, ensemble]");
  }

  @Test
  void shouldRefuseAFallbackTeacherWhoseLabelsDifferFromAGatedTeachersOnly() {
    TeacherOptionsConfig cascade = TeacherOptionsConfig.parse(List.of("--bundles", "minilm=a,ensemble=b,int8=c",
        "--bench.teachers.students", "minilm:all,ensemble:gated", "--bench.teachers.gate", "budget",
        "--bench.teachers.gated.fallback", "int8"), Map.of());
    List<String> labels = List.of("balance", "transfer", "weather");
    Map<String, List<String>> same = new LinkedHashMap<>();
    same.put("minilm", List.of("weather", "balance", "transfer"));
    same.put("ensemble", labels);
    same.put("int8", labels);
    Map<String, List<String>> reordered = new LinkedHashMap<>(same);
    reordered.put("int8", List.of("transfer", "balance", "weather"));
    Map<String, List<String>> fewer = new LinkedHashMap<>(same);
    fewer.put("int8", labels.subList(0, 2));

    cascade.checkFallbackLabels(same);
    for (Map<String, List<String>> differ : List.of(reordered, fewer)) {
      assertThatThrownBy(() -> cascade.checkFallbackLabels(differ)).isInstanceOf(ConfigException.class)
          .hasMessageContaining("bench.teachers.gated.fallback").hasMessageContaining("other labels than ensemble");
    }
    TeacherOptionsConfig.parse(List.of("--bundles", "minilm=a,ensemble=b,int8=c"), Map.of())
        .checkFallbackLabels(reordered);
  }

  @Test
  void shouldStreamEveryTrainingTurnUnlessToldToStreamFromAPartOfTheSplit() {
    assertThat(TeacherOptionsConfig.parse(List.of("--bundles", "minilm=a"), Map.of()).streamFrom()).isZero();
    assertThat(TeacherOptionsConfig.parse(List.of("--bundles", "minilm=a", "--bench.teachers.stream-from", "0.5"),
        Map.of()).streamFrom()).isEqualTo(0.5);
    assertThatThrownBy(() -> TeacherOptionsConfig.parse(List.of("--bundles", "minilm=a",
        "--bench.teachers.stream-from", "1"), Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("bench.teachers.stream-from");
  }
}
