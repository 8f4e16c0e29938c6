package org.streamdistill.deploy.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.platform.FileTree;
import org.streamdistill.evaluator.console.ConsoleCommand.Console;
import org.streamdistill.evaluator.console.ConsoleConfig;
import org.streamdistill.producers.publish.RateLimiter;
import org.streamdistill.producers.publish.TurnPublisher;
import org.streamdistill.producers.replay.Clinc150Turns;
import org.streamdistill.producers.replay.ReplayOptions;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.schemas.metrics.PrometheusText;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.student.training.StudentTrainer;
import org.streamdistill.teacher.fit.FitCommand;
import org.streamdistill.teacher.job.TeacherJobConfig;
import org.streamdistill.teacher.job.TurnScorers;
import org.streamdistill.teacher.model.InvalidBundleException;

/**
 * {@code demo}: replays CLINC150 through the whole pipeline on the embedded platform, shows
 * progress while it runs and a summary, computed from the topics, at the end.
 */
public final class DemoCommand {

  /** How long the demo waits for the teacher job to open before it replays (it fails after). */
  static final java.time.Duration TEACHER_OPEN_TIMEOUT = java.time.Duration.ofMinutes(5);

  private final DemoConfig config;
  private final PrintStream out;
  /** The console's settings for a pipeline at (bootstrap servers, registry URL); null for none. */
  private final BiFunction<String, String, ConsoleConfig> console;

  DemoCommand(DemoConfig config, PrintStream out) {
    this(config, out, (bootstrap, registry) -> null);
  }

  DemoCommand(DemoConfig config, PrintStream out, BiFunction<String, String, ConsoleConfig> console) {
    this.config = config;
    this.out = out;
    this.console = console;
  }

  /** Runs the command; returns the process exit code (0 ok, 1 failed, 2 bad usage). */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help")) {
      out.println("Usage: streamdistill demo [--summary-json FILE] [settings]\n\n"
          + "Runs the whole pipeline on the embedded platform. Settings:\n" + DemoConfig.LOADER.help());
      return 0;
    }
    DemoConfig config;
    try {
      config = DemoConfig.parse(args, System.getenv());
      config.checkFallbackBundle();
    } catch (ConfigException e) {
      err.println("demo: " + e.getMessage());
      return 2;
    }
    try {
      DemoSummary summary = new DemoCommand(config, out,
          (bootstrap, registry) -> DemoConfig.console(args, System.getenv(), bootstrap, registry)).execute(err);
      return summary == null ? 1 : 0;
    } catch (IOException e) {
      err.println("demo: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      err.println("demo failed: " + e);
      e.printStackTrace(err);
      return 1;
    }
  }

  DemoSummary execute(PrintStream err) throws Exception {
    long start = System.nanoTime();
    DemoSummary summary = new DemoSummary();
    summary.trainPasses = config.passes();
    summary.goldFraction = config.goldFraction();
    summary.streamFrom = config.streamFrom();
    summary.trainerSettings = config.trainer();

    if (!Files.isDirectory(config.teacherBundle())) {
      out.printf("teacher bundle %s not found: fitting the teacher head on CLINC150 first%n", config.teacherBundle());
      long fitStart = System.nanoTime();
      int code = FitCommand.run(List.of("--data", config.data().toString(), "--out", config.teacherBundle().toString()),
          out, err);
      if (code != 0) {
        err.println("demo: fitting the teacher failed (exit code " + code + ")");
        return null;
      }
      summary.fitSeconds = (System.nanoTime() - fitStart) / 1e9;
    } else {
      out.printf("using teacher bundle %s (delete it to refit)%n", config.teacherBundle());
    }
    try {
      // Said before anything starts: the teacher job would fail on it at every restart.
      TurnScorers.checkBundles(config.teacherBundle(), config.teacherSelection());
    } catch (InvalidBundleException e) {
      err.println("demo: a teacher bundle cannot be used: " + e.getMessage() + " (fit it again: for the teacher, "
          + "delete " + config.teacherBundle() + " and the demo refits it)");
      return null;
    }

    Clinc150 data = Clinc150.read(config.data());
    FileTree.delete(config.workDir());
    Files.createDirectories(config.workDir());
    // Two phases: the training passes, then, once every training turn has been predicted, the
    // held-out test split. Partitions are consumed at their own pace, so sending both at once
    // would let some test turns be judged by a half-trained student.
    Clinc150Turns training = new Clinc150Turns(data, new ReplayOptions(config.passes(), false, config.goldFraction(),
        config.seed(), config.limit(), 6, config.streamFrom()), System::currentTimeMillis);
    Clinc150Turns heldOut = new Clinc150Turns(data, new ReplayOptions(0, true, config.goldFraction(),
        config.seed(), config.limit(), 6), System::currentTimeMillis);
    long total = training.size() + heldOut.size();
    out.printf("starting the embedded platform and the pipeline in %s (full log: %s) ...%n", config.workDir(),
        System.getProperty("streamdistill.log.file", "target/streamdistill.log"));

    Map<String, String> teacherSettings = new java.util.HashMap<>(config.teacherSelection());
    if (config.teacherParallelism() > 0) {
      teacherSettings.put(TeacherJobConfig.PARALLELISM, Integer.toString(config.teacherParallelism()));
    }
    teacherSettings.put(TeacherJobConfig.CHECKPOINT_INTERVAL_MS, Long.toString(config.checkpointIntervalMillis()));
    var settings = new EmbeddedPipeline.Settings(config.workDir(), config.teacherBundle(), teacherSettings,
        config.trainer(), Map.of());
    // The teacher job runs in this JVM and counts its skipped turns in the default registry.
    Map<String, Long> skippedBefore = skippedTurns(PrometheusRegistry.defaultRegistry);
    long skippedWithoutGoldBefore = skippedWithoutGold(PrometheusRegistry.defaultRegistry);
    LongSupplier skippedWithoutGold =
        () -> skippedWithoutGold(PrometheusRegistry.defaultRegistry) - skippedWithoutGoldBefore;
    try (EmbeddedPipeline pipeline = EmbeddedPipeline.start(settings);
         Console liveConsole = startConsole(pipeline)) {
      out.printf("broker %s, schema registry %s; waiting for the teacher job to open ...%n",
          pipeline.bootstrapServers(), pipeline.registryUrl());
      // Replaying first would make the first turns wait for the job to open, late enough for a
      // budget's lag bound to shed them as behind (333 of 800 turns in a short budget demo on a
      // slow machine).
      summary.teacherOpenSeconds = pipeline.awaitTeacherOpen(TEACHER_OPEN_TIMEOUT);
      out.printf("teacher job open after %.1f s; replaying %,d training turns (%d passes), then %,d held-out test "
          + "turns%n", summary.teacherOpenSeconds, training.size(), config.passes(), heldOut.size());
      long pipelineStart = System.nanoTime();
      AtomicLong produced = new AtomicLong();
      ExecutorService producerThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "replay"));
      try (TurnPublisher publisher = new TurnPublisher(pipeline.bootstrapServers(), pipeline.registry(), Topics.TURNS)) {
        RateLimiter limiter = new RateLimiter(config.rate());
        Future<Long> publishing = producerThread.submit(() -> publisher.publish(training, limiter, produced::set));
        awaitCaughtUp(pipeline, publishing, produced, total, pipelineStart, skippedWithoutGold);
        out.println("every training turn predicted; replaying the held-out test split ...");
        long trainingTurns = publishing.get();
        publishing = producerThread.submit(() -> publisher.publish(heldOut, limiter,
            n -> produced.set(trainingTurns + n)));
        awaitCaughtUp(pipeline, publishing, produced, total, pipelineStart, skippedWithoutGold);
        summary.turnsProduced = trainingTurns + publishing.get();
        summary.trainingTurnsProduced = trainingTurns;
      } finally {
        producerThread.shutdownNow();
      }
      summary.pipelineSeconds = (System.nanoTime() - pipelineStart) / 1e9;
      out.println("all turns predicted; stopping the stages ...");
      summary.finalLag = pipeline.stopStages();

      TopicReader reader = new TopicReader(pipeline.bootstrapServers(), pipeline.registry());
      summary.addSoftLabels(reader.readAll(Topics.SOFT_LABELS), Clinc150.OUT_OF_SCOPE);
      Map<String, Long> skipped = new TreeMap<>();
      skippedTurns(PrometheusRegistry.defaultRegistry).forEach(
          (reason, count) -> skipped.put(reason, count - skippedBefore.getOrDefault(reason, 0L)));
      summary.addSelection(config.describeSelection(), skipped);
      summary.addPredictions(reader.readAll(Topics.PREDICTIONS), Clinc150.OUT_OF_SCOPE);
      for (PromotionEvent event : reader.readAll(Topics.PROMOTIONS)) {
        if (!event.getDecision().equals("HOLD")) {
          summary.promotions.add(event);
        }
      }
      for (Topic<?> topic : Topics.ALL) {
        long dead = reader.forEachRaw(topic.deadLetterTopic(), r -> { });
        summary.deadLetters += dead;
        if (topic.name().equals(Topics.TURNS.name())) {
          summary.turnDeadLetters = dead;
        }
      }
      // Printed while the platform still runs, so that the console serves until the summary.
      summary.wallSeconds = (System.nanoTime() - start) / 1e9;
      out.print(summary.toText());
      if (config.summaryJson() != null) {
        summary.writeJson(config.summaryJson());
        out.printf("summary written to %s%n", config.summaryJson());
      }
    }
    return summary;
  }

  /**
   * The teacher's {@code streamdistill_teacher_skipped_turns_total} in {@code registry}, by reason
   * (gold and not summed); empty before the gate skipped anything.
   */
  static Map<String, Long> skippedTurns(PrometheusRegistry registry) {
    return new TreeMap<>(GateCounters.read(registry).skippedByReason());
  }

  /**
   * The teacher's skipped turns without a gold label in {@code registry} that no fallback teacher
   * took, every reason summed: the turns that produce no record.
   */
  static long skippedWithoutGold(PrometheusRegistry registry) {
    String text = ExpositionFormats.init().getPrometheusTextFormatWriter().toDebugString(registry.scrape());
    long total = 0;
    for (PrometheusText.Sample sample : PrometheusText.parse(text)) {
      if (!"false".equals(sample.label("gold"))) {
        continue;
      }
      if (sample.name().equals("streamdistill_teacher_skipped_turns_total")) {
        total += Math.round(sample.value());
      } else if (sample.name().equals("streamdistill_teacher_fallback_turns_total")) {
        total -= Math.round(sample.value());
      }
    }
    return total;
  }

  /** Starts the console over {@code pipeline} when configured, printing its address; null otherwise. */
  private Console startConsole(EmbeddedPipeline pipeline) {
    ConsoleConfig settings = console.apply(pipeline.bootstrapServers(), pipeline.registryUrl());
    if (settings == null) {
      return null;
    }
    Console started = new Console(settings, pipeline.registry());
    out.printf("live console: %s (serves until the summary)%n", started.uri());
    return started;
  }

  /** Prints progress until every produced turn has a prediction (or was dead-lettered by the teacher). */
  /**
   * Waits until every turn produced so far is accounted for: predicted, dead-lettered (by the
   * teacher or the trainer), or skipped by the teacher's selection gate without a gold label (no
   * record follows such a turn; the teacher job's counter in this JVM says how many there were).
   */
  private void awaitCaughtUp(EmbeddedPipeline pipeline, Future<Long> publishing, AtomicLong produced, long total,
                             long startNanos, LongSupplier skippedWithoutGold) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(config.timeoutMinutes()).toNanos();
    TopicReader reader = new TopicReader(pipeline.bootstrapServers(), pipeline.registry());
    long nextProgress = System.nanoTime() + config.progressEveryMillis() * 1_000_000;
    while (true) {
      Thread.sleep(200);
      if (publishing.isDone()) {
        publishing.get();
      }
      pipeline.checkHealth();
      StudentTrainer.Stats stats = pipeline.trainerStats();
      boolean done = publishing.isDone() && stats.predictionsAcknowledged() + stats.deadLettered()
          + teacherDeadLetters(reader) + skippedWithoutGold.getAsLong() >= produced.get();
      if (done || System.nanoTime() >= nextProgress) {
        printProgress(stats, produced.get(), total, startNanos);
        nextProgress = System.nanoTime() + config.progressEveryMillis() * 1_000_000;
      }
      if (done) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the pipeline did not catch up within " + config.timeoutMinutes()
            + " minutes (" + stats.predictionsAcknowledged() + " of " + produced.get() + " turns predicted); "
            + "raise --timeout-minutes or lower --passes");
      }
    }
  }

  private long teacherDeadLetters(TopicReader reader) {
    return reader.forEachRaw(Topics.TURNS.deadLetterTopic(), r -> { });
  }

  private void printProgress(StudentTrainer.Stats stats, long produced, long total, long startNanos) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    double rate = stats.predictionsAcknowledged() / Math.max(seconds, 1e-9);
    long remaining = total - stats.predictionsAcknowledged();
    out.printf(Locale.ROOT, "[%5.0fs] produced %,d/%,d | soft labels %,d | predicted %,d | learned %,d | "
            + "student %s, champion %s | %.0f turns/s, ETA %s%n",
        seconds, produced, total, stats.softLabelsConsumed(), stats.predictionsAcknowledged(), stats.turnsLearned(),
        stats.challengerVersion(), stats.championVersion() == null ? "none" : stats.championVersion(), rate,
        rate > 0 ? String.format(Locale.ROOT, "%.0fs", remaining / rate) : "?");
  }
}
