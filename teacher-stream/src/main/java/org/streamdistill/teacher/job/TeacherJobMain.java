package org.streamdistill.teacher.job;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.schemas.kafka.KafkaAccessCheck;
import org.streamdistill.schemas.metrics.MetricsEndpoint;

/**
 * Submits the teacher job to the environment it runs in: a Flink cluster when launched with
 * {@code flink run}, a local MiniCluster otherwise.
 */
public final class TeacherJobMain {

  private static final Logger LOG = LoggerFactory.getLogger(TeacherJobMain.class);
  /** How long the check of the job's Kafka access before submission waits for the cluster. */
  private static final Duration ACCESS_CHECK_TIMEOUT = Duration.ofSeconds(30);

  private TeacherJobMain() {}

  public static void main(String[] args) throws Exception {
    if (List.of(args).contains("--help")) {
      System.out.println("Runs the teacher job. Settings:\n" + TeacherJobConfig.LOADER.help());
      return;
    }
    TeacherJobConfig config;
    MetricsEndpoint.Settings metricsSettings;
    try {
      config = TeacherJobConfig.parse(List.of(args), System.getenv());
      metricsSettings = TeacherJobConfig.metricsEndpoint(List.of(args), System.getenv());
    } catch (ConfigException e) {
      System.err.println("teacher-stream: " + e.getMessage());
      System.exit(2);
      return;
    }
    LOG.info("teacher job settings given (the rest at their defaults): {}",
        TeacherJobConfig.LOADER.given(List.of(args), System.getenv()));
    try {
      TurnScorers.checkBundles(config);
    } catch (java.io.IOException e) {
      System.err.println("teacher-stream: a teacher bundle cannot be used: " + e.getMessage());
      System.exit(2);
      return;
    }
    TeacherJob job = new TeacherJob(config, TurnScorers.fromConfig(config));
    try {
      job.checkKafkaAccess(ACCESS_CHECK_TIMEOUT);
    } catch (KafkaAccessCheck.AccessDeniedException e) {
      System.err.println("teacher-stream: " + e.getMessage());
      System.exit(1);
      return;
    }
    StreamExecutionEnvironment env = job.environment();
    job.build(env, job.kafkaSource(), job.kafkaSink());
    // The default registry: the scoring operators of a local environment (MiniCluster) report into
    // it from this JVM (see TeacherMetrics); on a cluster this process only submits the job.
    try (MetricsEndpoint metrics = MetricsEndpoint.startIfEnabled("teacher-metrics", metricsSettings,
        PrometheusRegistry.defaultRegistry)) {
      env.execute(TeacherJob.NAME);
    }
  }
}
