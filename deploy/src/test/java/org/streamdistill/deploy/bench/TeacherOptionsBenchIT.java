package org.streamdistill.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.teacher.SmallTeacherBundle;
import org.streamdistill.teacher.model.EnsembleBundle;
import org.streamdistill.teacher.model.TeacherBundle;

/**
 * {@code bench teachers --quick}, shrunk further and seeded, from end to end with real teachers: a
 * small single MiniLM bundle and an ensemble of two of them. Asserts what must hold by
 * construction (counts, shares, shapes, the structure of the section), never a timing or an
 * accuracy; and that {@code bench} itself refuses the ensemble with a pointer here.
 */
class TeacherOptionsBenchIT {

  @Test
  void shouldScoreEveryTeacherOnTheSameTurnsAndTrainEqualStudentsFromEach(@TempDir Path dir) throws Exception {
    // Given a small single teacher, and an ensemble of it with another small teacher, weighted 1:3
    Path data = SmallTeacherBundle.clinc150Path();
    Clinc150 clinc = Clinc150.read(data);
    TeacherBundle two = SmallTeacherBundle.fitAndSave(clinc, data, 2, dir.resolve("single"));
    TeacherBundle three = SmallTeacherBundle.fitAndSave(clinc, data, 3, dir.resolve("three"));
    Path ensemble = dir.resolve("ensemble");
    EnsembleBundle.create(List.of(two, three), new double[] {1, 3}, 1.0, two.temperature(), three.fit(),
        Instant.parse("2026-01-01T00:00:00Z")).save(ensemble);
    Path markdown = dir.resolve("BENCHMARKS.md");
    Files.writeString(markdown, "# Benchmarks\n\n## Someone else's section\n\nkept\n");

    // When bench teachers runs with tiny sizes and two seeds
    TeacherOptionsConfig config = TeacherOptionsConfig.parse(List.of("--quick", "--data", data.toString(),
        "--bundles", "small=" + dir.resolve("single") + ",ens=" + ensemble, "--markdown", markdown.toString(),
        "--bench.teachers.train-turns", "480", "--bench.teachers.test-turns", "64", "--bench.teachers.seeds", "2",
        "--bench.teachers.cost-turns", "64", "--bench.teachers.cost-rounds", "2",
        "--bench.teachers.audit.share", "0.1", "--bench.teachers.gate", "budget", "--bench.teachers.budget.share",
        "0.25", "--scores-cache", dir.resolve("cache").toString()), Map.of());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TeacherOptionsReport report = new TeacherOptionsCommand(config, "bin/streamdistill bench teachers --quick",
        new PrintStream(out, true, StandardCharsets.UTF_8)).execute();

    // Then both teachers are there, baseline first, each timed once per round
    assertThat(report.options()).extracting(TeacherOptionsReport.Option::name).containsExactly("small", "ens");
    assertThat(report.options().get(0).kind()).isEqualTo("minilm-l6");
    assertThat(report.options().get(1).kind()).isEqualTo("ensemble: minilm-l6 0.25, minilm-l6 0.75");
    assertThat(report.options()).allSatisfy(o -> {
      assertThat(o.turnsPerSecond()).hasSize(2);
      assertThat(java.util.Arrays.stream(o.turnsPerSecond()).min().orElseThrow()).isPositive();
      assertThat(o.testAccuracy()).isBetween(0.0, 1.0);
      // and one student per seed, in seed order, on every turn; the gated ones on fewer or as many
      assertThat(o.all()).extracting(TeacherOptionsReport.Student::seed).containsExactly(42L, 43L);
      assertThat(o.gated()).extracting(TeacherOptionsReport.Student::seed).containsExactly(42L, 43L);
      assertThat(o.all()).allSatisfy(s -> {
        assertThat(s.calls()).isEqualTo(480).isEqualTo(s.turns());
        assertThat(s.seconds()).isPositive();
      });
      assertThat(o.gated()).allSatisfy(s -> {
        assertThat(s.turns()).isEqualTo(480);
        assertThat(s.seconds()).isPositive();
        // 8 of each of the 15 batches of 32 (a quarter), and the audit's draws from the other 360: 36 expected
        assertThat(s.calls()).isBetween(120L + 10, 120L + 72);
      });
    });
    // and every student has the trainer's default shape, so they serve at the same cost
    assertThat(report.options().get(0).studentParameters()).isPositive()
        .isEqualTo(report.options().get(1).studentParameters());
    assertThat(report.seeds()).containsExactly(42L, 43L);
    assertThat(report.testTurns()).isEqualTo(64);
    // And the section follows the existing one, with both teachers and the comparisons
    String written = Files.readString(markdown);
    assertThat(written).startsWith("# Benchmarks\n\n## Someone else's section\n\nkept\n\n## Teacher options and the "
        + "students they yield ");
    assertThat(written).contains("### Teachers", "| small | minilm-l6, ", "| ens | ensemble: ",
        "| top label not small's: training / test turns |",
        "- ens, gated (", "- ens, every turn scored: ", "- small, gated (", "seeds; 95 % interval of the mean ");
    // and each teacher's outputs, training and test, are stored for the next run
    try (var files = Files.list(dir.resolve("cache"))) {
      assertThat(files.map(f -> f.getFileName().toString())).hasSize(4).allMatch(f -> f.endsWith(".scores"));
    }
    assertThat(report.outputsRead()).isEmpty();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("[teachers 3] students: 2 seed(s) x [small:all, "
        + "small:gated, ens:all, ens:gated] (gate `budget`, 25 % of each batch's turns, the most uncertain first, "
        + "audit share 0.1 of the rest)");

    // And a second run that names two students trains only those, from the stored outputs, both at once
    TeacherOptionsConfig named = TeacherOptionsConfig.parse(List.of("--quick", "--data", data.toString(),
        "--bundles", "small=" + dir.resolve("single") + ",ens=" + ensemble, "--bench.teachers.students",
        "small:all,ens:gated", "--bench.teachers.train-turns", "480", "--bench.teachers.test-turns", "64",
        "--bench.teachers.seeds", "1", "--bench.teachers.threads", "2", "--bench.teachers.cost-turns", "64", "--bench.teachers.audit.share", "0.1",
        "--bench.teachers.gate", "budget", "--bench.teachers.budget.share", "0.25", "--scores-cache",
        dir.resolve("cache").toString(), "--markdown", dir.resolve("pair.md").toString()), Map.of());
    TeacherOptionsReport pair = new TeacherOptionsCommand(named, "bin/streamdistill bench teachers --quick",
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).execute();
    assertThat(pair.outputsRead()).hasSize(4);
    assertThat(pair.options().get(0).gated()).isEmpty();
    assertThat(pair.options().get(1).all()).isEmpty();
    // seed 42 sees the same turns and draws as in the first run: the students named are the first run's, bit for
    // bit, though they learned side by side
    assertThat(pair.options().get(0).all()).singleElement()
        .isEqualTo(withSeconds(report.options().get(0).all().get(0), pair.options().get(0).all().get(0).seconds()));
    assertThat(pair.options().get(1).gated()).singleElement()
        .isEqualTo(withSeconds(report.options().get(1).gated().get(0), pair.options().get(1).gated().get(0).seconds()));
    assertThat(TeacherOptionsMarkdown.verdicts(pair)).startsWith("- ens, gated (").contains("one seed: no interval")
        .doesNotContain("every turn scored", "- small, gated");
    assertThat(Files.readString(dir.resolve("pair.md"))).contains("| small | ", "| not trained | - | not trained |",
        "The students were trained 2 at a time");

    // And a cascade: the small teacher scores what the gate keeps from the ensemble, so its student learns another
    // way from the same ensemble calls budget, and its verdict says who scored the rest
    TeacherOptionsConfig cascade = TeacherOptionsConfig.parse(List.of("--quick", "--data", data.toString(),
        "--bundles", "small=" + dir.resolve("single") + ",ens=" + ensemble, "--bench.teachers.students",
        "small:all,ens:gated", "--bench.teachers.gated.fallback", "small", "--bench.teachers.train-turns", "480",
        "--bench.teachers.test-turns", "64", "--bench.teachers.seeds", "1", "--bench.teachers.cost-turns", "64",
        "--bench.teachers.audit.share", "0.1", "--bench.teachers.gate", "budget", "--bench.teachers.budget.share",
        "0.25", "--scores-cache", dir.resolve("cache").toString(), "--markdown", dir.resolve("cascade.md").toString()),
        Map.of());
    TeacherOptionsReport cascaded = new TeacherOptionsCommand(cascade, "bin/streamdistill bench teachers --quick",
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).execute();
    assertThat(cascaded.outputsRead()).hasSize(4);
    assertThat(cascaded.options().get(1).gated()).singleElement().satisfies(s -> {
      assertThat(s.turns()).isEqualTo(480);
      assertThat(s.calls()).isBetween(120L + 10, 120L + 72);
    });
    assertThat(TeacherOptionsMarkdown.verdicts(cascaded)).startsWith("- ens, gated (").contains(" of the turns "
        + "scored, the rest by small; teacher time x ");
    assertThat(Files.readString(dir.resolve("cascade.md"))).contains("the turns it skips scored by small (a cascade)",
        " %, the rest by small | ");

    // And bench itself refuses the ensemble bundle and says where to compare it
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = BenchCommand.run(List.of("--quick", "--teacher-bundle", ensemble.toString()), System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("is an ensemble teacher bundle",
        "bin/streamdistill bench teachers --bundles");
  }

  private static TeacherOptionsReport.Student withSeconds(TeacherOptionsReport.Student s, double seconds) {
    return new TeacherOptionsReport.Student(s.seed(), s.accuracy(), s.turns(), s.calls(), seconds);
  }

  @Test
  void shouldSayWhichTeacherHasNoBundleBeforeScoringAnything(@TempDir Path dir) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code = TeacherOptionsCommand.run(List.of("--quick", "--data", SmallTeacherBundle.clinc150Path().toString(),
        "--bundles", "gone=" + dir.resolve("nothing")), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("teacher gone: no bundle at " + dir.resolve("nothing"),
        "bin/streamdistill fit --out");
  }
}
