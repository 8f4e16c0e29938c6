package org.streamdistill.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.deploy.bench.TeacherOptionsReport.Option;
import org.streamdistill.deploy.bench.TeacherOptionsReport.Student;

/** The section's figures against values worked out by hand from a made-up report (nothing here was measured). */
class TeacherOptionsMarkdownTest {

  private static TeacherOptionsReport report() {
    return report("");
  }

  private static TeacherOptionsReport report(String fallback) {
    Option minilm = new Option("minilm", "minilm-l6-head-1", "minilm-l6", 0.9502, new double[] {200, 100, 150},
        1_234_567, List.of(new Student(42, 0.93, 15_100, 15_100, 10), new Student(43, 0.94, 15_100, 15_100, 10)),
        List.of(new Student(42, 0.92, 15_100, 3_020, 20), new Student(43, 0.93, 15_100, 4_530, 30)), 0, 0);
    Option ensemble = new Option("ensemble", "ensemble-9", "ensemble: minilm-l6 0.10, bge-small-q 0.90", 0.9624,
        new double[] {40, 25, 30}, 1_234_567,
        List.of(new Student(42, 0.95, 15_100, 15_100, 10), new Student(43, 0.946, 15_100, 15_100, 10)),
        List.of(new Student(42, 0.94, 15_100, 3_020, 20), new Student(43, 0.936, 15_100, 6_040, 30)), 26, 146);
    return new TeacherOptionsReport("2026-12-04T02:00:00Z", "bin/streamdistill bench teachers", "full",
        BenchReports.MACHINE, 600, 15_100, 1, 4_500, "test", 0.1, "`budget`, 35 % of each batch's turns", List.of(42L, 43L), 480,
        java.util.Map.of(), java.util.Map.of("trainer.replay.batches", "12"), List.of("ensemble training"),
        1, List.of(minilm, ensemble), fallback, 0);
  }

  @Test
  void shouldCompareEachStudentWithTheBaselineStudentOnEveryTurnPairedBySeed() {
    String verdicts = TeacherOptionsMarkdown.verdicts(report());

    // baseline all: mean 0.935. minilm gated: 0.92 - 0.93, 0.93 - 0.94 -> -0.01 each; calls (0.2 + 0.3) / 2
    // identical differences: the interval is the point, p 0
    // teacher time: 0.25 of the turns at the baseline's own median rate
    assertThat(verdicts).contains("- minilm, gated (25.0 % of the turns scored; teacher time x 0.25 of minilm's on "
        + "every turn, at the median rates): 0.9250 against 0.9350, -0.0100 "
        + "(0.989 of it); higher on 0 of 2 seeds; 95 % interval of the mean -0.0100 to -0.0100, below 0 (paired t "
        + "test, p = 0.000) (per seed: -0.0100, -0.0100)");
    // ensemble gated: 0.94 - 0.93 = +0.01, 0.936 - 0.94 = -0.004 -> mean +0.003; calls (0.2 + 0.4) / 2
    // sd of (0.01, -0.004) is 0.014 / sqrt 2, standard error 0.007; t quantile (1 degree of freedom) 12.706205:
    // half width 0.088943; t = 0.003 / 0.007 = 0.428571, p = 1 - 2 atan(0.428571) / pi = 0.742
    // teacher time: 0.30 of the turns at a fifth of the baseline's median rate (30 against 150): 1.50
    assertThat(verdicts).contains("- ensemble, gated (30.0 % of the turns scored; teacher time x 1.50 of minilm's on "
        + "every turn, at the median rates): 0.9380 against 0.9350, +0.0030 "
        + "(1.003 of it); higher on 1 of 2 seeds; 95 % interval of the mean -0.0859 to +0.0919, includes 0 (paired "
        + "t test, p = 0.742) (per seed: +0.0100, -0.0040)");
    assertThat(verdicts).contains("- ensemble, every turn scored: 0.9480 against 0.9350, +0.0130 (1.014 of it); "
        + "higher on 2 of 2 seeds; 95 % interval of the mean");
    assertThat(verdicts).doesNotContain("minilm, every turn scored");
  }

  @Test
  void shouldChargeAnEscalatingTeacherItsBaseOnEveryCallAndItsStrongTeacherOnTheCallsThatEscalated() {
    TeacherOptionsReport r = report();
    // minilm 150 turns/s (median), ensemble 30: minilm>ensemble's students. Seed 42 on every turn: 15,100
    // calls of which 1,510 escalated; seed 43: 3,020. Gated: 7,550 calls, 1,510 escalated, both seeds.
    Option escalating = new Option("minilm>ensemble", "minilm-l6-head-1>ensemble-9", "minilm-l6, escalated", 0.955,
        new double[] {100, 60, 80}, 1_234_567,
        List.of(new Student(42, 0.945, 15_100, 15_100, 10, 1_510), new Student(43, 0.941, 15_100, 15_100, 10, 3_020)),
        List.of(new Student(42, 0.94, 15_100, 7_550, 20, 1_510), new Student(43, 0.94, 15_100, 7_550, 20, 1_510)), 20,
        90, new TeacherOptionsConfig.Escalate("minilm", "ensemble", 0.9));
    TeacherOptionsReport with = new TeacherOptionsReport(r.date(), r.command(), r.mode(), r.machine(),
        r.wallSeconds(), r.trainUtterances(), r.passes(), r.testTurns(), r.heldOut(), r.goldFraction(), r.gate(),
        r.seeds(), r.costTurns(), r.trainer(), r.gatedTrainer(), r.outputsRead(), 1,
        List.of(r.options().get(0), r.options().get(1), escalating), "", 0);

    String verdicts = TeacherOptionsMarkdown.verdicts(with);

    // every turn: (1 + 0.1 x 150 / 30) = 1.5 and (1 + 0.2 x 5) = 2.0, mean 1.75 (not its own median rate's 1.875)
    assertThat(verdicts).contains("- minilm>ensemble, every turn scored (teacher time x 1.75 of minilm's on every "
        + "turn, at the median rates): 0.9430 against 0.9350");
    // gated: 0.5 + 0.1 x 5 = 1.00
    assertThat(verdicts).contains("- minilm>ensemble, gated (50.0 % of the turns scored; teacher time x 1.00 of "
        + "minilm's on every turn, at the median rates)");
  }

  @Test
  void shouldLeaveOutTheStudentsNotTrainedAndSaySoInTheTable() {
    TeacherOptionsReport full = report();
    Option minilm = full.options().get(0);
    Option ensemble = full.options().get(1);
    TeacherOptionsReport two = new TeacherOptionsReport(full.date(), full.command(), full.mode(), full.machine(),
        full.wallSeconds(), full.trainUtterances(), full.passes(), full.testTurns(), full.heldOut(),
        full.goldFraction(), full.gate(), full.seeds(), full.costTurns(), full.trainer(), full.gatedTrainer(),
        full.outputsRead(), 2, List.of(
            new Option(minilm.name(), minilm.version(), minilm.kind(), minilm.testAccuracy(), minilm.turnsPerSecond(),
                minilm.studentParameters(), minilm.all(), List.of(), 0, 0),
            new Option(ensemble.name(), ensemble.version(), ensemble.kind(), ensemble.testAccuracy(),
                ensemble.turnsPerSecond(), ensemble.studentParameters(), List.of(), ensemble.gated(), 26, 146),
            new Option("int8", "minilm-l6-q-head-1", "minilm-l6-q", 0.95, new double[] {300, 150, 225}, 0, List.of(),
                List.of(), 3, 45)), "", 0.5);

    String section = TeacherOptionsMarkdown.render(two);

    assertThat(section).contains("| minilm | 1,234,567 | 0.9350 | 0.9300, 0.9400 | not trained | - | not trained "
        + "| 10 / - |");
    assertThat(section).contains("| ensemble | 1,234,567 | not trained | - | 0.9380 | 0.9400, 0.9360 | 30.0 % "
        + "| - / 25 |");
    assertThat(section).contains("The students were trained 2 at a time, so these times include their contention");
    assertThat(section).contains("- Turns: 15,100 CLINC150 training utterances (those at or above 0.5 of the split by "
        + "text hash, `--bench.teachers.stream-from`: no head fitted with `fit --fit.train-share 0.5` saw them) x 1 "
        + "pass(es)", "The training turns here are the part of the split at or above 0.5 by text hash");
    assertThat(TeacherOptionsMarkdown.render(full)).contains("- Turns: 15,100 CLINC150 training utterances x 1 pass(es)",
        "The training turns are the split `fit` fitted every teacher's head on, so teachers differ there far less "
            + "than on turns they never saw.\n");
    // a teacher with no student named: no weights figure it did not measure
    assertThat(section).contains("| int8 | - | not trained | - | not trained | - | not trained | - / - |");
    String verdicts = TeacherOptionsMarkdown.verdicts(two);
    assertThat(verdicts).startsWith("- ensemble, gated (30.0 % of the turns scored; teacher time x 1.50 of minilm's on "
        + "every turn, at the median rates): 0.9380 against 0.9350");
    assertThat(verdicts.lines()).hasSize(1);
  }

  @Test
  void shouldCountTheFallbackTeachersTimeOnTheTurnsTheGateSkippedInACascade() {
    String verdicts = TeacherOptionsMarkdown.verdicts(report("minilm"));

    // ensemble on 0.30 of the turns at 30/s, minilm on the other 0.70 at its own 150/s: 0.30 x 5 + 0.70 x 1
    assertThat(verdicts).contains("- ensemble, gated (30.0 % of the turns scored, the rest by minilm; teacher time "
        + "x 2.20 of minilm's on every turn, at the median rates): 0.9380 against 0.9350");
    assertThat(TeacherOptionsMarkdown.render(report("minilm"))).contains("| 0.9380 | 0.9400, 0.9360 | 30.0 %, the "
        + "rest by minilm | 10 / 25 (x 2.50) |");
  }

  @Test
  void shouldTabulateRatesAsMediansAndPerRoundRatiosAgainstTheBaseline() {
    String section = TeacherOptionsMarkdown.render(report());

    // medians 150 and 30: x 0.20; per round 40/200, 25/100, 30/150; top labels: 26 of 15,100 and 146 of 4,500
    assertThat(section).contains("| ensemble | ensemble: minilm-l6 0.10, bge-small-q 0.90, `ensemble-9` | 0.9624 "
        + "| 30.0 | 0.20 | 40.0 (x 0.20), 25.0 (x 0.25), 30.0 (x 0.20) | 26 (0.17 %) / 146 (3.24 %) |\n");
    assertThat(section).contains("| minilm | minilm-l6, `minilm-l6-head-1` | 0.9502 | 150.0 | 1.00 | 200.0 (x 1.00), "
        + "100.0 (x 1.00), 150.0 (x 1.00) | - |\n");
    assertThat(section).contains("Top label not minilm's: on how many turns a teacher's most probable label differs "
        + "from the baseline teacher's.");
    // training time: every turn 10 s per seed, gated 20 and 30 s: 25 / 10
    assertThat(section).contains("| ensemble | 1,234,567 | 0.9480 | 0.9500, 0.9460 | 0.9380 | 0.9400, 0.9360 "
        + "| 30.0 % | 10 / 25 (x 2.50) |");
    assertThat(section).contains("- Trainer settings besides the defaults: every student none; gated students "
        + "{trainer.replay.batches=12}\n");
    assertThat(section).contains("gate: `budget`, 35 % of each batch's turns, consulting the learning student\n");
    assertThat(section).contains("- Teacher outputs read from the scores cache (stored by an earlier run of the same "
        + "bundle versions on the same turns): ensemble training\n");
    assertThat(section).contains("| teacher | what it is | in-scope test accuracy | turns/s (median) | x minilm "
        + "(median) | per round | top label not minilm's: training / test turns |\n|---|---|---:|---:|---:|---|---:|\n", "accuracy on the same 4,500 held-out in-scope test turns for every teacher");
    assertThat(section).startsWith("## Teacher options and the students they yield 2026-12-04T02:00:00Z (full)\n");
    assertThat(section).doesNotContain("at a time");
  }

  @Test
  void shouldAppendOneSectionAfterWhatTheFileHolds(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("BENCHMARKS.md");
    Files.writeString(file, "# Benchmarks\n\n## Earlier\n\nkept\n");

    TeacherOptionsMarkdown.append(report(), file);

    assertThat(Files.readString(file)).startsWith("# Benchmarks\n\n## Earlier\n\nkept\n\n## Teacher options and "
        + "the students they yield ");
  }
}
