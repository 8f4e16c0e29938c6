package org.streamdistill.deploy.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.producers.replay.Clinc150Turns;
import org.streamdistill.producers.replay.ReplayOptions;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.student.export.ExportMetadata;
import org.streamdistill.student.export.OnnxExporter;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.fit.FitCommand;
import org.streamdistill.teacher.job.TeacherJobConfig;
import org.streamdistill.teacher.model.BundledTeacher;
import org.streamdistill.teacher.model.TeacherScore;
import org.streamdistill.teacher.selection.AllPolicy;
import org.streamdistill.teacher.selection.SelectionSettings;
import org.streamdistill.teacher.selection.TurnDraw;
import org.streamdistill.teacher.selection.UncertaintyMeasure;
import org.streamdistill.teacher.selection.UncertaintyPolicy;
import org.streamdistill.teacher.selection.UniformPolicy;

/**
 * {@code bench selection}: what the gate before the teacher buys (issue 14). First a learning
 * curve on CLINC150: held-out student accuracy against teacher calls for policies {@code all},
 * {@code uniform} and {@code uncertainty}, the teacher's outputs computed once so that every
 * policy sees the same turns in the same order. Then a peak: the teacher job offered several
 * times what the teacher scores, its group's lag over time under {@code all} and under {@code
 * budget}. Appends a dated section to {@code BENCHMARKS.md}.
 */
public final class SelectionBenchCommand {

  private final SelectionBenchConfig config;
  private final String commandLine;
  private final PrintStream out;

  SelectionBenchCommand(SelectionBenchConfig config, String commandLine, PrintStream out) {
    this.config = config;
    this.commandLine = commandLine;
    this.out = out;
  }

  /** Runs the command; returns the exit code (0 ok, 1 failed, 2 bad usage). */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help")) {
      out.println("Usage: streamdistill bench selection [--quick] [settings]\n\n"
          + "Learning curves of the teacher selection policies against teacher calls, and a peak with and without a "
          + "budget; appends a dated section to BENCHMARKS.md.\nSettings:\n" + SelectionBenchConfig.help());
      return 0;
    }
    SelectionBenchConfig config;
    try {
      config = SelectionBenchConfig.parse(args, System.getenv());
    } catch (ConfigException e) {
      err.println("bench selection: " + e.getMessage());
      return 2;
    }
    List<String> typed = new ArrayList<>();
    typed.add("selection");
    typed.addAll(args);
    try {
      new SelectionBenchCommand(config, BenchCommand.commandLine(typed, System.getenv()), out).execute(err);
      return 0;
    } catch (IOException e) {
      err.println("bench selection: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      err.println("bench selection failed: " + e);
      e.printStackTrace(err);
      return 1;
    }
  }

  SelectionBenchReport execute(PrintStream err) throws Exception {
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long clock = System.nanoTime();
    Machine machine = Machine.current();
    Clinc150 data = Clinc150.read(config.data());
    if (!Files.isDirectory(config.teacherBundle())) {
      out.printf("teacher bundle %s not found: fitting the teacher head on CLINC150 first%n", config.teacherBundle());
      if (FitCommand.run(List.of("--data", config.data().toString(), "--out", config.teacherBundle().toString()), out,
          err) != 0) {
        throw new IOException("fitting the teacher failed");
      }
    }
    Files.createDirectories(config.workDir());

    // The turns: a seeded subset of the training split, reshuffled each pass; the in-scope test split held out.
    List<Clinc150.Example> train = ScoredClinc.train(data, config.seed(), config.trainTurns());
    List<Clinc150.Example> test = ScoredClinc.test(data, config.seed(), config.testTurns());

    out.printf("[selection 1] teacher outputs for %,d training and %,d test utterances ...%n", train.size(),
        test.size());
    int cores = machine.processors();
    List<TeacherScore> trainScores;
    List<TeacherScore> testScores;
    double teacherPerSecond;
    List<String> labels;
    String labelSetId;
    String teacherVersion;
    float temperature;
    try (BundledTeacher teacher = BundledTeacher.open(config.teacherBundle(), cores)) {
      labels = teacher.labels();
      labelSetId = teacher.labelSetId();
      teacherVersion = teacher.version();
      temperature = (float) teacher.temperature();
      long t0 = System.nanoTime();
      trainScores = ScoredClinc.score(teacher, train.stream().map(Clinc150.Example::text).toList(), "training", out);
      teacherPerSecond = train.size() / ((System.nanoTime() - t0) / 1e9);
      testScores = ScoredClinc.score(teacher, test.stream().map(Clinc150.Example::text).toList(), "test", out);
    }
    int[] testGold = ScoredClinc.goldIndices(test, labels);
    List<int[]> testTokens = testScores.stream().map(TeacherScore::tokenIds).toList();
    double teacherAccuracy = ScoredClinc.accuracy(testScores, testGold);
    out.printf(Locale.ROOT, "      teacher: %.1f turns/s (batch 32, %d threads), held-out accuracy %.4f%n",
        teacherPerSecond, cores, teacherAccuracy);

    List<LearningCurve.Example> stream = ScoredClinc.stream(train, trainScores, labels, config.passes(),
        config.goldFraction(), config.seed());

    LearningCurve curves = new LearningCurve(labels.size(), temperature, testTokens, testGold, config.evalEvery(),
        TrainerConfig.of(Map.of()));
    List<LearningCurve.Curve> results = new ArrayList<>();
    TextCnn[] uncertaintyStudent = new TextCnn[1];
    String uniform = "uniform (rate " + config.uniformRate() + ", audit " + config.auditShare() + ")";
    String uncertainty = "uncertainty (top probability < " + config.threshold() + ", audit " + config.auditShare()
        + ")";
    out.printf("[selection 2] learning curves over %,d turns: all, %s, %s ...%n", stream.size(), uniform, uncertainty);
    results.add(curves.run("all", new AllPolicy(), stream, m -> { }));
    print(results.get(0));
    results.add(curves.run(uniform, new UniformPolicy(config.uniformRate(), config.auditShare(),
        new TurnDraw(config.seed())), stream, m -> { }));
    print(results.get(1));
    results.add(curves.run(uncertainty, new UncertaintyPolicy(UncertaintyMeasure.TOP_PROBABILITY, config.threshold(),
        config.auditShare(), new TurnDraw(config.seed())), stream, m -> uncertaintyStudent[0] = m));
    print(results.get(2));

    List<PeakLag.Run> peaks = new ArrayList<>();
    double budget = config.budgetFraction() * teacherPerSecond;
    double offered = config.peakFactor() * teacherPerSecond;
    double fallbackCap = config.fallbackFraction() * teacherPerSecond;
    if (config.peak()) {
      Path export = config.workDir().toAbsolutePath().resolve("student-bench-selection.onnx");
      OnnxExporter.export(uncertaintyStudent[0], ExportMetadata.of("student", "student-bench", labelSetId,
          labels.toArray(new String[0])), export);
      int peakCount = (int) Math.ceil(offered * config.peakSeconds());
      List<DialogueTurn> peakTurns = turns(data, config.seed() + 7, peakCount);
      List<DialogueTurn> warmup = turns(data, config.seed() + 8, config.peakWarmupTurns());
      try (BenchPlatform platform = BenchPlatform.start(config.workDir().resolve("kafka-selection"))) {
        PeakLag peak = new PeakLag(platform, config.teacherBundle(), export);
        out.printf(Locale.ROOT, "[selection 3] peak: %.0f turns/s (%.1f x the teacher) for %.0f s, then %.0f s without "
            + "load; policy all ...%n", offered, config.peakFactor(), config.peakSeconds(), config.drainSeconds());
        peaks.add(peak.run("all", Map.of(), warmup, peakTurns, offered, config.peakSeconds(), config.drainSeconds()));
        print(peaks.get(0));
        out.printf(Locale.ROOT, "      policy budget (%.0f turns/s, audit %s) ...%n", budget, config.auditShare());
        peaks.add(peak.run("budget", Map.of(
                TeacherJobConfig.SELECTION_POLICY, SelectionSettings.BUDGET,
                TeacherJobConfig.SELECTION_BUDGET, Double.toString(budget),
                TeacherJobConfig.SELECTION_AUDIT_SHARE, Double.toString(config.auditShare()),
                TeacherJobConfig.SELECTION_SEED, Long.toString(config.seed())),
            turns(data, config.seed() + 9, config.peakWarmupTurns()),
            turns(data, config.seed() + 10, peakCount), offered,
            config.peakSeconds(), config.drainSeconds()));
        print(peaks.get(1));
        if (fallbackCap > 0) {
          out.printf(Locale.ROOT, "      policy budget with a fallback teacher (its own bundle, at most %.0f turns/s) ...%n",
              fallbackCap);
          peaks.add(peak.run("budget+fallback", Map.of(
                  TeacherJobConfig.SELECTION_POLICY, SelectionSettings.BUDGET,
                  TeacherJobConfig.SELECTION_BUDGET, Double.toString(budget),
                  TeacherJobConfig.SELECTION_AUDIT_SHARE, Double.toString(config.auditShare()),
                  TeacherJobConfig.SELECTION_SEED, Long.toString(config.seed()),
                  TeacherJobConfig.FALLBACK_BUNDLE, config.teacherBundle().toAbsolutePath().toString(),
                  TeacherJobConfig.FALLBACK_MAX_TURNS_PER_SECOND, Double.toString(fallbackCap)),
              turns(data, config.seed() + 11, config.peakWarmupTurns()),
              turns(data, config.seed() + 12, peakCount), offered,
              config.peakSeconds(), config.drainSeconds()));
          print(peaks.get(2));
        }
      }
    }
    SelectionBenchReport report = new SelectionBenchReport(started.toString(), commandLine,
        config.quick() ? "quick" : "full", machine.withLoadAverageEnd(Machine.loadAverage()),
        (System.nanoTime() - clock) / 1e9, teacherVersion, teacherPerSecond, teacherAccuracy, train.size(),
        config.passes(), test.size(), config.goldFraction(), results, budget, peaks,
        peaks.size() > 2 ? fallbackCap : 0, config.peakWarmupTurns());
    if (config.markdown() != null) {
      SelectionBenchMarkdown.append(report, config.markdown());
      out.printf("section appended to %s%n", config.markdown());
    }
    out.printf(Locale.ROOT, "bench selection done in %.0f s%n", report.wallSeconds());
    return report;
  }

  private static List<DialogueTurn> turns(Clinc150 data, long seed, int count) {
    int passes = count / data.trainWithOos().size() + 1;
    List<DialogueTurn> turns = new ArrayList<>(count);
    new Clinc150Turns(data, new ReplayOptions(passes, false, 0.1, seed, count, 6), System::currentTimeMillis)
        .forEach(turns::add);
    return turns;
  }

  private void print(LearningCurve.Curve curve) {
    LearningCurve.Point last = curve.last();
    out.printf(Locale.ROOT, "      %-50s %,7d turns, %,7d teacher calls (%.0f %%), held-out accuracy %.4f%n",
        curve.policy(), last.turns(), last.calls(), 100.0 * last.calls() / last.turns(), last.accuracy());
  }

  private void print(PeakLag.Run run) {
    PeakLag.Sample end = run.atPeakEnd();
    out.printf(Locale.ROOT, "      %s: %,d turns offered; at the end of the peak %,d records / %.1f s behind; "
        + "at most %.1f s during the peak%n", run.policy(), run.offered(), end.records(), end.seconds(),
        run.maxLagSecondsDuringPeak());
  }
}
