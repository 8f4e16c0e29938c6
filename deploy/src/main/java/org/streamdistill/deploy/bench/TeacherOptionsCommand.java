package org.streamdistill.deploy.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.optim.Parameter;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.model.BundledTeacher;
import org.streamdistill.teacher.model.EnsembleBundle;
import org.streamdistill.teacher.model.EnsembleTeacher;
import org.streamdistill.teacher.model.Teacher;
import org.streamdistill.teacher.model.TeacherBundle;
import org.streamdistill.teacher.model.TeacherScore;
import org.streamdistill.teacher.selection.AllPolicy;
import org.streamdistill.teacher.selection.BudgetPolicy;
import org.streamdistill.teacher.selection.SelectionPolicy;
import org.streamdistill.teacher.selection.TurnDraw;
import org.streamdistill.teacher.selection.UncertaintyMeasure;
import org.streamdistill.teacher.selection.UncertaintyPolicy;

/**
 * {@code bench teachers}: teacher options side by side (issue 14, item 3): each teacher bundle's
 * held-out accuracy and scoring rate, and the students it yields, with every turn scored and
 * behind the gate ({@code uncertainty} or {@code budget}), or those of them {@code
 * bench.teachers.students} names. Each teacher scores the same CLINC150 turns once;
 * then, per seed, a fresh student of the trainer's default shape learns the same stream from
 * each teacher's outputs, so students differ by their teacher only and serve at the same cost.
 * The rates come from interleaved rounds on the same test turns, every teacher once per round,
 * so that a shared machine's load hits them alike. Appends a dated section to {@code
 * BENCHMARKS.md}.
 */
public final class TeacherOptionsCommand {

  private static final int BATCH = 32;

  private final TeacherOptionsConfig config;
  private final String commandLine;
  private final PrintStream out;

  TeacherOptionsCommand(TeacherOptionsConfig config, String commandLine, PrintStream out) {
    this.config = config;
    this.commandLine = commandLine;
    this.out = out;
  }

  /** Runs the command; returns the exit code (0 ok, 1 failed, 2 bad usage). */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help")) {
      out.println("Usage: streamdistill bench teachers [--quick] [--bundles NAME=DIR,NAME=DIR,...] [settings]\n\n"
          + "Teacher options side by side: each teacher's held-out accuracy and turns per second, and the student it "
          + "yields with every turn scored and behind the gate; the first teacher is the baseline. Appends a dated "
          + "section to BENCHMARKS.md.\nSettings:\n" + TeacherOptionsConfig.help());
      return 0;
    }
    TeacherOptionsConfig config;
    try {
      config = TeacherOptionsConfig.parse(args, System.getenv());
    } catch (ConfigException e) {
      err.println("bench teachers: " + e.getMessage());
      return 2;
    }
    List<String> typed = new ArrayList<>();
    typed.add("teachers");
    typed.addAll(args);
    try {
      new TeacherOptionsCommand(config, BenchCommand.commandLine(typed, System.getenv()), out).execute();
      return 0;
    } catch (ConfigException e) {
      err.println("bench teachers: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("bench teachers: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      err.println("bench teachers failed: " + e);
      e.printStackTrace(err);
      return 1;
    }
  }

  /**
   * What a teacher scored, kept after it is closed.
   *
   * @param escalated for an escalating teacher, which training turns its strong teacher scored; else null
   */
  private record Scored(String name, String version, String kind, List<String> labels, float temperature,
                        List<TeacherScore> train, List<TeacherScore> test, boolean[] escalated) {

    Scored(String name, String version, String kind, List<String> labels, float temperature,
           List<TeacherScore> train, List<TeacherScore> test) {
      this(name, version, kind, labels, temperature, train, test, null);
    }
  }

  TeacherOptionsReport execute() throws Exception {
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long clock = System.nanoTime();
    Machine machine = Machine.current();
    for (Map.Entry<String, Path> bundle : config.bundles().entrySet()) {
      if (!Files.isDirectory(bundle.getValue())) {
        throw new IOException("teacher " + bundle.getKey() + ": no bundle at " + bundle.getValue() + " (write one "
            + "with bin/streamdistill fit --out " + bundle.getValue() + ", and --encoders for an int8 or ensemble "
            + "teacher)");
      }
    }
    Clinc150 data = Clinc150.read(config.data());
    List<Clinc150.Example> train = ScoredClinc.train(data, config.streamFrom(), config.seed(), config.trainTurns());
    List<Clinc150.Example> test = ScoredClinc.heldOut(data, config.heldOut(), config.seed(), config.testTurns());
    List<String> trainTexts = train.stream().map(Clinc150.Example::text).toList();
    List<String> testTexts = test.stream().map(Clinc150.Example::text).toList();
    List<String> costTexts = testTexts.subList(0, Math.min(config.costTurns(), testTexts.size()));
    int cores = machine.processors();
    List<String> names = new ArrayList<>(config.bundles().keySet());
    double[][] rates = new double[names.size()][config.costRounds()];
    List<Scored> scored = new ArrayList<>();
    List<String> read = new ArrayList<>();

    ScoreCache cache = config.scoresCache() == null ? null : ScoreCache.open(config.scoresCache());
    List<BundledTeacher> teachers = new ArrayList<>();
    try {
      for (String name : names) {
        BundledTeacher teacher = BundledTeacher.open(config.bundles().get(name), cores);
        teachers.add(teacher);
        teacher.score(costTexts.subList(0, Math.min(BATCH, costTexts.size())));
        out.printf("teacher %s: %s (%s)%n", name, teacher.version(), kind(teacher));
      }
      Map<String, List<String>> labels = new LinkedHashMap<>();
      for (int t = 0; t < names.size(); t++) {
        labels.put(names.get(t), teachers.get(t).labels());
      }
      config.checkFallbackLabels(labels);
      checkEscalationLabels(labels);
      out.printf("[teachers 1] cost: %d round(s), each teacher scores %,d test turns per round, %d threads ...%n",
          config.costRounds(), costTexts.size(), cores);
      for (int r = 0; r < config.costRounds(); r++) {
        StringJoiner line = new StringJoiner(", ", "      round " + (r + 1) + ": ", " turns/s");
        for (int t = 0; t < teachers.size(); t++) {
          long t0 = System.nanoTime();
          ScoredClinc.score(teachers.get(t), costTexts, names.get(t), null);
          rates[t][r] = costTexts.size() / ((System.nanoTime() - t0) / 1e9);
          line.add(String.format(Locale.ROOT, "%s %.1f", names.get(t), rates[t][r]));
        }
        out.println(line);
      }
      out.printf("[teachers 2] outputs for %,d training and %,d held-out turns, once per teacher ...%n", train.size(),
          test.size());
      for (int t = 0; t < teachers.size(); t++) {
        BundledTeacher teacher = teachers.get(t);
        scored.add(new Scored(names.get(t), teacher.version(), kind(teacher), teacher.labels(),
            (float) teacher.temperature(), outputs(cache, teacher, trainTexts, names.get(t) + " training", read),
            outputs(cache, teacher, testTexts, names.get(t) + " " + config.heldOut(), read)));
      }
    } finally {
      teachers.forEach(BundledTeacher::close);
    }
    if (config.escalate() != null) {
      rates = escalate(scored, names, rates, costTexts.size());
    }

    List<Long> seeds = new ArrayList<>();
    for (int i = 0; i < config.seeds(); i++) {
      seeds.add(config.seed() + i);
    }
    out.printf(Locale.ROOT, "[teachers 3] students: %d seed(s) x %s (gate %s), %,d turns each ...%n", seeds.size(),
        config.students(), config.gateDescription(), train.size() * config.passes());
    List<TeacherOptionsReport.Option> options = students(scored, train, test, seeds, rates);
    TeacherOptionsReport report = new TeacherOptionsReport(started.toString(), commandLine,
        config.quick() ? "quick" : "full", machine.withLoadAverageEnd(Machine.loadAverage()),
        (System.nanoTime() - clock) / 1e9, train.size(), config.passes(), test.size(), config.heldOut(),
        config.goldFraction(), config.gateDescription(), seeds, costTexts.size(), config.trainer(), config.gatedTrainer(), read,
        config.threads(), options, config.fallback(), config.streamFrom());
    out.print(TeacherOptionsMarkdown.verdicts(report));
    if (config.markdown() != null) {
      TeacherOptionsMarkdown.append(report, config.markdown());
      out.printf("section appended to %s%n", config.markdown());
    }
    out.printf(Locale.ROOT, "bench teachers done in %.0f s%n", report.wallSeconds());
    return report;
  }

  /**
   * Trains the students {@code bench.teachers.students} names, one per seed, teacher and policy,
   * {@code bench.teachers.threads} at a time (each is single-threaded and independent of the
   * others: the same figures whatever the number of threads), and groups them per teacher.
   */
  private List<TeacherOptionsReport.Option> students(List<Scored> scored, List<Clinc150.Example> train,
      List<Clinc150.Example> test, List<Long> seeds, double[][] rates) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(config.threads(), r -> {
      Thread thread = new Thread(r, "bench-student");
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<List<Future<TeacherOptionsReport.Student>>> all = new ArrayList<>();
      List<List<Future<TeacherOptionsReport.Student>>> gated = new ArrayList<>();
      List<AtomicLong> parameters = new ArrayList<>();
      Scored fallback = fallback(scored);
      List<Double> accuracies = new ArrayList<>();
      for (Scored s : scored) {
        int[] gold = ScoredClinc.goldIndices(test, s.labels());
        accuracies.add(ScoredClinc.accuracy(s.test(), gold));
        List<int[]> testTokens = s.test().stream().map(TeacherScore::tokenIds).toList();
        AtomicLong weights = new AtomicLong();
        parameters.add(weights);
        List<Future<TeacherOptionsReport.Student>> a = new ArrayList<>();
        List<Future<TeacherOptionsReport.Student>> g = new ArrayList<>();
        for (long seed : seeds) {
          if (config.trains(s.name(), TeacherOptionsConfig.ALL)) {
            a.add(pool.submit(() -> train(s, null, train, testTokens, gold, seed, false, weights)));
          }
          if (config.trains(s.name(), TeacherOptionsConfig.GATED)) {
            g.add(pool.submit(() -> train(s, fallback, train, testTokens, gold, seed, true, weights)));
          }
        }
        all.add(a);
        gated.add(g);
      }
      List<TeacherOptionsReport.Option> options = new ArrayList<>();
      for (int t = 0; t < scored.size(); t++) {
        Scored s = scored.get(t);
        List<TeacherOptionsReport.Student> a = done(all.get(t));
        List<TeacherOptionsReport.Student> g = done(gated.get(t));
        options.add(new TeacherOptionsReport.Option(s.name(), s.version(), s.kind(), accuracies.get(t), rates[t],
            parameters.get(t).get(), a, g, differs(scored.get(0).labels(), scored.get(0).train(), s.labels(),
            s.train()), differs(scored.get(0).labels(), scored.get(0).test(), s.labels(), s.test()),
            s.escalated() == null ? null : config.escalate()));
      }
      return options;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Adds the escalating teacher to {@code scored} ({@link Escalation}), from its two parts' outputs;
   * returns the rates with its own appended: per round, its base's and strong teacher's rates on the
   * cost turns, the strong one paid on the share of them that escalate.
   */
  private double[][] escalate(List<Scored> scored, List<String> names, double[][] rates, int costTurns) {
    TeacherOptionsConfig.Escalate e = config.escalate();
    int b = names.indexOf(e.base());
    int s = names.indexOf(e.strong());
    Scored base = scored.get(b);
    Scored strong = scored.get(s);
    if (base.temperature() != strong.temperature()) {
      throw new ConfigException(TeacherOptionsConfig.ESCALATE, e.name(), "the two teachers stamp different "
          + "temperatures (" + base.temperature() + ", " + strong.temperature() + "): their soft labels would not "
          + "mean the same");
    }
    Escalation escalation = new Escalation(e.below());
    Escalation.Outputs train = escalation.apply(base.train(), strong.train());
    Escalation.Outputs test = escalation.apply(base.test(), strong.test());
    String kind = String.format(Locale.ROOT, "%s, escalated to %s where %s's top probability < %s (%.1f %% of the "
        + "training turns, %.1f %% of the held-out)", e.base(), e.strong(), e.base(), e.below(),
        100 * train.share(), 100 * test.share());
    scored.add(new Scored(e.name(), base.version() + ">" + strong.version(), kind, base.labels(),
        base.temperature(), train.scores(), test.scores(), train.escalated()));
    double share = test.share(costTurns);
    double[][] withIt = java.util.Arrays.copyOf(rates, rates.length + 1);
    withIt[rates.length] = new double[rates[b].length];
    for (int r = 0; r < rates[b].length; r++) {
      withIt[rates.length][r] = Escalation.turnsPerSecond(rates[b][r], rates[s][r], share);
    }
    out.printf(Locale.ROOT, "escalating teacher %s: %.1f %% of the training turns and %.1f %% of the cost turns "
        + "escalate (below %s)%n", e.name(), 100 * train.share(), 100 * share, e.below());
    return withIt;
  }

  private void checkEscalationLabels(Map<String, List<String>> labels) {
    TeacherOptionsConfig.Escalate e = config.escalate();
    if (e != null && !labels.get(e.base()).equals(labels.get(e.strong()))) {
      throw new ConfigException(TeacherOptionsConfig.ESCALATE, e.name(), "the two teachers have other labels, or "
          + "in another order: one cannot stand in for the other");
    }
  }

  /** On how many of the same turns two teachers' top labels differ (compared by name). */
  static long differs(List<String> labels, List<TeacherScore> scores, List<String> otherLabels,
      List<TeacherScore> other) {
    long differ = 0;
    for (int i = 0; i < scores.size(); i++) {
      if (!labels.get(scores.get(i).topIndex()).equals(otherLabels.get(other.get(i).topIndex()))) {
        differ++;
      }
    }
    return differ;
  }

  /** The cascade's fallback teacher, null without one. */
  private Scored fallback(List<Scored> scored) {
    return config.fallback().isEmpty() ? null
        : scored.stream().filter(s -> s.name().equals(config.fallback())).findFirst().orElseThrow();
  }

  /**
   * One student of teacher {@code s}: on every turn, or behind the gate with the gated students'
   * settings, the turns the gate skips scored by {@code fallback} when there is one.
   */
  private TeacherOptionsReport.Student train(Scored s, Scored fallback, List<Clinc150.Example> train,
      List<int[]> testTokens, int[] gold, long seed, boolean gated, AtomicLong weights) {
    TrainerConfig trainer = trainer(gated ? config.gatedTrainer() : config.trainer(), seed);
    LearningCurve curves = new LearningCurve(s.labels().size(), s.temperature(), testTokens, gold, Integer.MAX_VALUE,
        trainer, fallback == null ? s.temperature() : fallback.temperature());
    List<LearningCurve.Example> stream = ScoredClinc.stream(train, s.train(), fallback == null ? null
        : fallback.train(), s.escalated(), s.labels(), config.passes(), config.goldFraction(), seed);
    TeacherOptionsReport.Student st = student(seed, () -> gated
        ? curves.run(config.gate(), gate(seed, trainer), stream, m -> weights.set(parameters(m)))
        : curves.run("all", new AllPolicy(), stream, m -> weights.set(parameters(m))));
    out.println(gated
        ? String.format(Locale.ROOT, "      %s, seed %d: gated %.4f with %.0f %% of the turns scored (%.0f s)",
            s.name(), seed, st.accuracy(), 100.0 * st.calls() / st.turns(), st.seconds())
        : String.format(Locale.ROOT, "      %s, seed %d: all %.4f (%.0f s)", s.name(), seed, st.accuracy(),
            st.seconds()));
    return st;
  }

  /** The students in submission order; a student's failure is the run's. */
  private static List<TeacherOptionsReport.Student> done(List<Future<TeacherOptionsReport.Student>> futures)
      throws Exception {
    List<TeacherOptionsReport.Student> students = new ArrayList<>();
    for (Future<TeacherOptionsReport.Student> f : futures) {
      try {
        students.add(f.get());
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
    }
    return students;
  }

  /** The teacher's outputs for {@code texts}, from the cache when it holds them; adds {@code what} to {@code read} then. */
  private List<TeacherScore> outputs(ScoreCache cache, BundledTeacher teacher, List<String> texts, String what,
      List<String> read) throws IOException {
    if (cache == null) {
      return ScoredClinc.score(teacher, texts, what, out);
    }
    ScoreCache.Scores scores;
    try {
      scores = cache.scores(teacher.version(), texts, () -> ScoredClinc.score(teacher, texts, what, out));
    } catch (java.io.UncheckedIOException e) {
      throw new IOException(e.getMessage() + ": " + e.getCause(), e.getCause());
    }
    switch (scores.source()) {
      case READ -> {
        out.printf("      %s: read from %s%n", what, scores.file());
        read.add(what);
      }
      case REPLACED -> out.printf("      %s: the stored outputs could not be read; scored again and replaced%n", what);
      case SCORED -> out.printf("      %s: stored in %s%n", what, scores.file());
    }
    return scores.scores();
  }

  /**
   * The gated students' policy. LearningCurve's clock moves one second per batch, so a budget of
   * {@code share x batch size} turns per second over one-second windows scores that share of
   * every batch, the most uncertain turns of it.
   */
  private SelectionPolicy gate(long seed, TrainerConfig trainer) {
    TurnDraw draws = new TurnDraw(seed);
    return TeacherOptionsConfig.BUDGET.equals(config.gate())
        ? new BudgetPolicy(config.budgetShare() * trainer.batchSize(), 1_000, UncertaintyMeasure.TOP_PROBABILITY,
            config.auditShare(), draws)
        : new UncertaintyPolicy(UncertaintyMeasure.TOP_PROBABILITY, config.threshold(), config.auditShare(), draws);
  }

  private static TeacherOptionsReport.Student student(long seed, java.util.function.Supplier<LearningCurve.Curve> run) {
    long t0 = System.nanoTime();
    LearningCurve.Curve curve = run.get();
    LearningCurve.Point last = curve.last();
    return new TeacherOptionsReport.Student(seed, last.accuracy(), last.turns(), last.calls(),
        (System.nanoTime() - t0) / 1e9, curve.escalatedCalls());
  }

  /**
   * The trainer's settings with {@code settings} and the seed.
   *
   * @throws org.apache.kafka.common.config.ConfigException on a setting the trainer refuses
   */
  private static TrainerConfig trainer(Map<String, String> settings, long seed) {
    Map<String, String> all = new java.util.HashMap<>(settings);
    all.put(TrainerConfig.SEED, Long.toString(seed));
    return TrainerConfig.of(all);
  }

  private static long parameters(TextCnn model) {
    return model.parameters().stream().mapToLong(Parameter::size).sum();
  }

  /** The teacher's encoder, or the ensemble's members with their weights. */
  static String kind(BundledTeacher teacher) {
    if (teacher instanceof EnsembleTeacher ensemble) {
      EnsembleBundle bundle = ensemble.bundle();
      StringJoiner members = new StringJoiner(", ", "ensemble: ", "");
      for (int i = 0; i < bundle.members().size(); i++) {
        TeacherBundle member = bundle.members().get(i);
        members.add(String.format(Locale.ROOT, "%s %.2f", member.encoder().shortName(), bundle.weights()[i]));
      }
      return members.toString();
    }
    return teacher instanceof Teacher single ? single.bundle().encoder().shortName() : teacher.getClass().getSimpleName();
  }
}
