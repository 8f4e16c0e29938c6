package org.streamdistill.deploy.experiment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.streamdistill.deploy.Main;
import org.streamdistill.deploy.soak.StageProcess;
import org.streamdistill.evaluator.compare.CompareCommand;
import org.streamdistill.evaluator.lag.ConsumerLagMonitor;
import org.streamdistill.evaluator.lag.GroupLag;
import org.streamdistill.evaluator.lag.LagSnapshot;
import org.streamdistill.evaluator.lag.MonitoredGroup;
import org.streamdistill.producers.experiment.TopicReplayCommand;

/**
 * Runs an {@link ExperimentPlan} on this machine: replays the range, starts the namespace's
 * teacher job, trainer and evaluator as processes of their own (logs and state under the
 * experiment's directory), waits until their groups have caught up, compares with production,
 * and stops the stages, whatever happened.
 */
final class ExperimentRun {

  /** Samples apart while waiting; longer than the teacher's default checkpoint interval (2 s). */
  private static final Duration SAMPLE_EVERY = Duration.ofSeconds(3);
  /**
   * Consecutive samples at lag 0 that count as caught up: the teacher's source may commit its
   * offsets a moment before its soft labels' transaction is visible, so one zero can come early.
   */
  private static final int ZERO_SAMPLES = 3;
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(15);

  private final ExperimentConfig config;
  private final ExperimentPlan plan;
  private final PrintStream out;
  private final PrintStream err;

  ExperimentRun(ExperimentConfig config, ExperimentPlan plan, PrintStream out, PrintStream err) {
    this.config = config;
    this.plan = plan;
    this.out = out;
    this.err = err;
  }

  /** @return the exit code: 0 compared, 1 failed */
  int run() throws IOException, InterruptedException {
    Files.createDirectories(plan.directory());
    long started = System.nanoTime();
    out.printf("experiment %s: replaying the range into namespace %s%n", config.name(), config.name());
    int replayed = TopicReplayCommand.run(plan.replay().subList(2, plan.replay().size()), Map.of(), out, err,
        new CatalogueNamespaceProvisioner());
    if (replayed != 0) {
      return 1;
    }
    List<StageProcess> stages = List.of(
        new StageProcess("teacher-job", plan.directory(), "2g", Main.class.getName(), plan.teacher()),
        new StageProcess("trainer", plan.directory(), "1g", Main.class.getName(), plan.trainer()),
        new StageProcess("evaluator", plan.directory(), "1g", Main.class.getName(), plan.evaluator()));
    try {
      for (StageProcess stage : stages) {
        stage.start();
      }
      out.printf("experiment %s: teacher job, trainer and evaluator started; their logs: %s%n", config.name(),
          plan.directory().toAbsolutePath());
      if (!awaitCaughtUp(stages)) {
        return 1;
      }
      out.printf("experiment %s: caught up after %d s; comparing with production%n", config.name(),
          (System.nanoTime() - started) / 1_000_000_000);
    } finally {
      for (StageProcess stage : stages) {
        stage.stop(30);
      }
    }
    return CompareCommand.run(plan.compare().subList(1, plan.compare().size()), out, err) == 0 ? 0 : 1;
  }

  private boolean awaitCaughtUp(List<StageProcess> stages) throws InterruptedException {
    List<MonitoredGroup> groups = MonitoredGroup.pipeline(config.name());
    long deadline = System.nanoTime() + config.timeout().toNanos();
    long nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
    int zeros = 0;
    try (ConsumerLagMonitor monitor = new ConsumerLagMonitor(new ConsumerLagMonitor.Settings(
        config.bootstrapServers(), groups, SAMPLE_EVERY, 2, Duration.ofMinutes(5), Duration.ofSeconds(10)))) {
      while (System.nanoTime() < deadline) {
        for (StageProcess stage : stages) {
          if (!stage.isAlive()) {
            err.printf("experiment %s: %s stopped by itself; see %s%n", config.name(), stage.name(), stage.output());
            return false;
          }
        }
        LagSnapshot snapshot;
        try {
          snapshot = monitor.sampleNow();
        } catch (RuntimeException e) {
          err.printf("experiment %s: lag not read (%s); trying again%n", config.name(), e.getMessage());
          Thread.sleep(SAMPLE_EVERY.toMillis());
          continue;
        }
        boolean zero = groups.stream().allMatch(g -> snapshot.group(g.groupId()).map(ExperimentRun::caughtUp)
            .orElse(false));
        zeros = zero ? zeros + 1 : 0;
        if (zeros >= ZERO_SAMPLES) {
          return true;
        }
        if (System.nanoTime() >= nextProgress) {
          out.printf("experiment %s: lag %s%n", config.name(), snapshot.groups().stream()
              .map(g -> g.group() + " " + String.format("%,d", g.totalLag())).collect(Collectors.joining(", ")));
          nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
        }
        Thread.sleep(SAMPLE_EVERY.toMillis());
      }
    }
    err.printf("experiment %s: the stages did not catch up within %d s (%s); their logs are in %s%n", config.name(),
        config.timeout().toSeconds(), ExperimentConfig.TIMEOUT_MS, plan.directory().toAbsolutePath());
    return false;
  }

  /** Every partition of the group's input consumed: nothing left, or nothing there yet. */
  private static boolean caughtUp(GroupLag group) {
    return group.partitions().stream().allMatch(p -> p.lag() == 0 && (p.hasCommit() || p.endOffset() == 0));
  }
}
