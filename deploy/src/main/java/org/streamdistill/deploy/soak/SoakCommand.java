package org.streamdistill.deploy.soak;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.bench.Machine;
import org.streamdistill.deploy.soak.SoakPlatform.Stage;
import org.streamdistill.evaluator.lag.ConsumerLagMonitor;
import org.streamdistill.evaluator.lag.ConsumerStatus;
import org.streamdistill.evaluator.lag.GroupLag;
import org.streamdistill.evaluator.lag.LagSamplingException;
import org.streamdistill.evaluator.lag.LagSnapshot;
import org.streamdistill.evaluator.lag.MonitoredGroup;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.registry.RetryingSchemaRegistryClient;
import org.streamdistill.teacher.fit.FitCommand;

/**
 * {@code soak}: runs the pipeline with each stage in its own process against a broker process,
 * posts live turns, injects the faults of a seeded {@link FaultSchedule}, then counts from the
 * topics whether every valid turn has exactly one soft label and one prediction, whether every
 * bad input was refused or dead-lettered, and whether every stage caught up; prints a {@link
 * ReliabilityReport} and appends it to {@code RELIABILITY.md}. Exit 0 only when nothing was
 * lost, duplicated or mishandled.
 *
 * <p>The soak plays the supervisor (systemd, Kubernetes) too: a stage process that exits by
 * itself is started again at once, and the report counts such exits per stage, because in
 * production they are restarts an operator sees.
 */
public final class SoakCommand {

  private static final Set<String> VALID_SOURCES = Set.of("live-chat", FaultInjector.PROBE_SOURCE);

  private SoakCommand() {}

  public static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    if (args.contains("--help")) {
      out.println("Usage: bin/streamdistill soak [--minutes M] [--seed S] [settings]\n\n"
          + "Runs every stage in its own process against a broker process, posts live turns and injects faults\n"
          + "on a seeded schedule, then counts lost and duplicated turns from the topics and appends a report to\n"
          + "RELIABILITY.md. Settings:\n" + SoakConfig.LOADER.help());
      return 0;
    }
    SoakConfig config;
    try {
      config = SoakConfig.parse(args, System.getenv());
    } catch (ConfigException e) {
      err.println("soak: " + e.getMessage());
      return 2;
    }
    if (!Files.isRegularFile(config.data())) {
      err.println("soak: " + config.data() + " not found: --data names CLINC150's data_full.json");
      return 2;
    }
    if (!Files.isDirectory(config.teacherBundle())) {
      out.printf("soak: teacher bundle %s not found: fitting it first%n", config.teacherBundle());
      int code = FitCommand.run(List.of("--data", config.data().toString(), "--out", config.teacherBundle().toString()),
          out, err);
      if (code != 0) {
        err.println("soak: fitting the teacher failed (exit " + code + ")");
        return 1;
      }
    }
    List<String> texts = Clinc150.read(config.data()).testWithOos().stream().map(Clinc150.Example::text).toList();
    Path workDir = config.workDir().resolve("run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
    Machine machine = Machine.current();
    long started = System.currentTimeMillis();
    out.printf("soak: %.1f minutes of faults every %d s, seed %d, %.0f turns/s; processes and logs in %s%n",
        config.minutes(), config.faultIntervalMillis() / 1000, config.seed(), config.rate(), workDir);
    try (SoakPlatform platform = new SoakPlatform(workDir, config.teacherBundle(), token, 2_000,
        config.jvmFlags())) {
      // Ctrl-C or SIGTERM must not leave a broker and five stage processes behind.
      Runtime.getRuntime().addShutdownHook(new Thread(platform::close, "soak-shutdown"));
      platform.start();
      out.printf("soak: broker %s, registry %s, ingestion %s, teacher job, trainer and evaluator started in %.0f s%n",
          platform.bootstrapServers(), platform.registryUrl(), platform.ingestUri(),
          (System.currentTimeMillis() - started) / 1000.0);
      var registry = new RetryingSchemaRegistryClient(new RestSchemaRegistryClient(platform.registryUrl()));
      try (OutputWatcher watcher = new OutputWatcher(platform.bootstrapServers(), registry);
           TurnTraffic traffic = new TurnTraffic(platform.ingestUri(), token, texts, config.rate());
           FaultInjector injector = new FaultInjector(platform, watcher, traffic, registry, config.seed(),
               Duration.ofMillis(config.brokerPauseMillis()))) {
        watcher.start();
        traffic.start();
        long t0 = System.currentTimeMillis();
        long faultMillis = (long) (config.minutes() * 60_000);
        List<FaultSchedule.Planned> plan = FaultSchedule.plan(config.faults(), config.seed(),
            Math.min(15_000, config.faultIntervalMillis()), faultMillis, config.faultIntervalMillis());
        List<Injection> injections = new ArrayList<>();
        long lastProgress = 0;
        int next = 0;
        // The time the broker is frozen does not count against the schedule: nothing else can
        // happen meanwhile, and a soak of M minutes should still inject M minutes' worth of faults.
        long frozen = 0;
        // On a loaded machine faults take longer than planned and the schedule slips; the first
        // round (every kind once) is always completed, so a short soak still covers every kind.
        int firstRound = Math.min(plan.size(), config.faults().size());
        while (System.currentTimeMillis() - t0 - frozen < faultMillis || next < firstRound) {
          supervise(platform, out);
          injector.checkEvaluatorProgress();
          long elapsed = System.currentTimeMillis() - t0 - frozen;
          if (next < plan.size() && elapsed >= plan.get(next).atMillis()) {
            Fault fault = plan.get(next).fault();
            Injection injection = injector.inject(fault);
            injections.add(injection);
            if (fault == Fault.BROKER_PAUSE) {
              frozen += config.brokerPauseMillis();
            }
            out.printf("[%5ds] fault %d/%d %s: %s%n", elapsed / 1000, ++next, plan.size(), fault.key(),
                injection.detail());
          }
          if (elapsed - lastProgress >= 15_000) {
            lastProgress = elapsed;
            out.printf("[%5ds] turns accepted %,d (retried %,d) | in topic %,d | dead letters %,d%n", elapsed / 1000,
                traffic.accepted(), traffic.retried(), watcher.turns().size(), watcher.deadLetterCount());
          }
          Thread.sleep(500);
        }
        traffic.close();
        out.printf("soak: faults done (%d injected); waiting up to %d s for the pipeline to catch up%n",
            injections.size(), config.settleMillis() / 1000);
        long settleDeadline = System.currentTimeMillis() + config.settleMillis();
        while (System.currentTimeMillis() < settleDeadline && !settled(watcher, injections)) {
          supervise(platform, out);
          injector.checkEvaluatorProgress();
          Thread.sleep(1_000);
        }
        LagSnapshot lag;
        String lagProblem = null;
        try {
          lag = finalLag(platform.bootstrapServers(), Duration.ofMillis(
              Math.max(30_000, settleDeadline - System.currentTimeMillis())));
        } catch (LagSamplingException e) {
          lag = null;
          lagProblem = "the final lag could not be read: " + e.getMessage();
        }
        return report(config, args, machine, started, platform, watcher, traffic, injections, lag, lagProblem, out);
      }
    }
  }

  /** Restarts a stage that exited by itself, as a supervisor would. */
  private static void supervise(SoakPlatform platform, PrintStream out) throws Exception {
    for (Stage stage : Stage.values()) {
      StageProcess process = platform.process(stage);
      if (process.crashed()) {
        out.printf("soak: %s exited by itself (see %s); starting it again%n", process.name(), process.output());
        if (stage == Stage.BROKER) {
          platform.startBroker();
        } else {
          process.start();
        }
      }
    }
  }

  private static boolean settled(OutputWatcher watcher, List<Injection> injections) {
    for (OutputWatcher.SeenTurn turn : watcher.turns()) {
      if (VALID_SOURCES.contains(turn.source())
          && (watcher.softLabels(turn.turnId()) == 0 || watcher.predictions(turn.turnId()) == 0)) {
        return false;
      }
    }
    return injections.stream().allMatch(i -> i.recoveredAt().get() != null);
  }

  private static LagSnapshot finalLag(String bootstrap, Duration timeout) throws Exception {
    var settings = new ConsumerLagMonitor.Settings(bootstrap, MonitoredGroup.pipeline(""), Duration.ofMillis(500), 2,
        Duration.ofMinutes(1), Duration.ofSeconds(10));
    long deadline = System.nanoTime() + timeout.toNanos();
    try (ConsumerLagMonitor monitor = new ConsumerLagMonitor(settings)) {
      LagSnapshot snapshot = null;
      LagSamplingException failure = null;
      while (snapshot == null || (System.nanoTime() < deadline && !caughtUp(snapshot))) {
        try {
          snapshot = monitor.sampleNow();
        } catch (LagSamplingException e) {
          // A broker that has just come back may not answer at once; only the deadline ends the wait.
          failure = e;
          if (System.nanoTime() >= deadline) {
            throw failure;
          }
        }
        if (snapshot == null || !caughtUp(snapshot)) {
          Thread.sleep(1_000);
        }
      }
      return snapshot;
    }
  }

  private static boolean caughtUp(LagSnapshot snapshot) {
    return !snapshot.groups().isEmpty()
        && snapshot.groups().stream().allMatch(g -> g.totalLag() == 0 && g.status() == ConsumerStatus.OK);
  }

  private static int report(SoakConfig config, List<String> args, Machine machine, long started,
                            SoakPlatform platform, OutputWatcher watcher, TurnTraffic traffic,
                            List<Injection> injections, LagSnapshot lag, String lagProblem, PrintStream out)
      throws IOException {
    List<ReliabilityReport.TurnOutcome> outcomes = new ArrayList<>();
    int valid = 0;
    int poison = 0;
    for (OutputWatcher.SeenTurn turn : watcher.turns()) {
      if (!VALID_SOURCES.contains(turn.source())) {
        poison++;
        continue;
      }
      valid++;
      int labels = watcher.softLabels(turn.turnId());
      int predictions = watcher.predictions(turn.turnId());
      outcomes.add(new ReliabilityReport.TurnOutcome(turn.recordTimestamp(), labels == 0 || predictions == 0,
          labels > 1 || predictions > 1));
    }
    ReliabilityReport report = ReliabilityReport.of(injections, outcomes);
    List<String> problems = new ArrayList<>(report.problems());
    if (traffic.refused() > 0) {
      problems.add(traffic.refused() + " valid turns were refused with a 4xx");
    }
    StringBuilder exits = new StringBuilder();
    for (StageProcess process : platform.all()) {
      exits.append(process.name()).append(' ').append(process.unexpectedExits()).append(", ");
      if (!process.isAlive()) {
        problems.add(process.name() + " is not running at the end");
      }
      if (process.unexpectedExits() > 0) {
        // Outages are to be waited out inside the stage; the soak's own restart only keeps the
        // count honest after a stage gave up.
        problems.add(process.name() + " exited by itself " + process.unexpectedExits() + " time(s); see "
            + process.output());
      }
    }
    StringBuilder lagLine = new StringBuilder();
    if (lag == null) {
      problems.add(lagProblem);
      lagLine.append("unknown, ");
    }
    for (GroupLag group : lag == null ? List.<GroupLag>of() : lag.groups()) {
      lagLine.append(group.group()).append(' ').append(group.status()).append(' ').append(group.totalLag()).append(", ");
      if (group.totalLag() != 0 || group.status() != ConsumerStatus.OK) {
        problems.add("group " + group.group() + " ends " + group.status() + " with lag " + group.totalLag());
      }
    }
    boolean passed = report.lost() == 0 && report.duplicated() == 0 && problems.isEmpty();
    double minutes = (System.currentTimeMillis() - started) / 60_000.0;
    StringBuilder text = new StringBuilder();
    text.append(String.format(Locale.ROOT, "## Soak %s: %s%n%n", LocalDateTime.now().format(
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")), passed ? "passed" : "FAILED"));
    text.append("Command: `bin/streamdistill soak").append(args.isEmpty() ? "" : " " + String.join(" ", args))
        .append("`  \n");
    text.append(String.format(Locale.ROOT, "Machine: %d cores, %.0f GiB, Java %s, %s; load average %s at the start, "
            + "%s at the end  %n", machine.processors(), machine.totalMemoryBytes() / (double) (1L << 30),
        machine.javaVersion(), machine.os(), machine.loadAverageStart(), Machine.loadAverage()));
    text.append(String.format(Locale.ROOT, "Run: %.1f minutes in all (%.1f of faults, seed %d, %.0f turns/s offered); "
            + "%,d valid turns in dialogue.turns (%,d posted and accepted, the rest probes and checks), %,d "
            + "poison records, %,d dead letters%n%n", minutes, config.minutes(), config.seed(), config.rate(), valid,
        traffic.accepted(), poison + watcher.undecodableTurns(), watcher.deadLetterCount()));
    text.append(report.table()).append('\n');
    text.append("Time to recover: for a process fault, from the fault to the committed prediction of a probe turn ")
        .append("sent right after the restart (for the evaluator: until its group committed past that prediction); ")
        .append("for bad input, until the last 4xx or dead letter; for slow connections, until a valid turn was ")
        .append("accepted while they hung. Counted from the topics with read_committed.\n\n");
    text.append("Exits no one asked for (restarted by the soak as a supervisor would): ")
        .append(exits.length() > 2 ? exits.substring(0, exits.length() - 2) : "-").append("  \n");
    text.append("Final lag: ").append(lagLine.length() > 2 ? lagLine.substring(0, lagLine.length() - 2) : "-")
        .append("  \n");
    text.append("Problems: ").append(problems.isEmpty() ? "none" : String.join("; ", problems)).append("\n\n");
    out.print(text);
    if (!config.report().isEmpty()) {
      Path file = Path.of(config.report());
      if (!Files.exists(file)) {
        Files.writeString(file, "# Reliability\n\nWhat `bin/streamdistill soak` measured: each run appends a section "
            + "(newest last).\n\n", StandardCharsets.UTF_8);
      }
      Files.writeString(file, text.toString(), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      out.println("soak: report appended to " + file);
    }
    return passed ? 0 : 1;
  }
}
