package org.streamdistill.deploy.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.producers.publish.RateLimiter;
import org.streamdistill.producers.publish.TurnPublisher;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.teacher.job.TeacherJob;
import org.streamdistill.teacher.job.TeacherJobConfig;
import org.streamdistill.teacher.job.TurnScorers;

/**
 * The teacher job alone on a {@link BenchPlatform}, in a topic namespace of its own: the
 * production job graph (Kafka source, scoring operator, exactly-once Kafka sink) on a local
 * MiniCluster, fed by the production {@link TurnPublisher}. {@link #start} starts it and scores
 * warm-up turns; then {@link RunningJob#measure} can be called several times, each with turns
 * of its own, so that measurements of the job can alternate with measurements of the raw
 * teacher while the job stays up.
 *
 * <p>A measurement starts just before its first turn is produced and ends when a {@code
 * read_committed} consumer has seen the soft label (or dead letter) of its last one. It
 * therefore includes producing (Avro encoding, {@code acks=all}), the source, decoding,
 * tokenizing, batched inference, encoding, the transactional sink, the checkpoint that commits
 * the last transaction and the consumer's fetch. It excludes starting the job and the warm-up
 * turns, which are scored (and visible) before any timing.
 */
final class TeacherJobThroughput {

  private static final Logger LOG = LoggerFactory.getLogger(TeacherJobThroughput.class);

  /**
   * One measurement.
   *
   * @param perSecond measured turns / {@code seconds}
   * @param scoringPerSecond measured turns over the span of their {@code scored_at} stamps
   * @param commitTailMillis last soft label seen minus the last {@code scored_at}
   * @param softLabels the measured soft labels as the job wrote them (for the broker-alone run)
   */
  record Result(double perSecond, double seconds, double scoringPerSecond, double commitTailMillis,
                long deadLetters, List<CommittedWatcher.Seen> softLabels) {}

  private final BenchPlatform platform;
  private final Map<String, String> jobSettings;
  private final Duration timeout;

  /**
   * @param jobSettings teacher job settings (keys of {@link TeacherJobConfig}) on top of the
   *     platform's addresses and the namespace's topics, group and transactional ids
   */
  TeacherJobThroughput(BenchPlatform platform, Map<String, String> jobSettings, Duration timeout) {
    this.platform = platform;
    this.jobSettings = Map.copyOf(jobSettings);
    this.timeout = timeout;
  }

  /** Starts the job in {@code namespace} and waits until the soft labels of {@code warmup} are visible. */
  RunningJob start(String namespace, int parallelism, int intraOpThreads, Iterable<DialogueTurn> warmup)
      throws Exception {
    platform.provision(namespace);
    Map<String, String> settings = new HashMap<>(jobSettings);
    settings.put(TeacherJobConfig.BOOTSTRAP_SERVERS, platform.bootstrapServers());
    settings.put(TeacherJobConfig.REGISTRY_URL, platform.registryUrl());
    settings.put(TeacherJobConfig.NAMESPACE, namespace);
    settings.put(TeacherJobConfig.GROUP_ID, namespace + "-teacher");
    settings.put(TeacherJobConfig.TRANSACTIONAL_ID_PREFIX, namespace + "-teacher");
    settings.put(TeacherJobConfig.PARALLELISM, Integer.toString(parallelism));
    settings.put(TeacherJobConfig.ONNX_THREADS, Integer.toString(intraOpThreads));
    TeacherJobConfig config = TeacherJobConfig.of(settings);
    TeacherJob job = new TeacherJob(config, TurnScorers.fromConfig(config));
    Configuration flink = new Configuration();
    // A restart would hide inside the figure: fail loudly instead.
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
    job.build(env, job.kafkaSource(), job.kafkaSink());
    JobClient client = env.executeAsync(TeacherJob.NAME + " " + namespace);
    RunningJob running = null;
    try {
      running = new RunningJob(namespace, client);
      running.warmUp(warmup);
      return running;
    } catch (Exception | Error e) {
      if (running != null) {
        running.close();
      } else {
        stop(client, namespace);
      }
      throw e;
    }
  }

  /** A started job with its watcher and publisher; {@link #close()} cancels the job. */
  final class RunningJob implements AutoCloseable {

    private final String namespace;
    private final JobClient client;
    private final Topic<SoftLabel> softLabels;
    private final String deadLetters;
    private final CommittedWatcher watcher;
    private final TurnPublisher publisher;
    private final ExecutorService producerThread =
        Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-producer"));
    private final AvroWireCodec<SoftLabel> codec;
    private long expected;

    private RunningJob(String namespace, JobClient client) {
      this.namespace = namespace;
      this.client = client;
      this.softLabels = Topics.SOFT_LABELS.inNamespace(namespace);
      Topic<DialogueTurn> turns = Topics.TURNS.inNamespace(namespace);
      this.deadLetters = turns.deadLetterTopic();
      this.watcher = new CommittedWatcher(platform.bootstrapServers(), List.of(softLabels.name(), deadLetters));
      this.publisher = new TurnPublisher(platform.bootstrapServers(), platform.registry(), turns);
      this.codec = new AvroWireCodec<>(platform.registry(), softLabels.valueSubject(), SoftLabel.class);
    }

    private void health() throws Exception {
      var status = client.getJobStatus().get(10, TimeUnit.SECONDS);
      if (status.isGloballyTerminalState()) {
        throw new IllegalStateException("the teacher job in namespace " + namespace + " ended with status "
            + status + " (see target/streamdistill.log)");
      }
    }

    private void warmUp(Iterable<DialogueTurn> warmup) throws Exception {
      long count = 0;
      for (DialogueTurn t : warmup) {
        count++;
      }
      if (count > 0) {
        publisher.publish(warmup, RateLimiter.unlimited(), n -> { });
        expected += count;
        watcher.awaitTotal(expected, timeout, this::health);
      }
      LOG.info("bench: teacher job {} warmed up with {} turns", namespace, count);
    }

    /** Produces {@code measured} (turn ids not used before in this job) and times it. */
    Result measure(Iterable<DialogueTurn> measured) throws Exception {
      Set<String> measuredIds = new HashSet<>();
      for (DialogueTurn t : measured) {
        measuredIds.add(t.getTurnId());
      }
      int labelsBefore = watcher.records(softLabels.name()).size();
      int deadBefore = watcher.records(deadLetters).size();
      long start = System.nanoTime();
      Future<Long> publishing = producerThread.submit(() -> publisher.publish(measured, RateLimiter.unlimited(),
          n -> { }));
      expected += measuredIds.size();
      long end = watcher.awaitTotal(expected, timeout, () -> {
        health();
        if (publishing.isDone()) {
          publishing.get();
        }
      });
      publishing.get();
      double seconds = (end - start) / 1e9;

      List<CommittedWatcher.Seen> all = watcher.records(softLabels.name());
      List<CommittedWatcher.Seen> measuredLabels = new ArrayList<>();
      long firstScored = Long.MAX_VALUE;
      long lastScored = Long.MIN_VALUE;
      long lastSeenMillis = Long.MIN_VALUE;
      for (CommittedWatcher.Seen s : all.subList(labelsBefore, all.size())) {
        SoftLabel label = codec.decode(s.value());
        if (measuredIds.contains(label.getTurnId())) {
          measuredLabels.add(s);
          long scored = label.getScoredAt().toEpochMilli();
          firstScored = Math.min(firstScored, scored);
          lastScored = Math.max(lastScored, scored);
          lastSeenMillis = Math.max(lastSeenMillis, s.seenMillis());
        }
      }
      long dead = watcher.records(deadLetters).size() - deadBefore;
      double scoringSeconds = Math.max(lastScored - firstScored, 1) / 1e3;
      return new Result(measuredIds.size() / seconds, seconds, measuredLabels.size() / scoringSeconds,
          measuredLabels.isEmpty() ? Double.NaN : lastSeenMillis - lastScored, dead, measuredLabels);
    }

    @Override
    public void close() throws Exception {
      producerThread.shutdownNow();
      try {
        publisher.close();
        watcher.close();
      } finally {
        stop(client, namespace);
      }
    }
  }

  private static void stop(JobClient client, String namespace) {
    try {
      client.cancel().get(60, TimeUnit.SECONDS);
      client.getJobExecutionResult().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Cancelling makes the execution result fail: that is the normal end here.
      LOG.debug("teacher job {} stopped: {}", namespace, e.toString());
    }
  }
}
