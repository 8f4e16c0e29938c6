package org.streamdistill.deploy.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import org.streamdistill.deploy.bench.TeacherOptionsReport.Option;
import org.streamdistill.deploy.bench.TeacherOptionsReport.Student;

/** Appends a {@code bench teachers} run to {@code BENCHMARKS.md} as one dated section. */
final class TeacherOptionsMarkdown {

  private static final String NOT_TRAINED = "not trained";

  private TeacherOptionsMarkdown() {}

  static void append(TeacherOptionsReport report, Path file) throws IOException {
    BenchMarkdown.appendSection(render(report), file);
  }

  static String render(TeacherOptionsReport r) {
    StringBuilder s = new StringBuilder();
    Machine m = r.machine();
    s.append("## Teacher options and the students they yield ").append(r.date()).append(" (").append(r.mode())
        .append(")\n\n");
    s.append("- Command: `").append(r.command()).append("`\n");
    s.append(String.format(Locale.ROOT, "- Machine: %d processors, %.1f GiB memory, Java %s (%s), %s%n",
        m.processors(), m.totalMemoryBytes() / (1024.0 * 1024 * 1024), m.javaVersion(), m.javaVm(), m.os()));
    s.append("- Load average (1/5/15 min): ").append(m.loadAverageStart()).append(" at the start, ")
        .append(m.loadAverageEnd()).append(" at the end\n");
    s.append(String.format(Locale.ROOT, "- Wall time: %.0f s%n", r.wallSeconds()));
    s.append(String.format(Locale.ROOT, "- Turns: %,d CLINC150 training utterances%s x %d pass(es), gold labels on %.0f "
        + "%% of them; accuracy on the same %,d held-out in-scope %s turns for every teacher and student%n",
        r.trainUtterances(), r.streamFrom() > 0 ? String.format(Locale.ROOT, " (those at or above %s of the split by "
            + "text hash, `--bench.teachers.stream-from`: no head fitted with `fit --fit.train-share %s` saw them)",
            r.streamFrom(), r.streamFrom()) : "", r.passes(), 100 * r.goldFraction(), r.testTurns(), r.heldOut()));
    s.append(String.format(Locale.ROOT, "- Students: the trainer's own learning model with its default settings, "
        + "seeds %s (a seed orders the turns, draws the gold labels and initialises the student; the same seed gives "
        + "every teacher the same turns in the same order); gate: %s, consulting the learning student%n", r.seeds(),
        r.gate()));
    if (!r.trainer().isEmpty() || !r.gatedTrainer().equals(r.trainer())) {
      s.append("- Trainer settings besides the defaults: every student ").append(r.trainer().isEmpty() ? "none"
          : r.trainer()).append("; gated students ").append(r.gatedTrainer().isEmpty() ? "none" : r.gatedTrainer())
          .append('\n');
    }
    if (!r.outputsRead().isEmpty()) {
      s.append("- Teacher outputs read from the scores cache (stored by an earlier run of the same bundle versions on "
          + "the same turns): ").append(String.join(", ", r.outputsRead())).append('\n');
    }
    int rounds = r.baseline().turnsPerSecond().length;
    s.append(String.format(Locale.ROOT, "- Cost: %d interleaved round(s); each teacher scores the first %,d held-out "
        + "turns per round, batches of 32, every core, after a warm-up batch%n", rounds, r.costTurns()));

    s.append("\n### Teachers\n\n| teacher | what it is | in-scope " + r.heldOut() + " accuracy | turns/s (median) | x ")
        .append(r.baseline().name()).append(" (median) | per round | top label not ").append(r.baseline().name())
        .append("'s: training / ").append(r.heldOut()).append(" turns |\n|---|---|---:|---:|---:|---|---:|\n");
    for (Option o : r.options()) {
      StringJoiner perRound = new StringJoiner(", ");
      for (int i = 0; i < o.turnsPerSecond().length; i++) {
        perRound.add(String.format(Locale.ROOT, "%.1f (x %.2f)", o.turnsPerSecond()[i],
            o.turnsPerSecond()[i] / r.baseline().turnsPerSecond()[i]));
      }
      s.append(String.format(Locale.ROOT, "| %s | %s, `%s` | %.4f | %.1f | %.2f | %s | %s |%n", o.name(), o.kind(),
          o.version(), o.testAccuracy(), o.medianTurnsPerSecond(),
          o.medianTurnsPerSecond() / r.baseline().medianTurnsPerSecond(), perRound, o == r.baseline() ? "-"
              : differs(o.trainingDiffers(), r.trainUtterances()) + " / " + differs(o.heldOutDiffers(), r.testTurns())));
    }
    if (r.options().size() > 1) {
      s.append("\nTop label not ").append(r.baseline().name()).append("'s: on how many turns a teacher's most "
          + "probable label differs from the baseline teacher's. " + (r.streamFrom() > 0 ? "The training turns here "
          + "are the part of the split at or above " + r.streamFrom() + " by text hash, which heads fitted with `fit "
          + "--fit.train-share` at or below it never saw" : "The training turns are the split `fit` fitted every "
          + "teacher's head on, so teachers differ there far less than on turns they never saw") + ".\n");
    }

    s.append("\n### Students (held-out in-scope accuracy; the same shape, so the same serving cost)\n\n"
        + "| teacher | student weights | every turn scored: mean | per seed | gated: mean | per seed "
        + "| turns scored, gated | training time, all / gated (s, mean) |\n|---|---:|---:|---|---:|---|---:|---:|\n");
    for (Option o : r.options()) {
      double all = TeacherOptionsReport.meanSeconds(o.all());
      double gated = TeacherOptionsReport.meanSeconds(o.gated());
      s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s / %s%s |%n", o.name(),
          o.all().isEmpty() && o.gated().isEmpty() ? "-" : String.format(Locale.ROOT, "%,d", o.studentParameters()),
          mean(o.all()), perSeed(o.all()), mean(o.gated()), perSeed(o.gated()),
          o.gated().isEmpty() ? NOT_TRAINED : gatedShare(r, o), seconds(o.all()), seconds(o.gated()),
          o.all().isEmpty() || o.gated().isEmpty() ? "" : String.format(Locale.ROOT, " (x %.2f)", gated / all)));
    }
    s.append("\nTraining time: wall seconds per student to learn the stream, and for a gated one to predict each "
        + "batch for the gate too (the teacher job does that in the pipeline); the machine's load changes it, not "
        + "the accuracy.");
    if (r.threads() > 1) {
      s.append(String.format(Locale.ROOT, " The students were trained %d at a time, so these times include their "
          + "contention for the cores.", r.threads()));
    }
    s.append('\n');
    s.append("\n### Against the student of ").append(r.baseline().name()).append(" with every turn scored\n\n");
    s.append(verdicts(r));
    return s.toString();
  }

  private static String differs(long turns, long of) {
    return String.format(Locale.ROOT, "%,d (%.2f %%)", turns, 100.0 * turns / of);
  }

  /**
   * One line per comparison with the baseline's student trained on every turn: each teacher's
   * gated student and (other teachers) its student on every turn; paired by seed.
   */
  static String verdicts(TeacherOptionsReport r) {
    StringBuilder s = new StringBuilder();
    Option base = r.baseline();
    for (Option o : r.options()) {
      if (!o.gated().isEmpty()) {
        s.append(line(o.name() + ", gated (" + gatedShare(r, o).replace(" %", " % of the turns scored")
            + String.format(Locale.ROOT, "; teacher time x %.2f of %s's on every turn, at the median rates)",
            r.gatedTeacherTime(o), base.name()), o.gated(), base));
      }
      if (o != base && !o.all().isEmpty()) {
        s.append(line(o.name() + ", every turn scored" + (o.escalated() == null ? ""
            : String.format(Locale.ROOT, " (teacher time x %.2f of %s's on every turn, at the median rates)",
            r.teacherTime(o, o.all()), base.name())), o.all(), base));
      }
    }
    return s.toString();
  }

  private static String line(String what, List<Student> students, Option base) {
    double[] d = TeacherOptionsReport.pairedDifferences(students, base.all());
    int wins = 0;
    StringJoiner perSeed = new StringJoiner(", ");
    for (double v : d) {
      wins += v > 0 ? 1 : 0;
      perSeed.add(String.format(Locale.ROOT, "%+.4f", v));
    }
    PairedInterval interval = PairedInterval.of(d);
    double ratio = TeacherOptionsReport.mean(students) / TeacherOptionsReport.mean(base.all());
    return String.format(Locale.ROOT, "- %s: %.4f against %.4f, %+.4f (%.3f of it); higher on %d of %d seeds; %s "
        + "(per seed: %s)%n", what, TeacherOptionsReport.mean(students), TeacherOptionsReport.mean(base.all()),
        interval.mean(), ratio, wins, d.length, interval.describe(), perSeed);
  }

  /** The share of turns the gated students' teacher scored, and who scored the rest in a cascade. */
  private static String gatedShare(TeacherOptionsReport r, Option o) {
    return String.format(Locale.ROOT, "%.1f %%", 100 * TeacherOptionsReport.callShare(o.gated()))
        + (r.fallback().isEmpty() ? "" : ", the rest by " + r.fallback());
  }

  private static String mean(List<Student> students) {
    return students.isEmpty() ? NOT_TRAINED
        : String.format(Locale.ROOT, "%.4f", TeacherOptionsReport.mean(students));
  }

  private static String seconds(List<Student> students) {
    return students.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f", TeacherOptionsReport.meanSeconds(students));
  }

  private static String perSeed(List<Student> students) {
    if (students.isEmpty()) {
      return "-";
    }
    StringJoiner j = new StringJoiner(", ");
    students.forEach(st -> j.add(String.format(Locale.ROOT, "%.4f", st.accuracy())));
    return j.toString();
  }
}
