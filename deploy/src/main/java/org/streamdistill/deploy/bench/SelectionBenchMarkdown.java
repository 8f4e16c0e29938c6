package org.streamdistill.deploy.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.streamdistill.teacher.job.TeacherJobConfig;

/** Appends a {@code bench selection} run to {@code BENCHMARKS.md} as one dated section. */
final class SelectionBenchMarkdown {

  private static final long DEFAULT_MAX_LAG_MS =
      (Long) TeacherJobConfig.DEFINITION.defaultValues().get(TeacherJobConfig.SELECTION_BUDGET_MAX_LAG_MS);

  private SelectionBenchMarkdown() {}

  static void append(SelectionBenchReport report, Path file) throws IOException {
    BenchMarkdown.appendSection(render(report), file);
  }

  static String render(SelectionBenchReport r) {
    StringBuilder s = new StringBuilder();
    Machine m = r.machine();
    s.append("## Selection before the teacher ").append(r.date()).append(" (").append(r.mode()).append(")\n\n");
    s.append("- Command: `").append(r.command()).append("`\n");
    s.append(String.format(Locale.ROOT, "- Machine: %d processors, %.1f GiB memory, Java %s (%s), %s%n",
        m.processors(), m.totalMemoryBytes() / (1024.0 * 1024 * 1024), m.javaVersion(), m.javaVm(), m.os()));
    s.append("- Load average (1/5/15 min): ").append(m.loadAverageStart()).append(" at the start, ")
        .append(m.loadAverageEnd()).append(" at the end\n");
    s.append(String.format(Locale.ROOT, "- Wall time: %.0f s%n", r.wallSeconds()));
    s.append(String.format(Locale.ROOT, "- Teacher %s: %.1f turns/s alone (batch 32), held-out accuracy %.4f on "
        + "%,d in-scope test turns%n", r.teacherVersion(), r.teacherPerSecond(), r.teacherAccuracy(), r.testTurns()));
    s.append(String.format(Locale.ROOT, "%n### Learning curve: held-out student accuracy against teacher calls%n%n"
        + "%,d training utterances x %d passes (reshuffled), gold labels on %.0f %% of turns; the student is the "
        + "trainer's own learning model with its default settings (replay and weight averaging included), learning "
        + "online in batches of the turns the policy sends to the teacher and, gold-only, of the skipped turns that "
        + "carry a gold label (no teacher call), as the job forwards them; the policy judges each window of a batch with the learning student's probabilities. "
        + "Accuracy on the same %,d held-out in-scope test turns for every policy.%n%n", r.trainUtterances(),
        r.passes(), 100 * r.goldFraction(), r.testTurns()));
    long common = r.commonCalls();
    s.append(String.format(Locale.ROOT, "| policy | turns seen | teacher calls | calls / turns | accuracy at the end "
        + "| accuracy at %,d calls | accuracy at %,d calls |%n|---|---:|---:|---:|---:|---:|---:|%n", common / 2,
        common));
    for (LearningCurve.Curve c : r.curves()) {
      LearningCurve.Point last = c.last();
      s.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %.2f | %.4f | %.4f | %.4f |%n", c.policy(),
          last.turns(), last.calls(), last.calls() / (double) last.turns(), last.accuracy(),
          c.accuracyAtCalls(common / 2), c.accuracyAtCalls(common)));
    }
    LearningCurve.Curve all = r.curves().get(0);
    s.append("\nAgainst `all` after the same turns (the issue's bar: at least 0.98 of its accuracy with at most 40 % "
        + "of the turns scored):\n\n");
    for (LearningCurve.Curve c : r.curves().subList(1, r.curves().size())) {
      s.append(String.format(Locale.ROOT, "- %s: %.3f of `all`'s accuracy with %.0f %% of the turns scored%n",
          c.policy(), c.last().accuracy() / all.last().accuracy(), 100.0 * c.last().calls() / c.last().turns()));
    }
    s.append("\nThe curves (teacher calls: accuracy):\n\n");
    for (LearningCurve.Curve c : r.curves()) {
      s.append("- ").append(c.policy()).append(": ");
      StringBuilder points = new StringBuilder();
      for (LearningCurve.Point p : c.points()) {
        if (points.length() > 0) {
          points.append(", ");
        }
        points.append(String.format(Locale.ROOT, "%,d: %.3f", p.calls(), p.accuracy()));
      }
      s.append(points).append('\n');
    }
    if (!r.peaks().isEmpty()) {
      PeakLag.Run first = r.peaks().get(0);
      s.append(String.format(Locale.ROOT, "%n### Peak: %.0f turns/s offered for %.0f s, %.1f x the teacher alone%n%n"
          + "The teacher job at parallelism 1 with its default settings, on the embedded broker, after it has caught "
          + "up with %,d warm-up turns offered at once; policy budget at %.0f "
          + "turns/s plus its audit share, with the student of the uncertainty curve as champion; turns that reach "
          + "the gate more than %d ms after they entered the topic get no budget (the job's default lag bound, %s). "
          + "Lag of the job's group on the turns topic, sampled every second by the lag monitor (the job commits its "
          + "offsets at each checkpoint, every 2 s by default, so the lag moves in steps). *Teacher scored* and "
          + "*skipped* count from the peak's start to the last sample, from the job's own counters.%n%n",
          first.offeredPerSecond(), first.peakSeconds(), first.offeredPerSecond() / r.teacherPerSecond(),
          r.peakWarmupTurns(), r.budget(),
          DEFAULT_MAX_LAG_MS, TeacherJobConfig.SELECTION_BUDGET_MAX_LAG_MS));
      if (r.fallbackCap() > 0) {
        s.append(String.format(Locale.ROOT, "Policy budget+fallback: the same budget, and the turns it skips scored by "
            + "a fallback teacher (the teacher's own bundle, so each costs a teacher turn: the worst case for lag) "
            + "at most %.0f turns/s; the rest go on as without one.%n%n", r.fallbackCap()));
      }
      s.append("| policy | turns offered | lag at the end of the peak | most seconds behind during the peak "
          + "| lag at the end | teacher scored (batches) | skipped by reason |\n|---|---:|---:|---:|---:|---:|---|\n");
      for (PeakLag.Run run : r.peaks()) {
        PeakLag.Sample end = run.atPeakEnd();
        PeakLag.Sample last = run.samples().get(run.samples().size() - 1);
        StringBuilder skipped = new StringBuilder();
        run.gate().skippedByReason().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
            skipped.append(skipped.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %,d", e.getKey(),
                e.getValue())));
        s.append(String.format(Locale.ROOT, "| %s | %,d | %,d records, %.1f s | %.1f s | %,d records, %.1f s "
                + "| %,d (%,d) | %s |%n", run.policy(), run.offered(), end.records(), end.seconds(),
            run.maxLagSecondsDuringPeak(), last.records(), last.seconds(), run.gate().teacherTurns(),
            run.gate().teacherBatches(), skipped.length() == 0 ? "none" : skipped));
      }
      s.append("\nLag over time (records / seconds behind):\n\n| second |");
      for (PeakLag.Run run : r.peaks()) {
        s.append(' ').append(run.policy()).append(" |");
      }
      s.append("\n|---:|");
      r.peaks().forEach(run -> s.append("---:|"));
      s.append('\n');
      int n = r.peaks().stream().mapToInt(run -> run.samples().size()).min().orElse(0);
      int step = Math.max(1, n / 20);
      for (int i = step - 1; i < n; i += step) {
        s.append(String.format(Locale.ROOT, "| %.0f |", first.samples().get(i).second()));
        for (PeakLag.Run run : r.peaks()) {
          PeakLag.Sample sample = run.samples().get(i);
          s.append(String.format(Locale.ROOT, " %,d / %.1f |", sample.records(), sample.seconds()));
        }
        s.append('\n');
      }
    }
    return s.toString();
  }
}
