package org.streamdistill.deploy.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.streamdistill.deploy.bench.BenchReport.Bar;
import org.streamdistill.deploy.bench.BenchReport.EndToEnd;
import org.streamdistill.deploy.bench.BenchReport.EndToEndRun;
import org.streamdistill.deploy.bench.BenchReport.Quality;
import org.streamdistill.deploy.bench.BenchReport.QualityRow;
import org.streamdistill.deploy.bench.BenchReport.Scale;
import org.streamdistill.deploy.bench.BenchReport.ScalePoint;
import org.streamdistill.deploy.bench.BenchReport.Serving;
import org.streamdistill.deploy.bench.BenchReport.StudentTraining;
import org.streamdistill.deploy.bench.BenchReport.TeacherBound;

/**
 * A {@link BenchReport} as one dated Markdown section: the run's date, command and machine,
 * the bars, then one subsection per measurement. {@link #append} adds it to the end of
 * a file and never touches what is already there.
 */
public final class BenchMarkdown {

  /** Title of the file when {@link #append} creates it. */
  static final String FILE_TITLE = "# Benchmarks\n\nEach \"Benchmark run\" section below was appended by one run "
      + "of `bin/streamdistill bench`; its figures come from that run alone.\n";

  private BenchMarkdown() {}

  /** Appends the section for {@code report} to {@code file}, creating the file with a title if needed. */
  public static void append(BenchReport report, Path file) throws IOException {
    appendSection(render(report), file);
  }

  /**
   * Appends {@code section} to {@code file} after a blank line, creating the file (and its
   * directory) with the title when it is missing or empty. Every bench section goes in this way.
   */
  static void appendSection(String section, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!Files.exists(file) || Files.size(file) == 0) {
      Files.writeString(file, FILE_TITLE + "\n" + section, StandardCharsets.UTF_8);
      return;
    }
    String existing = Files.readString(file, StandardCharsets.UTF_8);
    String separator = existing.endsWith("\n\n") ? "" : existing.endsWith("\n") ? "\n" : "\n\n";
    Files.writeString(file, separator + section, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  /** The section, starting with its {@code ##} heading and ending with a newline. */
  public static String render(BenchReport r) {
    StringBuilder s = new StringBuilder();
    header(s, r.date(), r.mode(), r.command(), r.machine(), r.loadAverageAt(), r.wallSeconds());

    s.append("| bar (from the issues) | measured | target | met |\n|---|---:|---:|---|\n");
    for (Bar bar : r.bars()) {
      s.append("| ").append(bar.name()).append(" | ").append(num(bar.value(), 2)).append(" | >= ")
          .append(num(bar.threshold(), 1)).append(" | ").append(bar.met() ? "yes" : "**no**")
          .append(bar.caveat() == null ? "" : ", **unreliable**: " + bar.caveat()).append(" |\n");
    }
    s.append('\n');

    teacherBound(s, r.teacherBound());
    studentTraining(s, r.studentTraining());
    serving(s, r.serving());
    endToEnd(s, r.endToEnd());
    scale(s, r.scale());
    quality(s, r.quality());
    if (!r.notes().isEmpty()) {
      s.append("### Notes\n\n");
      for (String note : r.notes()) {
        s.append("- ").append(note).append('\n');
      }
      s.append('\n');
    }
    return s.toString();
  }

  /** The run's heading, command, machine, load averages and wall time. */
  private static void header(StringBuilder s, String date, String mode, String command, Machine m,
                             java.util.Map<String, String> loads, double wallSeconds) {
    s.append("## Benchmark run ").append(date).append(" (").append(mode).append(")\n\n");
    s.append("- Command: `").append(command).append("`\n");
    s.append(String.format(Locale.ROOT, "- Machine: %d processors, %.1f GiB memory, Java %s (%s), %s%n",
        m.processors(), m.totalMemoryBytes() / (1024.0 * 1024 * 1024), m.javaVersion(), m.javaVm(), m.os()));
    s.append("- Load average (1/5/15 min): ").append(m.loadAverageStart()).append(" at the start, ")
        .append(m.loadAverageEnd().isEmpty() ? "n/a" : m.loadAverageEnd()).append(" at the end")
        .append(loaded(m) ? " (the machine was shared with other work: absolute figures are pessimistic, "
            + "ratios were measured side by side)" : "").append('\n');
    if (!loads.isEmpty()) {
      s.append("- Load average (1 min) as each measurement started:");
      String sep = " ";
      for (var e : loads.entrySet()) {
        s.append(sep).append(e.getKey()).append(' ').append(e.getValue().trim().split("\\s+")[0]);
        sep = ", ";
      }
      s.append('\n');
    }
    s.append(String.format(Locale.ROOT, "- Wall time: %.0f s%n%n", wallSeconds));
  }

  /** Appends the section of a {@code bench --cluster} run to {@code file}, creating the file with a title if needed. */
  public static void append(ClusterBenchReport report, Path file) throws IOException {
    appendSection(render(report), file);
  }

  /** The section of a {@code bench --cluster} run. */
  public static String render(ClusterBenchReport r) {
    StringBuilder s = new StringBuilder();
    header(s, r.date(), r.mode(), r.command(), r.machine(), r.loadAverageAt(), r.wallSeconds());
    s.append("### Scale-out on the local Flink cluster\n\n");
    ClusterScaleOut.ClusterScale c = r.clusterScale();
    if (c == null) {
      s.append("Not measured (see the notes).\n\n");
    } else {
      s.append(String.format(Locale.ROOT, "The teacher job submitted with Flink's CLI to a standalone session "
          + "cluster on this machine (`cluster up` without trainer, evaluator and ingestion: %d Kafka nodes, a "
          + "JobManager, %d TaskManagers of one slot, each its own JVM), at parallelism 1, then stopped with a "
          + "savepoint and resubmitted from it at parallelism 2; one ONNX Runtime thread per subtask, batches of "
          + "%d, checkpoints every %,d ms. *Raw* runs as many teachers of one thread side by side in the bench's "
          + "JVM on the same turns (%,d a round), while the cluster idles; rounds alternate which goes first, "
          + "medians here. The job's time runs from the first turn produced to the last soft label seen by a "
          + "read_committed consumer, so it includes the last checkpoint.%n%n", c.kafkaNodes(), c.taskManagers(),
          c.batchSize(), c.checkpointIntervalMillis(), c.turns()));
      s.append("| parallelism | ONNX threads each | raw turns/s | job turns/s (cluster, through Kafka) | job / raw |\n"
          + "|---:|---:|---:|---:|---:|\n");
      for (ScalePoint p : c.points()) {
        s.append(String.format(Locale.ROOT, "| %d | %d | %s | %s | %s |%n", p.parallelism(), p.intraOpThreads(),
            num(p.rawPerSecond(), 1), num(p.jobPerSecond(), 1), num(p.jobToRaw(), 3)));
      }
      s.append(String.format(Locale.ROOT, "%nParallelism 2 / parallelism 1: job %s, raw %s. Dead letters: %d.%n",
          num(c.jobSpeedup(), 2), num(c.rawSpeedup(), 2), c.deadLetters()));
      for (ScalePoint p : c.points()) {
        s.append(String.format(Locale.ROOT, "%nRounds at parallelism %d:%n%n", p.parallelism()));
        rounds(s, p.rounds(), "raw turns/s");
      }
      s.append('\n');
    }
    if (!r.notes().isEmpty()) {
      s.append("### Notes\n\n");
      for (String note : r.notes()) {
        s.append("- ").append(note).append('\n');
      }
      s.append('\n');
    }
    return s.toString();
  }

  private static boolean loaded(Machine m) {
    return load1(m.loadAverageStart()) > m.processors() * 0.5 || load1(m.loadAverageEnd()) > m.processors() * 0.5;
  }

  private static double load1(String loadAverage) {
    try {
      return Double.parseDouble(loadAverage.trim().split("\\s+")[0]);
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private static void teacherBound(StringBuilder s, TeacherBound t) {
    s.append("### 1. Teacher bound: raw ONNX Runtime against the Flink job through Kafka\n\n");
    if (t == null) {
      s.append("Not measured (see the notes).\n\n");
      return;
    }
    s.append(String.format(Locale.ROOT, "Teacher `%s` on %,d CLINC150 turns per round; ONNX Runtime with %d intra-op "
            + "thread(s); the job with parallelism %d, batches of up to %d turns or %d ms, checkpoints every %d ms. "
            + "Raw `Teacher.score` and the job take turns on the same turns (each round the same utterances, "
            + "reshuffled, under new turn ids), the job staying up between rounds.%n%n",
        t.teacherVersion(), t.turns(), t.intraOpThreads(), t.parallelism(), t.batchSize(), t.batchMaxWaitMillis(),
        t.checkpointIntervalMillis()));
    rounds(s, t.rounds(), "raw batch " + t.batchSize() + " turns/s");
    s.append(String.format(Locale.ROOT, "| **median** | | %s | %s | %s | **%s** | | |%n%n",
        num(t.rawBatchPerSecond(), 1), num(t.jobPerSecond(), 1), num(t.jobScoringPerSecond(), 1), num(t.ratio(), 3)));
    s.append(String.format(Locale.ROOT, "Raw `Teacher.score` one turn per call (batch 1), measured once before the "
        + "rounds: %s turns/s.%n%n", num(t.rawBatch1PerSecond(), 1)));
    s.append("*Job* is turns from the first produce to the last soft label visible to a read_committed consumer; it "
        + "includes ").append(t.includes()).append(". *Scoring span* is turns over the first to last `scored_at` "
        + "of the round (scoring alone). *Commit tail*: the last soft label became visible that long after it was "
        + "scored. Dead letters: ").append(t.deadLetters()).append(".\n\n");
  }

  private static void rounds(StringBuilder s, java.util.List<BenchReport.Round> rounds, String rawHeading) {
    s.append("| round | order | ").append(rawHeading)
        .append(" | job turns/s | job scoring span turns/s | job / raw | job s | commit tail ms |\n")
        .append("|---:|---|---:|---:|---:|---:|---:|---:|\n");
    int i = 1;
    for (BenchReport.Round r : rounds) {
      s.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s |%n", i++, r.order(),
          num(r.rawPerSecond(), 1), num(r.jobPerSecond(), 1), num(r.jobScoringPerSecond(), 1), num(r.ratio(), 3),
          num(r.jobSeconds(), 1), num(r.commitTailMillis(), 0)));
    }
  }

  private static void studentTraining(StringBuilder s, StudentTraining t) {
    s.append("### 2. Student training against the teacher's scoring rate\n\n");
    if (t == null) {
      s.append("Not measured (see the notes).\n\n");
      return;
    }
    s.append(String.format(Locale.ROOT, "%s. One thread, batches of %d real token ids and teacher logits, "
            + "%,d steps in %.1f s.%n%n", t.model(), t.batchSize(), t.steps(), t.seconds()));
    s.append("| measurement | rate |\n|---|---:|\n");
    s.append("| distillation updates (optimizer steps) | ").append(num(t.updatesPerSecond(), 1)).append(" steps/s |\n");
    s.append("| turns learned | ").append(num(t.examplesPerSecond(), 0)).append(" turns/s |\n");
    s.append("| turns predicted by challenger and champion, then learned (the trainer's work per turn) | ")
        .append(num(t.predictAndLearnPerSecond(), 0)).append(" turns/s |\n");
    s.append("| teacher, raw batched (section 1) | ").append(num(t.teacherPerSecond(), 1)).append(" turns/s |\n");
    s.append("| **turns learned / teacher turns scored** | **").append(num(t.ratio(), 2)).append("** |\n\n");
  }

  private static void serving(StringBuilder s, Serving v) {
    s.append("### 3. Serving: exported student against teacher, one turn, one thread\n\n");
    if (v == null) {
      s.append("Not measured (see the notes).\n\n");
      return;
    }
    s.append(String.format(Locale.ROOT, "%,d CLINC150 test turns, one at a time, each model on ONNX Runtime "
        + "(DJL) with 1 intra-op thread; text in, label out, tokenizing included; the two take turns in blocks of "
        + "%d turns.%n%n", v.turns(), ServingLatency.BLOCK));
    s.append("| model | mean ms | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|\n");
    row(s, "teacher (MiniLM-L6 + head)", v.teacherMillis(), 3);
    row(s, "student (exported TextCNN)", v.studentMillis(), 3);
    row(s, "student, ONNX Runtime call alone (prepared ids)", v.studentModelMillis(), 3);
    s.append(String.format(Locale.ROOT, "%n**Speed-up teacher / student: %s at p50, %s at p99.**%n%n",
        num(v.speedupP50(), 1), num(v.speedupP99(), 1)));
  }

  private static void endToEnd(StringBuilder s, EndToEnd e) {
    s.append("### 4. End to end at a fixed offered load\n\n");
    if (e == null) {
      s.append("Not measured (see the notes).\n\n");
      return;
    }
    s.append(String.format(Locale.ROOT, "The whole pipeline (broker, registry, teacher job with parallelism 1, "
            + "trainer, evaluator) in one JVM, a fresh one per checkpoint interval, fed CLINC150 training turns "
            + "at %s turns/s (%s of the job's %s turns/s of section 1) for %.0f s; the first %.0f s are warm-up and "
            + "left out. Latencies in ms from the turn's write (`event_time`, stamped as it is handed to the "
            + "producer): *scored* = soft label `scored_at`, *label visible* = seen by a read_committed consumer "
            + "(polling with fetch.max.wait.ms 100), *predicted* = `predicted_at`, *prediction visible* = seen by "
            + "that consumer. The trainer publishes its predictions in transactions it commits every %s ms, so a "
            + "prediction becomes visible up to that long after `predicted_at`.%n%n", num(e.offeredPerSecond(), 1),
        e.capacityPerSecond() > 0 ? num(e.offeredPerSecond() / e.capacityPerSecond(), 2) : "n/a",
        num(e.capacityPerSecond(), 1), e.warmupSeconds() + e.measuredSeconds(), e.warmupSeconds(),
        e.trainerCommitEveryMillis() < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", e.trainerCommitEveryMillis())));
    s.append("| checkpoint interval | turns | written turns/s | latency | p50 | p95 | p99 | max |\n"
        + "|---:|---:|---:|---|---:|---:|---:|---:|\n");
    for (EndToEndRun run : e.runs()) {
      String head = String.format(Locale.ROOT, "| %,d ms | %,d | %s ", run.checkpointIntervalMillis(),
          run.turnsMeasured(), num(run.writtenPerSecond(), 1));
      latencyRow(s, head, "scored", run.softLabelScored());
      latencyRow(s, "| | | ", "label visible", run.softLabelVisible());
      latencyRow(s, "| | | ", "predicted", run.predictionMade());
      latencyRow(s, "| | | ", "prediction visible", run.predictionVisible());
    }
    s.append('\n');
  }

  private static void latencyRow(StringBuilder s, String head, String name, Percentiles p) {
    s.append(head).append("| ").append(name).append(" | ").append(num(p.p50(), 0)).append(" | ")
        .append(num(p.p95(), 0)).append(" | ").append(num(p.p99(), 0)).append(" | ").append(num(p.max(), 0))
        .append(" |\n");
  }

  private static void scale(StringBuilder s, Scale c) {
    s.append("### 5. Scale: teacher parallelism and the broker's own rate\n\n");
    if (c == null) {
      s.append("Not measured (see the notes).\n\n");
      return;
    }
    s.append("Intra-op threads per subtask = processors / parallelism. *Raw* runs as many teachers side by side, "
        + "each on its share of the same turns in the job's batch size; rounds as in section 1, medians here.\n\n");
    s.append("| parallelism | threads each | raw turns/s | job turns/s (through Kafka) | job / raw |\n"
        + "|---:|---:|---:|---:|---:|\n");
    for (ScalePoint p : c.points()) {
      s.append(String.format(Locale.ROOT, "| %d | %d | %s | %s | %s |%n", p.parallelism(), p.intraOpThreads(),
          num(p.rawPerSecond(), 1), num(p.jobPerSecond(), 1), num(p.jobToRaw(), 3)));
    }
    for (ScalePoint p : c.points()) {
      if (p.parallelism() > 1 && !p.rounds().isEmpty()) {
        s.append(String.format(Locale.ROOT, "%nRounds at parallelism %d:%n%n", p.parallelism()));
        rounds(s, p.rounds(), "raw turns/s");
      }
    }
    if (c.broker() != null) {
      var b = c.broker();
      s.append(String.format(Locale.ROOT, "%nThe broker alone, %,d records each way (idempotent producer, acks=all, "
              + "linger 5 ms; read_committed consumer), the same records the pipeline moves:%n%n", b.records()));
      s.append("| records | mean value bytes | produced/s | consumed/s |\n|---|---:|---:|---:|\n");
      s.append("| turns (`dialogue.turns`) | ").append(num(b.turnBytes(), 0)).append(" | ")
          .append(num(b.turnProducePerSecond(), 0)).append(" | ").append(num(b.turnConsumePerSecond(), 0))
          .append(" |\n");
      s.append("| soft labels (`teacher.soft-labels`, non-transactional here) | ").append(num(b.softLabelBytes(), 0))
          .append(" | ").append(num(b.softLabelProducePerSecond(), 0)).append(" | ")
          .append(num(b.softLabelConsumePerSecond(), 0)).append(" |\n");
    }
    s.append('\n');
  }

  private static void quality(StringBuilder s, Quality q) {
    s.append("### 6. Quality per cost\n\n");
    if (q == null) {
      s.append("Not measured (see the notes).\n\n");
      return;
    }
    s.append("Accuracy: ").append(q.accuracySource()).append("\n\n");
    s.append("| model | source | in-scope test accuracy | of teacher | p50 ms/turn (1 thread) | speed-up | "
        + "parameters | ONNX bytes |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (QualityRow row : q.rows()) {
      s.append("| ").append(row.model()).append(" | ").append(row.source()).append(" | ")
          .append(row.accuracy() == null ? "" : num(row.accuracy(), 4)
              + (row.testTurns() == null ? "" : String.format(Locale.ROOT, " (%,d)", row.testTurns())))
          .append(" | ").append(row.ofTeacher() == null ? "" : num(row.ofTeacher(), 3))
          .append(" | ").append(row.latencyP50Millis() == null ? "" : num(row.latencyP50Millis(), 3))
          .append(" | ").append(row.speedup() == null ? "" : num(row.speedup(), 1) + "x")
          .append(" | ").append(row.parameters() == null ? "" : String.format(Locale.ROOT, "%,d", row.parameters()))
          .append(" | ").append(row.onnxBytes() == null ? "" : String.format(Locale.ROOT, "%,d", row.onnxBytes()))
          .append(" |\n");
    }
    s.append(String.format(Locale.ROOT, "%nStudent / teacher accuracy: %s; student speed-up: %sx.%n%n",
        num(q.accuracyRatio(), 3), num(q.servingSpeedup(), 1)));
  }

  private static void row(StringBuilder s, String name, Percentiles p, int decimals) {
    s.append("| ").append(name).append(" | ").append(num(p.mean(), decimals)).append(" | ")
        .append(num(p.p50(), decimals)).append(" | ").append(num(p.p95(), decimals)).append(" | ")
        .append(num(p.p99(), decimals)).append(" | ").append(num(p.max(), decimals)).append(" |\n");
  }

  static String num(double value, int decimals) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%,." + decimals + "f", value);
  }
}
