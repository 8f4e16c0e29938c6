package org.streamdistill.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.bench.BenchReport.Bar;
import org.streamdistill.deploy.bench.BenchReport.BrokerRate;
import org.streamdistill.deploy.bench.BenchReport.EndToEnd;
import org.streamdistill.deploy.bench.BenchReport.EndToEndRun;
import org.streamdistill.deploy.bench.BenchReport.Quality;
import org.streamdistill.deploy.bench.BenchReport.QualityRow;
import org.streamdistill.deploy.bench.BenchReport.Round;
import org.streamdistill.deploy.bench.BenchReport.Scale;
import org.streamdistill.deploy.bench.BenchReport.ScalePoint;
import org.streamdistill.deploy.bench.BenchReport.Serving;
import org.streamdistill.deploy.bench.BenchReport.StudentTraining;
import org.streamdistill.deploy.bench.BenchReport.TeacherBound;
import org.streamdistill.deploy.platform.FileTree;
import org.streamdistill.producers.replay.Clinc150Turns;
import org.streamdistill.producers.replay.ReplayOptions;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.student.export.ExportMetadata;
import org.streamdistill.student.export.OnnxExporter;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.fit.FitCommand;
import org.streamdistill.teacher.job.TeacherJobConfig;
import org.streamdistill.teacher.model.EnsembleBundle;
import org.streamdistill.teacher.model.Teacher;
import org.streamdistill.teacher.model.TeacherBundle;
import org.streamdistill.teacher.model.TeacherScore;

/**
 * {@code bench}: measures, in one run, the pipeline against its limits (see the package
 * documentation) and appends the figures as a dated section to {@code BENCHMARKS.md}, and
 * optionally writes them as JSON. Sections run one after another, never side by side, so
 * that each has the machine to itself; a section that fails is reported in the notes and the
 * others still run.
 */
public final class BenchCommand {

  /** What the Flink job's time covers: stated next to the figure. */
  static final String JOB_TIME_INCLUDES = "producing the turns (Avro encoding, idempotent acks=all producer), the "
      + "Kafka source, decoding, tokenizing, batched ONNX Runtime inference, the head, encoding, the exactly-once "
      + "transactional sink, the checkpoint that commits the last transaction and the read_committed consumer's "
      + "fetch; they exclude starting the job and the warm-up turns scored before the clock started";

  /** Published CLINC150 in-scope accuracies the issue names (offline training on every gold label). */
  static final double PUBLISHED_TEXTCNN = 0.944;

  private final BenchConfig config;
  private final String commandLine;
  private final PrintStream out;
  private final List<String> notes = new ArrayList<>();
  private final Map<String, String> loads = new LinkedHashMap<>();

  BenchCommand(BenchConfig config, String commandLine, PrintStream out) {
    this.config = config;
    this.commandLine = commandLine;
    this.out = out;
  }

  /** Runs the command; returns the process exit code (0 ok, 1 failed, 2 bad usage). */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help")) {
      out.println("Usage: streamdistill bench [--quick] [--json FILE] [--markdown FILE] [--turns N] "
          + "[--demo-summary FILE] [settings]\n\n"
          + "Measures the pipeline against its limits in one run and appends a dated section to BENCHMARKS.md.\n"
          + "Settings:\n" + BenchConfig.help());
      return 0;
    }
    BenchConfig config;
    try {
      config = BenchConfig.parse(args, System.getenv());
    } catch (ConfigException e) {
      err.println("bench: " + e.getMessage());
      return 2;
    }
    try {
      if (EnsembleBundle.isEnsemble(config.teacherBundle())) {
        err.println("bench: " + config.teacherBundle() + " is an ensemble teacher bundle; bench measures a single "
            + "encoder's bundle (raw ONNX Runtime against the job, model sizes, quality per cost). Compare teachers, "
            + "ensembles included, with: bin/streamdistill bench teachers --bundles minilm=target/teacher-bundle,"
            + "ensemble=" + config.teacherBundle());
        return 2;
      }
      BenchCommand command = new BenchCommand(config, commandLine(args, System.getenv()), out);
      if (config.cluster()) {
        ClusterBenchReport report = command.executeCluster(err);
        return report == null || report.clusterScale() == null ? 1 : 0;
      }
      BenchReport report = command.execute(err);
      return report == null ? 1 : 0;
    } catch (IOException e) {
      err.println("bench: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      err.println("bench failed: " + e);
      e.printStackTrace(err);
      return 1;
    }
  }

  /** The command as typed, with the {@code STREAMDISTILL_BENCH_*} variables that changed settings. */
  static String commandLine(List<String> args, Map<String, String> env) {
    StringBuilder s = new StringBuilder();
    new TreeMap<>(env).forEach((name, value) -> {
      if (name.startsWith("STREAMDISTILL_BENCH_")) {
        s.append(name).append('=').append(quote(value)).append(' ');
      }
    });
    s.append("bin/streamdistill bench");
    for (String arg : args) {
      s.append(' ').append(quote(arg));
    }
    return s.toString();
  }

  private static String quote(String arg) {
    return arg.matches("[A-Za-z0-9_./:=,@%+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
  }

  BenchReport execute(PrintStream err) throws Exception {
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long start = System.nanoTime();
    Machine machine = Machine.current();
    out.printf(Locale.ROOT, "bench (%s): %d processors, %.1f GiB, Java %s; load average %s%n",
        config.quick() ? "quick" : "full", machine.processors(), machine.totalMemoryBytes() / (1024.0 * 1024 * 1024),
        machine.javaVersion(), machine.loadAverageStart());
    Clinc150 data = Clinc150.read(config.data());
    if (!ensureBundle(err)) {
      return null;
    }
    FileTree.delete(config.workDir());
    Files.createDirectories(config.workDir());
    TeacherBundle bundle = TeacherBundle.load(config.teacherBundle());
    Duration timeout = Duration.ofMinutes(config.timeoutMinutes());
    int cores = machine.processors();
    int batch = config.batchMaxSize();

    Clinc150Turns warmup = new Clinc150Turns(data, new ReplayOptions(1, false, 0.1, config.seed() + 1,
        Math.max(1, config.warmupTurns()), 6), System::currentTimeMillis);
    Iterable<DialogueTurn> warmupTurns = config.warmupTurns() == 0 ? List.of() : warmup;
    // Each round has turns of its own (the same utterances, reshuffled, under new turn ids).
    List<Clinc150Turns> roundTurns = new ArrayList<>();
    for (int r = 0; r < config.rounds(); r++) {
      roundTurns.add(measuredTurns(data, config.seed() + 1_000L * r));
    }
    List<DialogueTurn> turns = new ArrayList<>();
    roundTurns.get(0).forEach(turns::add);
    List<String> texts = turns.stream().map(DialogueTurn::getText).toList();
    int threadsAt2 = Math.max(1, cores / 2);

    // 1. The teacher alone, with the job's thread setting (0 = one per processor) and batch size,
    // against the job, in alternating rounds; 5. the same at parallelism 2, and the broker alone.
    out.printf("[section 1] teacher alone on ONNX Runtime (%d threads, batch 1 and %d) against the teacher job "
        + "through Kafka (parallelism 1): %,d turns, %d round(s) ...%n", cores, batch, texts.size(), config.rounds());
    double rawBatch1;
    List<TeacherScore> scores = new ArrayList<>();
    Paired p1 = null;
    Paired p2 = null;
    BrokerRate broker = null;
    try (Teacher teacher = Teacher.open(config.teacherBundle(), cores);
         BenchPlatform platform = BenchPlatform.start(config.workDir().resolve("kafka"))) {
      loads.put("raw teacher batch 1", Machine.loadAverage());
      rawBatch1 = RawTeacherThroughput.perSecond(teacher, texts, 1);
      out.printf(Locale.ROOT, "      raw, batch 1: %.1f turns/s%n", rawBatch1);
      Map<String, String> jobSettings = Map.of(
          TeacherJobConfig.BUNDLE, config.teacherBundle().toString(),
          TeacherJobConfig.BATCH_MAX_SIZE, Integer.toString(batch),
          TeacherJobConfig.BATCH_MAX_WAIT_MS, Long.toString(config.batchMaxWaitMillis()),
          TeacherJobConfig.CHECKPOINT_INTERVAL_MS, Long.toString(config.checkpointIntervalMillis()));
      TeacherJobThroughput job = new TeacherJobThroughput(platform, jobSettings, timeout);
      loads.put("rounds at parallelism 1", Machine.loadAverage());
      p1 = attempt("raw teacher against the job at parallelism 1", () -> paired(job, "bench-p1", 1, cores,
          warmupTurns, roundTurns, (round, roundTexts) -> round == 0
              ? RawTeacherThroughput.perSecond(teacher, roundTexts, batch, scores)
              : RawTeacherThroughput.perSecond(teacher, roundTexts, batch)));
      out.printf("[section 5] scale: raw teachers against the job at parallelism 2, %d thread(s) each; the broker "
          + "alone ...%n", threadsAt2);
      loads.put("rounds at parallelism 2", Machine.loadAverage());
      p2 = attempt("raw teachers against the job at parallelism 2", () -> paired(job, "bench-p2", 2, threadsAt2,
          warmupTurns, roundTurns, (round, roundTexts) ->
              RawTeacherThroughput.parallelPerSecond(config.teacherBundle(), 2, threadsAt2, roundTexts, batch)));
      Paired labels = p1;
      loads.put("broker", Machine.loadAverage());
      broker = attempt("broker alone", () -> brokerRate(platform, turns, labels == null ? null : labels.last()));
    }
    if (scores.isEmpty()) {
      // The paired rounds failed before scoring round 0: the student still needs the teacher's outputs.
      try (Teacher teacher = Teacher.open(config.teacherBundle(), cores)) {
        RawTeacherThroughput.perSecond(teacher, texts, batch, scores);
      }
    }
    double rawBatch = p1 == null ? Double.NaN : p1.rawMedian();

    TeacherBound bound = new TeacherBound(bundle.teacherVersion(), texts.size(), batch, config.batchMaxWaitMillis(),
        1, cores, config.checkpointIntervalMillis(), rawBatch1, rawBatch,
        p1 == null ? Double.NaN : p1.jobMedian(), p1 == null ? Double.NaN : p1.scoringMedian(),
        p1 == null ? 0 : p1.deadLetters(), p1 == null ? Double.NaN : p1.ratioMedian(),
        p1 == null ? List.of() : p1.rounds(), JOB_TIME_INCLUDES);
    List<ScalePoint> points = new ArrayList<>();
    points.add(p1 == null ? new ScalePoint(1, cores, Double.NaN, Double.NaN, Double.NaN, List.of())
        : new ScalePoint(1, cores, p1.rawMedian(), p1.jobMedian(), p1.ratioMedian(), p1.rounds()));
    points.add(p2 == null ? new ScalePoint(2, threadsAt2, Double.NaN, Double.NaN, Double.NaN, List.of())
        : new ScalePoint(2, threadsAt2, p2.rawMedian(), p2.jobMedian(), p2.ratioMedian(), p2.rounds()));
    Scale scale = new Scale(points, broker);
    if (Double.isNaN(rawBatch)) {
      rawBatch = rawBatch1;
      notes.add("Sections 2 and 4 compare with the raw teacher at batch 1: the batched rounds of section 1 failed.");
    }
    double teacherRate = rawBatch;

    // 2. Student training on the teacher's own outputs for these turns.
    out.printf("[section 2] student training, one thread, %.0f s ...%n", config.trainingSeconds());
    loads.put("student training", Machine.loadAverage());
    StudentTrainingSpeed trainer = new StudentTrainingSpeed(bundle.labels().size());
    StudentTraining training = trainer.measure(examples(bundle, turns, scores), (float) bundle.temperature(),
        config.trainingSeconds(), teacherRate);
    out.printf(Locale.ROOT, "      %.0f turns learned/s, %.1f x the teacher's rate%n", training.examplesPerSecond(),
        training.ratio());
    Path studentOnnx = config.workDir().resolve("student-bench.onnx");
    OnnxExporter.export(trainer.model(), ExportMetadata.of("student", "student-bench", bundle.labelSetId(),
        bundle.labels().toArray(new String[0])), studentOnnx);

    // 3. Serving latency, side by side.
    List<String> servingTexts = texts.subList(0, Math.min(config.servingTurns(), texts.size()));
    out.printf("[section 3] serving: %,d turns one at a time, teacher and student, 1 thread each ...%n",
        servingTexts.size());
    loads.put("serving", Machine.loadAverage());
    Serving serving = attempt("serving latency", () -> ServingLatency.measure(config.teacherBundle(), studentOnnx,
        servingTexts));
    if (serving != null) {
      out.printf(Locale.ROOT, "      p50 %.3f ms vs %.3f ms: %.1fx; p99 %.1fx%n", serving.teacherMillis().p50(),
          serving.studentMillis().p50(), serving.speedupP50(), serving.speedupP99());
    }

    // 4. End to end at a fixed offered load, one fresh pipeline per checkpoint interval.
    double capacity = bound.jobPerSecond();
    double rate = config.rate() > 0 ? config.rate()
        : config.loadFraction() * (Double.isNaN(capacity) ? teacherRate : capacity);
    if (Double.isNaN(capacity) && config.rate() <= 0) {
      notes.add("The end-to-end load was derived from the raw teacher rate: the job's throughput was not measured.");
    }
    EndToEndLatency e2e = new EndToEndLatency(data, config.workDir(), config.teacherBundle(), Map.of(
        TeacherJobConfig.BATCH_MAX_SIZE, Integer.toString(batch),
        TeacherJobConfig.BATCH_MAX_WAIT_MS, Long.toString(config.batchMaxWaitMillis())), config.seed(), timeout);
    List<EndToEndRun> runs = new ArrayList<>();
    EndToEndLatency.OnlineQuality online = null;
    List<Long> intervals = config.checkpointIntervalsMillis();
    for (int i = 0; i < intervals.size(); i++) {
      long interval = intervals.get(i);
      boolean last = i == intervals.size() - 1;
      out.printf(Locale.ROOT, "[section 4] end to end: checkpoints every %,d ms, %.1f turns/s for %.0f s%s ...%n",
          interval, rate, config.e2eWarmupSeconds() + config.e2eSeconds(),
          last && config.qualityTestTurns() > 0 ? ", then held-out test turns for section 6" : "");
      loads.put("end to end " + interval + " ms", Machine.loadAverage());
      EndToEndLatency.Outcome outcome = attempt("end to end at " + interval + " ms checkpoints", () ->
          e2e.run(interval, rate, config.e2eWarmupSeconds(), config.e2eSeconds(),
              last ? config.qualityTestTurns() : 0));
      if (outcome != null) {
        runs.add(outcome.run());
        out.printf(Locale.ROOT,
            "      label visible p50 %.0f ms p99 %.0f ms; prediction visible p50 %.0f ms p99 %.0f ms%n",
            outcome.run().softLabelVisible().p50(), outcome.run().softLabelVisible().p99(),
            outcome.run().predictionVisible().p50(), outcome.run().predictionVisible().p99());
        if (outcome.quality() != null) {
          online = outcome.quality();
        }
      }
    }
    EndToEnd endToEnd = runs.isEmpty() ? null
        : new EndToEnd(capacity, rate, config.e2eWarmupSeconds(), config.e2eSeconds(), trainerCommitEveryMillis(),
            runs);

    // 6. Quality per cost.
    out.println("[section 6] quality per cost ...");
    Quality quality = quality(bundle, trainer, studentOnnx, serving, online, intervals.get(intervals.size() - 1));

    List<Bar> bars = new ArrayList<>();
    Bar teacherBar = Bar.atLeast("in-pipeline / raw teacher throughput (issue 3)", bound.ratio(), 0.8);
    String caveat = p1 == null ? null : p1.caveat();
    bars.add(caveat == null ? teacherBar : teacherBar.withCaveat(caveat));
    if (p2 != null && p2.caveat() != null) {
      notes.add("Parallelism 2 (section 5): " + p2.caveat() + ".");
    }
    bars.add(Bar.atLeast("student turns learned / teacher turns scored (issue 7)", training.ratio(), 5));
    if (serving != null) {
      // "Classifies a turn 20 times faster": the typical turn, p50; the p99 ratio is in section 3.
      bars.add(Bar.atLeast("student serving speed-up, p50 (issue 4)", serving.speedupP50(), 20));
    }
    BenchReport report = new BenchReport(started.toString(), commandLine, config.quick() ? "quick" : "full",
        machine.withLoadAverageEnd(Machine.loadAverage()), loads, (System.nanoTime() - start) / 1e9, bound, training,
        serving, endToEnd, scale, quality, bars, notes);
    if (config.json() != null) {
      BenchJson.write(report, config.json());
      out.printf("figures written to %s%n", config.json());
    }
    if (config.markdown() != null) {
      BenchMarkdown.append(report, config.markdown());
      out.printf("section appended to %s%n", config.markdown());
    }
    for (Bar bar : bars) {
      out.printf(Locale.ROOT, "  %-55s %8.2f (>= %.1f) %s%n", bar.name(), bar.value(), bar.threshold(),
          bar.met() ? "met" : "NOT MET");
    }
    out.printf(Locale.ROOT, "bench done in %.0f s%n", report.wallSeconds());
    return report;
  }

  /**
   * {@code bench --cluster}: only the teacher job's scale-out on the local Flink cluster (see {@link
   * ClusterScaleOut}), against raw teachers of one ONNX thread each in this JVM, appended as a section
   * of its own with the machine and the command.
   */
  ClusterBenchReport executeCluster(PrintStream err) throws Exception {
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long start = System.nanoTime();
    Machine machine = Machine.current();
    out.printf(Locale.ROOT, "bench --cluster (%s sizes): %d processors, %.1f GiB, Java %s; load average %s%n",
        config.quick() ? "quick" : "full", machine.processors(),
        machine.totalMemoryBytes() / (1024.0 * 1024 * 1024), machine.javaVersion(), machine.loadAverageStart());
    Clinc150 data = Clinc150.read(config.data());
    if (!ensureBundle(err)) {
      return null;
    }
    FileTree.delete(config.workDir());
    Files.createDirectories(config.workDir());
    // The job on the cluster runs with its own batch size: the raw teachers use the same.
    int batch = (Integer) TeacherJobConfig.DEFINITION.defaultValues().get(TeacherJobConfig.BATCH_MAX_SIZE);
    if (batch != config.batchMaxSize()) {
      notes.add("--cluster runs the job with its default " + TeacherJobConfig.BATCH_MAX_SIZE + " (" + batch + "); "
          + BenchConfig.BATCH_MAX_SIZE + " (" + config.batchMaxSize() + ") does not apply to it.");
    }
    // Every list of turns has turn ids of its own: each seed gives new ones.
    List<Clinc150Turns> roundsAt1 = new ArrayList<>();
    List<Clinc150Turns> roundsAt2 = new ArrayList<>();
    for (int r = 0; r < config.rounds(); r++) {
      roundsAt1.add(measuredTurns(data, config.seed() + 1_000L * r));
      roundsAt2.add(measuredTurns(data, config.seed() + 500L + 1_000L * r));
    }
    int warmups = Math.max(1, config.warmupTurns());
    Clinc150Turns warmupAt1 = new Clinc150Turns(data, new ReplayOptions(1, false, 0.1, config.seed() + 1, warmups, 6),
        System::currentTimeMillis);
    Clinc150Turns warmupAt2 = new Clinc150Turns(data, new ReplayOptions(1, false, 0.1, config.seed() + 2, warmups, 6),
        System::currentTimeMillis);
    out.printf("[cluster] teacher job on the local Flink cluster at parallelism 1, then 2 (rescaled from a "
        + "savepoint), one ONNX thread per subtask, against raw teachers; %d round(s) of %,d turns ...%n",
        config.rounds(), config.turns());
    ClusterScaleOut scaleOut = new ClusterScaleOut(ClusterScaleOut.clusterConfig(config.workDir().resolve("cluster"),
        config.clusterBasePort(), config.teacherBundle(), config.clusterJobJar(), config.checkpointIntervalMillis(),
        config.clusterJvmFlags()),
        batch, Duration.ofMinutes(config.timeoutMinutes()), out, loads);
    ClusterScaleOut.ClusterScale scale = attempt("the scale-out on the local cluster", () -> scaleOut.measure(
        warmupAt1, warmupAt2, roundsAt1, roundsAt2, (parallelism, texts) ->
            RawTeacherThroughput.parallelPerSecond(config.teacherBundle(), parallelism, 1, texts, batch)));
    if (scale != null) {
      for (BenchReport.ScalePoint p : scale.points()) {
        String caveat = spreadCaveat(p.rounds().stream().mapToDouble(Round::ratio).toArray());
        if (caveat != null) {
          notes.add("Parallelism " + p.parallelism() + ": " + caveat + ".");
        }
      }
      out.printf(Locale.ROOT, "      parallelism 2 / 1: job %.2f, raw %.2f%n", scale.jobSpeedup(), scale.rawSpeedup());
    }
    ClusterBenchReport report = new ClusterBenchReport(started.toString(), commandLine,
        "cluster" + (config.quick() ? ", quick" : ""), machine.withLoadAverageEnd(Machine.loadAverage()), loads,
        (System.nanoTime() - start) / 1e9, scale, notes);
    if (config.json() != null) {
      BenchJson.write(report, config.json());
      out.printf("figures written to %s%n", config.json());
    }
    if (config.markdown() != null) {
      BenchMarkdown.append(report, config.markdown());
      out.printf("section appended to %s%n", config.markdown());
    }
    out.printf(Locale.ROOT, "bench --cluster done in %.0f s%n", report.wallSeconds());
    return report;
  }

  /** The turns of the throughput sections: the test split first, then training turns if more are asked for. */
  private Clinc150Turns measuredTurns(Clinc150 data, long seed) {
    int testSize = data.testWithOos().size();
    int n = config.turns();
    if (n <= testSize) {
      return new Clinc150Turns(data, new ReplayOptions(0, true, 0.1, seed, n, 6), System::currentTimeMillis);
    }
    int trainSize = data.trainWithOos().size();
    int passes = (n - testSize + trainSize - 1) / trainSize;
    return new Clinc150Turns(data, new ReplayOptions(passes, true, 0.1, seed, n, 6), System::currentTimeMillis);
  }

  /** Raw teacher throughput of round {@code round} on {@code texts}. */
  private interface RawMeasurement {
    double perSecond(int round, List<String> texts) throws Exception;
  }

  /** Medians over the rounds of raw teacher against job, and the rounds themselves. */
  private record Paired(double rawMedian, double jobMedian, double scoringMedian, double ratioMedian,
                        long deadLetters, List<Round> rounds, TeacherJobThroughput.Result last) {

    /** Why the median cannot be trusted, or null: the rounds' ratios disagree. */
    String caveat() {
      return spreadCaveat(rounds.stream().mapToDouble(Round::ratio).toArray());
    }
  }

  /** Largest / smallest per-round ratio beyond which the rounds are said to disagree. */
  static final double MAX_ROUND_SPREAD = 1.25;

  /**
   * A caveat when paired rounds disagree by more than {@link #MAX_ROUND_SPREAD}: the load of
   * the machine changed during the rounds, so their median measures the machine, not the job.
   */
  static String spreadCaveat(double[] ratios) {
    if (ratios.length < 2) {
      return null;
    }
    double min = java.util.Arrays.stream(ratios).min().orElseThrow();
    double max = java.util.Arrays.stream(ratios).max().orElseThrow();
    if (min > 0 && max / min <= MAX_ROUND_SPREAD) {
      return null;
    }
    return String.format(Locale.ROOT, "the rounds disagree (job / raw from %.3f to %.3f): the machine's load "
        + "changed during them; rerun on a quieter machine", min, max);
  }

  /**
   * Starts the job, then measures raw teacher and job on each round's turns, alternating which
   * goes first (raw first in even rounds), so that a drift in background load does not favour
   * either.
   */
  private Paired paired(TeacherJobThroughput throughput, String namespace, int parallelism, int threads,
                        Iterable<DialogueTurn> warmup, List<Clinc150Turns> roundTurns, RawMeasurement raw)
      throws Exception {
    List<Round> rounds = new ArrayList<>();
    TeacherJobThroughput.Result last = null;
    long dead = 0;
    try (TeacherJobThroughput.RunningJob job = throughput.start(namespace, parallelism, threads, warmup)) {
      for (int r = 0; r < roundTurns.size(); r++) {
        Clinc150Turns turns = roundTurns.get(r);
        List<String> texts = new ArrayList<>();
        turns.forEach(t -> texts.add(t.getText()));
        boolean rawFirst = r % 2 == 0;
        double rawRate = rawFirst ? raw.perSecond(r, texts) : Double.NaN;
        TeacherJobThroughput.Result result = job.measure(turns);
        if (!rawFirst) {
          rawRate = raw.perSecond(r, texts);
        }
        rounds.add(new Round(rawFirst ? "raw, job" : "job, raw", rawRate, result.perSecond(),
            result.scoringPerSecond(), result.seconds(), result.commitTailMillis(), result.perSecond() / rawRate));
        out.printf(Locale.ROOT, "      round %d (%s): raw %.1f turns/s, job %.1f turns/s, job / raw %.3f%n", r + 1,
            rawFirst ? "raw first" : "job first", rawRate, result.perSecond(), result.perSecond() / rawRate);
        dead += result.deadLetters();
        last = result;
      }
    }
    return new Paired(median(rounds.stream().mapToDouble(Round::rawPerSecond).toArray()),
        median(rounds.stream().mapToDouble(Round::jobPerSecond).toArray()),
        median(rounds.stream().mapToDouble(Round::jobScoringPerSecond).toArray()),
        median(rounds.stream().mapToDouble(Round::ratio).toArray()), dead, rounds, last);
  }

  /** How often the trainer of the embedded pipeline (its defaults) commits its transactions. */
  private static long trainerCommitEveryMillis() {
    Object value = TrainerConfig.DEFINITION.defaultValues().get(TrainerConfig.COMMIT_EVERY_MS);
    return value instanceof Long l ? l : -1;
  }

  /** The middle value; the mean of the two middle ones for an even count. */
  static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    int n = sorted.length;
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** Training examples as soft labels carry them: token ids, logits, a gold index on a tenth of them. */
  private List<StudentTrainingSpeed.Example> examples(TeacherBundle bundle, List<DialogueTurn> turns,
                                                     List<TeacherScore> scores) {
    Random random = new Random(config.seed());
    List<StudentTrainingSpeed.Example> examples = new ArrayList<>(scores.size());
    for (int i = 0; i < scores.size(); i++) {
      String gold = turns.get(i).getGoldLabel();
      Integer goldIndex = gold != null && random.nextDouble() < 0.1 && bundle.labelIndex(gold) >= 0
          ? bundle.labelIndex(gold) : null;
      examples.add(new StudentTrainingSpeed.Example(scores.get(i).tokenIds(), scores.get(i).logits(), goldIndex));
    }
    return examples;
  }

  private BrokerRate brokerRate(BenchPlatform platform, List<DialogueTurn> turns, TeacherJobThroughput.Result job)
      throws Exception {
    AvroWireCodec<DialogueTurn> codec = new AvroWireCodec<>(platform.registry(), Topics.TURNS.valueSubject(),
        DialogueTurn.class);
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (DialogueTurn t : turns) {
      keys.add(t.getConversationId().getBytes(StandardCharsets.UTF_8));
      values.add(codec.encode(t));
    }
    BrokerThroughput broker = new BrokerThroughput(platform.bootstrapServers());
    BrokerThroughput.Rate turnRate = broker.measure("bench-broker." + Topics.TURNS.name(),
        Topics.TURNS.partitions(), keys, values, config.brokerRecords());
    BrokerThroughput.Rate labelRate = null;
    if (job != null && !job.softLabels().isEmpty()) {
      List<byte[]> labelKeys = new ArrayList<>();
      List<byte[]> labelValues = new ArrayList<>();
      for (CommittedWatcher.Seen s : job.softLabels()) {
        labelKeys.add(s.key());
        labelValues.add(s.value());
      }
      labelRate = broker.measure("bench-broker." + Topics.SOFT_LABELS.name(), Topics.SOFT_LABELS.partitions(),
          labelKeys, labelValues, config.brokerRecords());
    }
    return new BrokerRate(config.brokerRecords(), turnRate.meanValueBytes(), turnRate.producePerSecond(),
        turnRate.consumePerSecond(), labelRate == null ? Double.NaN : labelRate.meanValueBytes(),
        labelRate == null ? Double.NaN : labelRate.producePerSecond(),
        labelRate == null ? Double.NaN : labelRate.consumePerSecond());
  }

  private Quality quality(TeacherBundle bundle, StudentTrainingSpeed trainer, Path studentOnnx, Serving serving,
                          EndToEndLatency.OnlineQuality online, long lastInterval) throws IOException {
    ModelSizes.Size teacherSize = ModelSizes.teacher(config.teacherBundle());
    ModelSizes.Size studentSize = ModelSizes.onnxFile(studentOnnx);
    Double teacherP50 = serving == null ? null : serving.teacherMillis().p50();
    Double studentP50 = serving == null ? null : serving.studentMillis().p50();
    Double speedup = serving == null ? null : serving.speedupP50();
    List<QualityRow> rows = new ArrayList<>();
    double ratio = Double.NaN;
    StringBuilder source = new StringBuilder();
    if (online != null && online.inScopeTurns() > 0) {
      double teacherAccuracy = (double) online.teacherCorrect() / online.inScopeTurns();
      double studentAccuracy = (double) online.studentCorrect() / online.inScopeTurns();
      ratio = studentAccuracy / teacherAccuracy;
      rows.add(new QualityRow("teacher: MiniLM-L6 + head (" + bundle.teacherVersion() + ")", "this run, online",
          teacherAccuracy, online.inScopeTurns(), 1.0, teacherP50, 1.0, teacherSize.parameters(),
          teacherSize.bytes()));
      rows.add(new QualityRow(String.format(Locale.ROOT, "student: TextCNN (%s), learned online from %,d turns",
          online.studentVersion(), online.turnsLearned()), "this run, online", studentAccuracy, online.inScopeTurns(),
          ratio, studentP50, speedup, studentSize.parameters(), studentSize.bytes()));
      source.append(String.format(Locale.ROOT, "a short online run. In the last end-to-end run (checkpoints every "
              + "%,d ms) the student learned online from %,d CLINC150 training turns (gold labels on 10 %%); then "
              + "held-out test turns were replayed through the same pipeline and the teacher's and the student's "
              + "(challenger's) predictions on the %,d in-scope ones were read from student.predictions "
              + "(read_committed). The student has seen a fraction of what the demo's three passes give it, so its "
              + "accuracy here is a lower bound.", lastInterval, online.turnsLearned(), online.inScopeTurns()));
    } else {
      rows.add(new QualityRow("teacher: MiniLM-L6 + head (" + bundle.teacherVersion() + ")", "", null, null, null,
          teacherP50, 1.0, teacherSize.parameters(), teacherSize.bytes()));
      rows.add(new QualityRow("student: TextCNN", "", null, null, null, studentP50, speedup,
          studentSize.parameters(), studentSize.bytes()));
      source.append("no online run of this bench measured accuracy (" + BenchConfig.QUALITY_TEST_TURNS + " = 0 or "
          + "the end-to-end runs failed).");
    }
    if (config.demoSummary() != null) {
      JsonNode demo = new ObjectMapper().readTree(config.demoSummary().toFile());
      double teacherAccuracy = demo.path("teacher_test_accuracy").asDouble(Double.NaN);
      double studentAccuracy = demo.path("student_test_accuracy").asDouble(Double.NaN);
      rows.add(new QualityRow("teacher (" + demo.path("teacher_version").asText("?") + ")",
          "demo summary " + config.demoSummary().getFileName(), teacherAccuracy,
          demo.path("teacher_test_turns").asLong(), 1.0, null, null, null, null));
      rows.add(new QualityRow(String.format(Locale.ROOT, "student (%s), %d training passes, learned from %,d turns",
          demo.path("student_version").asText("?"), demo.path("train_passes").asInt(),
          demo.path("turns_learned").asLong()), "demo summary " + config.demoSummary().getFileName(),
          studentAccuracy, demo.path("student_test_turns").asLong(), studentAccuracy / teacherAccuracy, null, null,
          null, null));
      if (Double.isNaN(ratio)) {
        ratio = studentAccuracy / teacherAccuracy;
      }
      source.append(" The demo rows are read from ").append(config.demoSummary())
          .append(" (a separate `bin/streamdistill demo` run), not measured by this bench.");
    }
    rows.add(new QualityRow("TextCNN, trained offline on every gold label", "published reference (issue 7)",
        PUBLISHED_TEXTCNN, null, null, null, null, null, null));
    rows.add(new QualityRow("BERT-base, fine-tuned (96.5-97.7 %)", "published reference (issue 7)", null, null, null,
        null, null, 110_000_000L, null));
    return new Quality(source.toString(), ratio, speedup == null ? Double.NaN : speedup, rows);
  }

  private boolean ensureBundle(PrintStream err) {
    if (Files.isDirectory(config.teacherBundle())) {
      out.printf("using teacher bundle %s (delete it to refit)%n", config.teacherBundle());
      return true;
    }
    out.printf("teacher bundle %s not found: fitting the teacher head on CLINC150 first%n", config.teacherBundle());
    int code = FitCommand.run(List.of("--data", config.data().toString(), "--out", config.teacherBundle().toString()),
        out, err);
    if (code != 0) {
      err.println("bench: fitting the teacher failed (exit code " + code + ")");
      return false;
    }
    return true;
  }

  /** Runs one measurement; a failure becomes a note and a null figure, and the run goes on. */
  private <T> T attempt(String what, Measurement<T> measurement) {
    try {
      return measurement.run();
    } catch (Exception e) {
      notes.add(what + " failed: " + e);
      out.println("      " + what + " failed: " + e + " (see target/streamdistill.log)");
      org.slf4j.LoggerFactory.getLogger(BenchCommand.class).warn("bench: {} failed", what, e);
      return null;
    }
  }

  private interface Measurement<T> {
    T run() throws Exception;
  }
}
