package org.streamdistill.deploy.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.streamdistill.deploy.bench.BenchReport.Round;
import org.streamdistill.deploy.bench.BenchReport.ScalePoint;
import org.streamdistill.deploy.cluster.ClusterPorts;
import org.streamdistill.deploy.cluster.LocalCluster;
import org.streamdistill.deploy.cluster.LocalClusterConfig;
import org.streamdistill.producers.replay.Clinc150Turns;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;

/**
 * The teacher job on the local Flink cluster ({@link LocalCluster}: 3 Kafka nodes, a JobManager and
 * 2 TaskManagers of one slot, each its own JVM) at parallelism 1, then rescaled to 2 through a
 * savepoint, one ONNX Runtime thread per subtask; in alternating rounds against as many raw teachers
 * of one thread each, scoring the same turns in this JVM while the cluster idles. Trainer,
 * evaluator and ingestion are not started: only the teacher is measured.
 */
final class ClusterScaleOut {

  /** Raw teachers' throughput for one round's texts at a parallelism. */
  interface RawTeachers {
    double perSecond(int parallelism, List<String> texts) throws Exception;
  }

  /**
   * What was measured.
   *
   * @param taskManagers TaskManager processes (one slot each)
   * @param kafkaNodes Kafka nodes (each broker and controller; topics replicated 3 times, min ISR 2)
   * @param checkpointIntervalMillis the job's checkpoint interval (the commit latency floor)
   * @param batchSize the job's and the raw teachers' batch size
   * @param turns turns per round
   * @param points parallelism 1 and 2: raw and job medians, job / raw, the rounds
   * @param jobSpeedup job at parallelism 2 / job at parallelism 1
   * @param rawSpeedup raw teachers at 2 / raw teacher at 1
   * @param deadLetters dead letters among the measured turns (0 expected)
   */
  record ClusterScale(int taskManagers, int kafkaNodes, long checkpointIntervalMillis, int batchSize, int turns,
                      List<ScalePoint> points, double jobSpeedup, double rawSpeedup, long deadLetters) {}

  private final LocalClusterConfig cluster;
  private final int batchSize;
  private final Duration timeout;
  private final PrintStream out;
  private final Map<String, String> loads;

  /**
   * @param cluster the local cluster to start (its teacher parallelism is the first point's: 1)
   * @param loads receives the load average as each point starts
   */
  ClusterScaleOut(LocalClusterConfig cluster, int batchSize, Duration timeout, PrintStream out,
                  Map<String, String> loads) {
    if (cluster.teacherParallelism() != 1 || cluster.taskManagers() < 2) {
      throw new IllegalArgumentException("the scale-out starts at parallelism 1 on at least 2 TaskManagers, got "
          + cluster.teacherParallelism() + " on " + cluster.taskManagers());
    }
    this.cluster = cluster;
    this.batchSize = batchSize;
    this.timeout = timeout;
    this.out = out;
    this.loads = loads;
  }

  /**
   * Starts the cluster, warms the job up, measures parallelism 1 on {@code roundsAt1}, rescales
   * to 2 with a savepoint, warms up again, measures {@code roundsAt2}; always stops the cluster.
   * Every list of turns must have turn ids of its own.
   */
  ClusterScale measure(Iterable<DialogueTurn> warmupAt1, Iterable<DialogueTurn> warmupAt2,
                       List<Clinc150Turns> roundsAt1, List<Clinc150Turns> roundsAt2, RawTeachers raw)
      throws Exception {
    LocalCluster local = new LocalCluster(cluster, out);
    List<ScalePoint> points = new ArrayList<>();
    long[] dead = {0};
    try {
      local.upTeacherOnly();
      try (TeacherThroughputMeter meter = new TeacherThroughputMeter(local.ports().bootstrapServers(),
          new RestSchemaRegistryClient(local.ports().registryUrl()), "", timeout, () -> health(local))) {
        meter.warmUp(warmupAt1);
        loads.put("cluster, parallelism 1", Machine.loadAverage());
        points.add(point(1, meter, roundsAt1, raw, dead));
        String savepoint = local.stopJobWithSavepoint();
        local.submitJob(savepoint, 2);
        meter.warmUp(warmupAt2);
        loads.put("cluster, parallelism 2", Machine.loadAverage());
        points.add(point(2, meter, roundsAt2, raw, dead));
      }
    } finally {
      local.down();
    }
    int turns = roundsAt1.isEmpty() ? 0 : size(roundsAt1.get(0));
    return new ClusterScale(cluster.taskManagers(), ClusterPorts.KAFKA_NODES, cluster.checkpointIntervalMillis(),
        batchSize, turns, points, points.get(1).jobPerSecond() / points.get(0).jobPerSecond(),
        points.get(1).rawPerSecond() / points.get(0).rawPerSecond(), dead[0]);
  }

  /** Rounds of raw teachers against the job at {@code parallelism}, alternating which goes first. */
  private ScalePoint point(int parallelism, TeacherThroughputMeter meter, List<Clinc150Turns> rounds, RawTeachers raw,
                           long[] dead) throws Exception {
    List<Round> measured = new ArrayList<>();
    for (int r = 0; r < rounds.size(); r++) {
      List<String> texts = new ArrayList<>();
      rounds.get(r).forEach(t -> texts.add(t.getText()));
      boolean rawFirst = r % 2 == 0;
      double rawRate = rawFirst ? raw.perSecond(parallelism, texts) : Double.NaN;
      TeacherJobThroughput.Result job = meter.measure(rounds.get(r));
      if (!rawFirst) {
        rawRate = raw.perSecond(parallelism, texts);
      }
      dead[0] += job.deadLetters();
      measured.add(new Round(rawFirst ? "raw, job" : "job, raw", rawRate, job.perSecond(), job.scoringPerSecond(),
          job.seconds(), job.commitTailMillis(), job.perSecond() / rawRate));
      out.printf(Locale.ROOT, "      parallelism %d, round %d: raw %.1f turns/s, job on the cluster %.1f turns/s, "
          + "job / raw %.3f%n", parallelism, r + 1, rawRate, job.perSecond(), job.perSecond() / rawRate);
    }
    return new ScalePoint(parallelism, 1, BenchCommand.median(measured.stream().mapToDouble(Round::rawPerSecond)
        .toArray()), BenchCommand.median(measured.stream().mapToDouble(Round::jobPerSecond).toArray()),
        BenchCommand.median(measured.stream().mapToDouble(Round::ratio).toArray()), measured);
  }

  /** Fails the wait at once when the job has ended (it restarts by itself otherwise, and is waited for). */
  private static void health(LocalCluster local) throws Exception {
    String jobId = local.state().jobId();
    for (LocalCluster.JobSummary job : local.jobs()) {
      if (job.id().equals(jobId) && List.of("FAILED", "CANCELED", "FINISHED").contains(job.state())) {
        throw new IllegalStateException("the teacher job " + jobId + " on the local cluster ended " + job.state()
            + "; see the TaskManagers' logs in " + local.layout().logs());
      }
    }
  }

  private static int size(Iterable<DialogueTurn> turns) {
    int n = 0;
    for (DialogueTurn ignored : turns) {
      n++;
    }
    return n;
  }

  /** The local cluster of the bench: its own work directory, parallelism 1 on 2 TaskManagers. */
  static LocalClusterConfig clusterConfig(Path workDir, int basePort, Path teacherBundle, String jobJar,
                                          long checkpointIntervalMillis, String jvmFlags) {
    List<String> args = new ArrayList<>(List.of("--cluster.work-dir", workDir.toString(),
        "--cluster.base-port", Integer.toString(basePort), "--cluster.teacher-bundle", teacherBundle.toString(),
        "--cluster.taskmanagers", "2", "--cluster.teacher.parallelism", "1",
        "--cluster.teacher.checkpoint.interval-ms", Long.toString(checkpointIntervalMillis),
        "--cluster.jvm.flags", jvmFlags));
    if (!jobJar.isEmpty()) {
      args.addAll(List.of("--cluster.job-jar", jobJar));
    }
    return LocalClusterConfig.parse(args, Map.of());
  }
}
