package org.streamdistill.deploy.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.DialogueTurn;
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

  /** A started job with its meter; {@link #close()} cancels the job. */
  final class RunningJob implements AutoCloseable {

    private final String namespace;
    private final JobClient client;
    private final TeacherThroughputMeter meter;

    private RunningJob(String namespace, JobClient client) {
      this.namespace = namespace;
      this.client = client;
      this.meter = new TeacherThroughputMeter(platform.bootstrapServers(), platform.registry(), namespace, timeout,
          this::health);
    }

    private void health() throws Exception {
      var status = client.getJobStatus().get(10, TimeUnit.SECONDS);
      if (status.isGloballyTerminalState()) {
        throw new IllegalStateException("the teacher job in namespace " + namespace + " ended with status "
            + status + " (see target/streamdistill.log)");
      }
    }

    private void warmUp(Iterable<DialogueTurn> warmup) throws Exception {
      meter.warmUp(warmup);
    }

    /** Produces {@code measured} (turn ids not used before in this job) and times it. */
    Result measure(Iterable<DialogueTurn> measured) throws Exception {
      return meter.measure(measured);
    }

    @Override
    public void close() throws Exception {
      try {
        meter.close();
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
