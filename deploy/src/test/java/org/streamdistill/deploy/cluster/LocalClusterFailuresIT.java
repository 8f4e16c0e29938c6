package org.streamdistill.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.demo.TopicReader;
import org.streamdistill.deploy.experiment.CatalogueNamespaceProvisioner;
import org.streamdistill.deploy.teacher.SmallTeacherBundle;
import org.streamdistill.producers.replay.ReplayMain;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;

/**
 * The local cluster ({@code cluster up}: 3 Kafka nodes, a Flink session cluster running the
 * teacher job jar at parallelism 2, registry, trainer, evaluator, ingestion, each its own JVM)
 * survives, while turns flow: a TaskManager killed with -9 and started again, a Kafka node
 * killed with -9 and started again, the job stopped with a savepoint and resubmitted from it
 * (an upgrade), and the trainer killed with -9 and started again. Counted from the topics
 * ({@code read_committed}): every turn has exactly one soft label and one prediction.
 *
 * <p>Turns are replayed in five chunks of {@code -Dcluster.it.chunk} turns (default 100) at {@code
 * -Dcluster.it.rate} turns/s (default 25): one before the faults, then each fault is injected while
 * a chunk is being produced and scored (the trainer's once it is predicting its chunk). Larger chunks
 * make a longer run with the same faults.
 */
class LocalClusterFailuresIT {

  private static final Logger LOG = LoggerFactory.getLogger(LocalClusterFailuresIT.class);
  /** Turns per chunk: five chunks, one before the faults and one during each. */
  private static final int CHUNK = Integer.getInteger("cluster.it.chunk", 100);
  private static final int TURNS = 5 * CHUNK;
  private static final String RATE = System.getProperty("cluster.it.rate", "25");
  /**
   * C1 only, for the cluster's short-lived JVMs: on a 2-core machine this test took 356 s with the
   * default tiered JIT and 202 s with this flag on the cluster's processes (one run each, 2026-12-04;
   * BENCHMARKS.md, "C1 only for short-lived processes"): what C1 only removes is C2's compiling and
   * the profiling that feeds it, which code running for a few minutes does not earn back. Not for a
   * long run: a trainer's hand-written math is slower without C2 (StudentTrainerResumeIT with every
   * JVM C1 only: 111 s against 189 s).
   */
  static final String QUICK_JIT = "-XX:TieredStopAtLevel=1";

  @TempDir
  static Path dir;

  @Test
  void shouldScoreAndPredictEveryTurnExactlyOnceThroughKillsRestartsAndASavepointUpgrade() throws Exception {
    // Given a small fitted teacher and the local cluster up
    Path data = SmallTeacherBundle.clinc150Path();
    Path bundle = dir.resolve("teacher");
    SmallTeacherBundle.fitAndSave(Clinc150.read(data), data, 3, bundle);
    // and a selection gate from a teacher settings file (uniform at rate 1: every turn still goes to
    // the teacher, each soft label saying it was drawn), which must reach every submission of the job
    Path teacherSettings = dir.resolve("teacher.properties");
    Files.writeString(teacherSettings, "teacher.selection.policy=uniform\nteacher.selection.uniform.rate=1.0\n");
    LocalClusterConfig config = LocalClusterConfig.parse(List.of("--work-dir", dir.resolve("cluster").toString(),
        "--base-port", Integer.toString(freeBasePort()), "--teacher-bundle", bundle.toString(),
        "--job-jar", jobJar().toString(), "--cluster.stop.grace-ms", "20000", "--cluster.jvm.flags", QUICK_JIT,
        "--teacher-config", teacherSettings.toString()), Map.of());
    PrintStream progress = new PrintStream(new LoggingStream(), true, StandardCharsets.UTF_8);
    LocalCluster cluster = new LocalCluster(config, progress);
    ClusterPorts ports = cluster.ports();
    try {
      cluster.up();
      TopicReader topics = new TopicReader(ports.bootstrapServers(),
          new RestSchemaRegistryClient(ports.registryUrl()));

      // When turns are replayed in chunks and, while each chunk flows, one fault is injected
      List<CompletableFuture<Integer>> replays = new ArrayList<>();
      replays.add(replay(ports, data, 1));
      awaitPredictions(topics, 20);

      replays.add(replay(ports, data, 2));
      cluster.kill(ClusterLayout.taskManager(1));
      cluster.start(ClusterLayout.taskManager(1));
      awaitJobRunning(cluster);

      replays.add(replay(ports, data, 3));
      cluster.kill(ClusterLayout.kafka(2));
      cluster.start(ClusterLayout.kafka(2));

      replays.add(replay(ports, data, 4));
      String savepoint = cluster.stopJobWithSavepoint();
      cluster.submitJob(savepoint);

      // the trainer is killed once it is predicting the last chunk, in the middle of its work
      int beforeLastChunk = topics.readAll(Topics.PREDICTIONS).size();
      replays.add(replay(ports, data, 5));
      awaitPredictions(topics, beforeLastChunk + 10);
      cluster.kill(ClusterLayout.TRAINER);
      cluster.start(ClusterLayout.TRAINER);

      for (CompletableFuture<Integer> replay : replays) {
        assertThat(replay.get()).as("replay exit code").isZero();
      }
      List<String> turnIds = topics.readAll(Topics.TURNS).stream().map(DialogueTurn::getTurnId).toList();
      await("a soft label and a prediction for each of " + TURNS + " turns").atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofSeconds(3))
          .until(() -> topics.readAll(Topics.PREDICTIONS).stream().map(StudentPrediction::getTurnId)
              .collect(Collectors.toSet()).size() >= TURNS);

      // Then every turn has exactly one soft label and one prediction, and nothing else was written
      assertThat(turnIds).hasSize(TURNS).doesNotHaveDuplicates();
      List<SoftLabel> labels = topics.readAll(Topics.SOFT_LABELS);
      Map<String, Long> softLabels = countByTurn(labels, SoftLabel::getTurnId);
      assertThat(labels).as("selection reasons: the gate of the settings file, before and after the upgrade")
          .extracting(SoftLabel::getSelectionReason).containsOnly("uniform", "audit").contains("uniform");
      Map<String, Long> predictions = countByTurn(topics.readAll(Topics.PREDICTIONS), StudentPrediction::getTurnId);
      Map<String, Long> once = turnIds.stream().collect(Collectors.toMap(id -> id, id -> 1L));
      assertThat(softLabels).as("soft labels per turn").isEqualTo(once);
      assertThat(predictions).as("predictions per turn").isEqualTo(once);
      assertThat(topics.forEachRaw(Topics.TURNS.deadLetterTopic(), r -> { })).as("dead letters").isZero();
    } finally {
      cluster.down();
      assertThat(cluster.running()).as("processes left after down").isEmpty();
    }
  }

  private static void awaitJobRunning(LocalCluster cluster) {
    await("the teacher job running all its subtasks again").atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
        .until(() -> cluster.jobs().stream().anyMatch(j -> j.id().equals(cluster.state().jobId()) && j.fullyRunning()));
  }

  private static void awaitPredictions(TopicReader topics, int atLeast) {
    await(atLeast + " predictions").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
        .until(() -> topics.readAll(Topics.PREDICTIONS).size() >= atLeast);
  }

  /** One chunk of CLINC150 turns, replayed in the background; the seed makes its turn ids its own. */
  private static CompletableFuture<Integer> replay(ClusterPorts ports, Path data, int seed) {
    return CompletableFuture.supplyAsync(() -> {
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      PrintStream print = new PrintStream(captured, true, StandardCharsets.UTF_8);
      try {
        int code = ReplayMain.run(List.of("--bootstrap-servers", ports.bootstrapServers(), "--registry",
            ports.registryUrl(), "--data", data.toString(), "--limit", Integer.toString(CHUNK), "--passes", "1",
            "--rate", RATE, "--seed", Integer.toString(seed)), Map.of(), print, print,
            new CatalogueNamespaceProvisioner());
        LOG.info("replay of chunk {} exited {}", seed, code);
        return code;
      } catch (Exception e) {
        throw new IllegalStateException("replay failed: " + captured.toString(StandardCharsets.UTF_8), e);
      }
    });
  }

  private static <V> Map<String, Long> countByTurn(List<V> records, Function<V, String> turnId) {
    return records.stream().collect(Collectors.groupingBy(turnId, HashMap::new, Collectors.counting()));
  }

  /** The job jar teacher-stream builds in pre-integration-test (or with -Pcluster). */
  static Path jobJar() {
    File[] jars = Path.of("..", "teacher-stream", "target").toFile()
        .listFiles((d, name) -> name.startsWith("teacher-stream-") && name.endsWith("-job.jar"));
    assertThat(jars).as("teacher-stream/target/teacher-stream-<version>-job.jar: built by `mvn verify` in "
        + "teacher-stream's pre-integration-test, unless -Dstreamdistill.job-jar.skip=true").isNotEmpty();
    return jars[0].toPath().toAbsolutePath();
  }

  /**
   * A base port whose ten successors are free now, below the system's ephemeral range: the cluster's
   * ports are fixed, and one in that range can be taken by any outgoing connection before ingestion
   * (the last process) binds it, which failed this test once.
   */
  static int freeBasePort() throws IOException {
    int ceiling = PortCheck.ephemeralFloor();
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(10_000, Math.max(10_001, ceiling - 11));
      if (PortCheck.taken(new ClusterPorts(base)).isEmpty()) {
        return base;
      }
    }
    throw new IOException("no ten consecutive free ports found between 10000 and " + ceiling);
  }

  /** The cluster's progress lines, into the test log. */
  private static final class LoggingStream extends java.io.OutputStream {
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        LOG.info("{}", line.toString(StandardCharsets.UTF_8));
        line.reset();
      } else {
        line.write(b);
      }
    }
  }
}
