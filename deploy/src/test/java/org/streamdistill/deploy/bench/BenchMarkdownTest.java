package org.streamdistill.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Markdown section's format, on a fixed report (no timing is measured here). */
class BenchMarkdownTest {

  @Test
  void shouldStartTheSectionWithDateModeCommandMachineAndTheBarsTable() {
    // Given a fixed report
    BenchReport report = BenchReports.fixed();

    // When it is rendered
    String markdown = BenchMarkdown.render(report);

    // Then the section opens with when, how and where it ran, then every bar with its verdict
    assertThat(markdown).startsWith("""
        ## Benchmark run 2026-11-29T07:00:00Z (quick)

        - Command: `bin/streamdistill bench --quick`
        - Machine: 2 processors, 24.0 GiB memory, Java 17.0.15 (OpenJDK 64-Bit Server VM), Linux 6.1.0 amd64
        - Load average (1/5/15 min): 0.50 0.40 0.30 at the start, 0.70 0.50 0.35 at the end
        - Load average (1 min) as each measurement started: raw teacher 0.50, job p1 1.25
        - Wall time: 321 s

        | bar (from the issues) | measured | target | met |
        |---|---:|---:|---|
        | in-pipeline / raw teacher throughput (issue 3) | 0.85 | >= 0.8 | yes |
        | student turns learned / teacher turns scored (issue 7) | 32.00 | >= 5.0 | yes |
        | student serving speed-up, p50 (issue 4) | 40.00 | >= 20.0 | yes |
        | made-up bar that is missed | 0.50 | >= 1.0 | **no** |

        ### 1. Teacher bound: raw ONNX Runtime against the Flink job through Kafka
        """);
  }

  @Test
  void shouldHoldTheSixSubsectionsInOrderThenTheNotes() {
    String markdown = BenchMarkdown.render(BenchReports.fixed());

    Matcher headings = Pattern.compile("(?m)^###? .*$").matcher(markdown);
    List<String> found = headings.results().map(m -> m.group()).toList();
    assertThat(found).containsExactly(
        "## Benchmark run 2026-11-29T07:00:00Z (quick)",
        "### 1. Teacher bound: raw ONNX Runtime against the Flink job through Kafka",
        "### 2. Student training against the teacher's scoring rate",
        "### 3. Serving: exported student against teacher, one turn, one thread",
        "### 4. End to end at a fixed offered load",
        "### 5. Scale: teacher parallelism and the broker's own rate",
        "### 6. Quality per cost",
        "### Notes");
    assertThat(markdown).endsWith("### Notes\n\n- a note\n\n");
  }

  @Test
  void shouldTabulateTheFiguresOfEachSection() {
    String markdown = BenchMarkdown.render(BenchReports.fixed());

    assertThat(markdown).contains("""
        | round | order | raw batch 32 turns/s | job turns/s | job scoring span turns/s | job / raw | job s | commit tail ms |
        |---:|---|---:|---:|---:|---:|---:|---:|
        | 1 | raw, job | 300.0 | 255.0 | 270.0 | 0.850 | 21.6 | 180 |
        | 2 | job, raw | 310.0 | 250.0 | 265.0 | 0.806 | 22.0 | 1,250 |
        | 3 | raw, job | 290.0 | 260.0 | 275.0 | 0.897 | 21.2 | 90 |
        | **median** | | 300.0 | 255.0 | 270.0 | **0.850** | | |

        Raw `Teacher.score` one turn per call (batch 1), measured once before the rounds: 170.0 turns/s.
        """);
    assertThat(markdown).contains("| **turns learned / teacher turns scored** | **32.00** |\n");
    assertThat(markdown).contains("""
        | model | mean ms | p50 ms | p95 ms | p99 ms | max ms |
        |---|---:|---:|---:|---:|---:|
        | teacher (MiniLM-L6 + head) | 5.000 | 5.000 | 7.000 | 9.000 | 10.000 |
        | student (exported TextCNN) | 0.125 | 0.125 | 0.200 | 0.300 | 1.300 |
        | student, ONNX Runtime call alone (prepared ids) | 0.060 | 0.060 | 0.100 | 0.200 | 1.200 |

        **Speed-up teacher / student: 40.0 at p50, 30.0 at p99.**
        """);
    assertThat(markdown).contains("in transactions it commits every 1,000 ms, so a prediction becomes visible up to "
        + "that long after `predicted_at`.\n\n| checkpoint interval");
    assertThat(markdown).contains("""
        | checkpoint interval | turns | written turns/s | latency | p50 | p95 | p99 | max |
        |---:|---:|---:|---|---:|---:|---:|---:|
        | 500 ms | 7,650 | 127.5 | scored | 60 | 120 | 200 | 201 |
        | | | | label visible | 400 | 700 | 900 | 901 |
        | | | | predicted | 410 | 710 | 910 | 911 |
        | | | | prediction visible | 420 | 720 | 920 | 921 |
        | 2,000 ms | 7,650 | 127.4 | scored | 61 | 121 | 201 | 202 |
        | | | | label visible | 1,100 | 2,000 | 2,300 | 2,301 |
        | | | | predicted | 1,110 | 2,010 | 2,310 | 2,311 |
        | | | | prediction visible | 1,120 | 2,020 | 2,320 | 2,321 |
        """);
    assertThat(markdown).contains("""
        | parallelism | threads each | raw turns/s | job turns/s (through Kafka) | job / raw |
        |---:|---:|---:|---:|---:|
        | 1 | 2 | 300.0 | 255.0 | 0.850 |
        | 2 | 1 | 320.0 | 280.0 | 0.875 |

        Rounds at parallelism 2:

        | round | order | raw turns/s | job turns/s | job scoring span turns/s | job / raw | job s | commit tail ms |
        |---:|---|---:|---:|---:|---:|---:|---:|
        | 1 | raw, job | 320.0 | 280.0 | 290.0 | 0.875 | 19.6 | 300 |
        """);
    assertThat(markdown).contains("""
        | records | mean value bytes | produced/s | consumed/s |
        |---|---:|---:|---:|
        | turns (`dialogue.turns`) | 133 | 60,000 | 140,000 |
        | soft labels (`teacher.soft-labels`, non-transactional here) | 780 | 20,000 | 120,000 |
        """);
    assertThat(markdown).contains("""
        | teacher | this run, online | 0.9500 (4,500) | 1.000 | 5.000 | 1.0x | 22,624,023 | 90,623,667 |
        | student | this run, online | 0.8550 (4,500) | 0.900 | 0.125 | 40.0x | 2,031,895 | 8,132,177 |
        | TextCNN, trained offline on every gold label | published reference (issue 7) | 0.9440 |  |  |  |  |  |
        """);
  }

  @Test
  void shouldSayASectionWasNotMeasuredAndPrintMissingFiguresAsNotAvailable() {
    BenchReport full = BenchReports.fixed();
    BenchReport partial = new BenchReport(full.date(), full.command(), full.mode(), full.machine(),
        full.loadAverageAt(), full.wallSeconds(),
        full.teacherBound(), full.studentTraining(), null, null, null, null,
        List.of(BenchReport.Bar.atLeast("ratio", Double.NaN, 0.8)), List.of("serving latency failed: boom"));

    String markdown = BenchMarkdown.render(partial);

    assertThat(markdown).contains("| ratio | n/a | >= 0.8 | **no** |\n");
    assertThat(markdown).contains("### 3. Serving: exported student against teacher, one turn, one thread\n\n"
        + "Not measured (see the notes).\n\n### 4. End to end");
    assertThat(markdown).contains("- serving latency failed: boom\n");
  }

  @Test
  void shouldMarkABarWhoseMeasurementsDisagreeAsUnreliable() {
    BenchReport full = BenchReports.fixed();
    BenchReport flagged = new BenchReport(full.date(), full.command(), full.mode(), full.machine(),
        full.loadAverageAt(), full.wallSeconds(), full.teacherBound(), full.studentTraining(), full.serving(),
        full.endToEnd(), full.scale(), full.quality(),
        List.of(BenchReport.Bar.atLeast("ratio", 1.27, 0.8).withCaveat("the rounds disagree")), full.notes());

    assertThat(BenchMarkdown.render(flagged)).contains("| ratio | 1.27 | >= 0.8 | yes, **unreliable**: the rounds "
        + "disagree |\n");
  }

  @Test
  void shouldFlagAMachineSharedWithOtherWork() {
    BenchReport quiet = BenchReports.fixed();
    BenchReport loaded = new BenchReport(quiet.date(), quiet.command(), quiet.mode(),
        new Machine(2, 1L << 34, "17", "vm", "Linux", "5.50 5.16 8.36", "1.00 2.00 3.00"), quiet.loadAverageAt(),
        quiet.wallSeconds(),
        quiet.teacherBound(), quiet.studentTraining(), quiet.serving(), quiet.endToEnd(), quiet.scale(),
        quiet.quality(), quiet.bars(), quiet.notes());

    assertThat(BenchMarkdown.render(loaded)).contains("- Load average (1/5/15 min): 5.50 5.16 8.36 at the start, "
        + "1.00 2.00 3.00 at the end (the machine was shared with other work: absolute figures are pessimistic, "
        + "ratios were measured side by side)\n");
    assertThat(BenchMarkdown.render(quiet)).doesNotContain("shared with other work");
  }

  @Test
  void shouldAppendTheSectionAndKeepEveryExistingSectionIntact(@TempDir Path dir) throws Exception {
    // Given a file that already holds someone else's section, without a trailing newline
    Path file = dir.resolve("BENCHMARKS.md");
    String existing = "# Benchmarks\n\n## Learning curve (student-trainer)\n\n| turns | accuracy |\n|---|---|\n"
        + "| 15000 | 0.81 |";
    Files.writeString(file, existing);
    BenchReport report = BenchReports.fixed();

    // When the section is appended twice
    BenchMarkdown.append(report, file);
    BenchMarkdown.append(report, file);

    // Then the file is the old content, a blank line, the section, and the section again (a section ends
    // with a blank line)
    String section = BenchMarkdown.render(report);
    assertThat(Files.readString(file)).isEqualTo(existing + "\n\n" + section + section);
    assertThat(section).endsWith("\n\n");
  }

  @Test
  void shouldCreateAMissingFileWithATitle(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sub/BENCHMARKS.md");

    BenchMarkdown.append(BenchReports.fixed(), file);

    assertThat(Files.readString(file)).isEqualTo(BenchMarkdown.FILE_TITLE + "\n"
        + BenchMarkdown.render(BenchReports.fixed()));
  }
}
