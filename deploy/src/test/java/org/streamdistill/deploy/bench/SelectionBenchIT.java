package org.streamdistill.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.teacher.SmallTeacherBundle;

/**
 * {@code bench selection --quick}, shrunk further and seeded, from end to end: real teacher
 * outputs, three learning curves, the peak under all and budget on the embedded platform, and the
 * section appended to the Markdown file. Asserts what the figures must be by construction
 * (counts, shares, structure), never a timing or an accuracy.
 */
class SelectionBenchIT {

  @Test
  void shouldMeasureEveryPolicyOnTheSameTurnsAndAppendOneSection(@TempDir Path dir) throws Exception {
    // Given a small real teacher and a BENCHMARKS.md that already holds a section
    Path data = SmallTeacherBundle.clinc150Path();
    Path bundle = dir.resolve("bundle");
    SmallTeacherBundle.fitAndSave(Clinc150.read(data), data, 2, bundle);
    Path markdown = dir.resolve("BENCHMARKS.md");
    Files.writeString(markdown, "# Benchmarks\n\n## Someone else's section\n\nkept\n");

    // When bench selection runs with tiny sizes
    SelectionBenchConfig config = SelectionBenchConfig.parse(List.of("--quick", "--data", data.toString(),
        "--teacher-bundle", bundle.toString(), "--work-dir", dir.resolve("work").toString(), "--markdown",
        markdown.toString(), "--bench.selection.train-turns", "640", "--bench.selection.passes", "2",
        "--bench.selection.test-turns", "100", "--bench.selection.eval-every", "320",
        "--bench.selection.uniform.rate", "0.25", "--bench.selection.audit.share", "0.1",
        "--bench.selection.peak.seconds", "4", "--bench.selection.peak.drain-seconds", "2",
        "--bench.selection.peak.fallback-fraction", "0.2"), Map.of());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SelectionBenchReport report = new SelectionBenchCommand(config, "bin/streamdistill bench selection --quick",
        new PrintStream(out, true, StandardCharsets.UTF_8)).execute(System.err);

    // Then every policy saw the same 1,280 turns; all sent each to the teacher, the others fewer
    assertThat(report.curves()).extracting(LearningCurve.Curve::policy).containsExactly("all",
        "uniform (rate 0.25, audit 0.1)", "uncertainty (top probability < 0.7, audit 0.1)");
    assertThat(report.curves()).allSatisfy(c -> assertThat(c.last().turns()).isEqualTo(1_280));
    assertThat(report.curves().get(0).last().calls()).isEqualTo(1_280);
    // (uniform: 0.1 + 0.9 x 0.25 = 0.325 of the turns, drawn per turn id)
    assertThat(report.curves().get(1).last().calls() / 1_280.0).isBetween(0.25, 0.40);
    assertThat(report.curves().get(2).last().calls()).isBetween(1L, 1_280L);
    // measured at the start, every 320 turns and at the end, with calls never decreasing
    assertThat(report.curves()).allSatisfy(c -> {
      assertThat(c.points()).extracting(LearningCurve.Point::turns).containsExactly(0L, 320L, 640L, 960L, 1_280L);
      assertThat(c.points()).extracting(LearningCurve.Point::calls).isSorted();
      assertThat(c.points()).allSatisfy(p -> assertThat(p.accuracy()).isBetween(0.0, 1.0));
    });
    assertThat(report.commonCalls()).isEqualTo(report.curves().stream().mapToLong(c -> c.last().calls()).min()
        .orElseThrow());
    // And the peak ran under both policies and under budget with a fallback teacher, sampled every
    // second for its 6 s, offering 3x the teacher
    assertThat(report.peaks()).extracting(PeakLag.Run::policy).containsExactly("all", "budget", "budget+fallback");
    assertThat(report.peaks()).allSatisfy(run -> {
      assertThat(run.samples()).hasSize(6);
      assertThat(run.offeredPerSecond()).isEqualTo(3 * report.teacherPerSecond());
      assertThat(run.offered()).isPositive();
      // (counted from the job's own counters: never more than was offered)
      assertThat(run.gate().teacherTurns() + run.gate().skipped()).isBetween(1L, run.offered());
    });
    assertThat(report.peaks().get(0).gate().skipped()).isZero();
    assertThat(report.budget()).isEqualTo(0.7 * report.teacherPerSecond());
    assertThat(report.fallbackCap()).isEqualTo(0.2 * report.teacherPerSecond());
    // And one section was appended after the existing one
    String written = Files.readString(markdown);
    assertThat(written).startsWith("# Benchmarks\n\n## Someone else's section\n\nkept\n\n## Selection before the teacher ");
    assertThat(written).contains("### Learning curve", "### Peak", "| budget |", "| all |", "| budget+fallback |",
        "Policy budget+fallback: the same budget",
        "teacher scored (batches)", "the job's default lag bound");
  }
}
