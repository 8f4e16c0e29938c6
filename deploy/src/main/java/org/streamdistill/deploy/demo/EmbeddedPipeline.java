package org.streamdistill.deploy.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.deploy.platform.EmbeddedKafka;
import org.streamdistill.deploy.platform.TopicProvisioner;
import org.streamdistill.deploy.registry.EmbeddedSchemaRegistry;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.evaluator.app.EvaluatorApp;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.student.training.StudentTrainer;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.job.TeacherJob;
import org.streamdistill.teacher.job.TeacherJobConfig;
import org.streamdistill.teacher.job.TurnScorers;

/**
 * Every stage of the pipeline in one JVM, as each would run on a cluster: a KRaft broker and
 * the schema registry, the teacher job on a Flink MiniCluster, the student trainer on its
 * own thread and the evaluator's Kafka Streams app. The same classes the cluster
 * deployment uses, assembled; nothing is reimplemented here. Owns everything it starts and
 * stops it in reverse order.
 */
public final class EmbeddedPipeline implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPipeline.class);

  /**
   * How to assemble the pipeline.
   *
   * @param workDir broker log dir, checkpoints and Streams state go below it
   * @param teacherBundle the teacher bundle directory
   * @param teacherSettings extra teacher job settings (keys of {@link TeacherJobConfig})
   * @param trainerSettings extra trainer settings (keys of {@link TrainerConfig})
   * @param evaluatorSettings extra evaluator settings (keys of {@link EvaluatorConfig})
   */
  public record Settings(Path workDir, Path teacherBundle, Map<String, String> teacherSettings,
                         Map<String, String> trainerSettings, Map<String, String> evaluatorSettings) {}

  private final EmbeddedKafka kafka;
  private final EmbeddedSchemaRegistry registryServer;
  private final SchemaRegistryClient registry;
  private final JobClient teacherJob;
  private final StudentTrainer trainer;
  private final ExecutorService trainerThread;
  private final Future<?> trainerRun;
  private final EvaluatorApp evaluator;

  private EmbeddedPipeline(EmbeddedKafka kafka, EmbeddedSchemaRegistry registryServer, JobClient teacherJob,
                           StudentTrainer trainer, ExecutorService trainerThread, Future<?> trainerRun,
                           EvaluatorApp evaluator) {
    this.kafka = kafka;
    this.registryServer = registryServer;
    this.registry = new RestSchemaRegistryClient(registryServer.url());
    this.teacherJob = teacherJob;
    this.trainer = trainer;
    this.trainerThread = trainerThread;
    this.trainerRun = trainerRun;
    this.evaluator = evaluator;
  }

  /** Starts the platform, provisions the topics, then starts the evaluator, trainer and teacher job. */
  public static EmbeddedPipeline start(Settings settings) throws Exception {
    EmbeddedKafka kafka = null;
    EmbeddedSchemaRegistry registryServer = null;
    EvaluatorApp evaluator = null;
    StudentTrainer trainer = null;
    ExecutorService trainerThread = null;
    try {
      kafka = EmbeddedKafka.builder().logDir(settings.workDir().resolve("kafka")).start();
      registryServer = EmbeddedSchemaRegistry.start(kafka.bootstrapServers());
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        new TopicProvisioner(admin).provision();
      }
      String bootstrap = kafka.bootstrapServers();
      String registryUrl = registryServer.url();

      Map<String, Object> evaluatorSettings = new HashMap<>();
      evaluatorSettings.put(EvaluatorConfig.BOOTSTRAP_SERVERS, bootstrap);
      evaluatorSettings.put(EvaluatorConfig.SCHEMA_REGISTRY_URL, registryUrl);
      evaluatorSettings.put(EvaluatorConfig.STATE_DIR, settings.workDir().resolve("streams").toString());
      evaluatorSettings.putAll(settings.evaluatorSettings());
      evaluator = new EvaluatorApp(evaluatorSettings);
      evaluator.start();

      Map<String, String> trainerSettings = new HashMap<>();
      trainerSettings.put(TrainerConfig.BOOTSTRAP_SERVERS, bootstrap);
      trainerSettings.put(TrainerConfig.REGISTRY_URL, registryUrl);
      trainerSettings.put(TrainerConfig.CHECKPOINT_DIR, settings.workDir().resolve("student-checkpoints").toString());
      trainerSettings.putAll(settings.trainerSettings());
      trainer = new StudentTrainer(TrainerConfig.of(trainerSettings), new RestSchemaRegistryClient(registryUrl));
      trainerThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "student-trainer"));
      Future<?> trainerRun = trainerThread.submit(trainer);

      Map<String, String> teacherSettings = new HashMap<>();
      teacherSettings.put(TeacherJobConfig.BOOTSTRAP_SERVERS, bootstrap);
      teacherSettings.put(TeacherJobConfig.REGISTRY_URL, registryUrl);
      teacherSettings.put(TeacherJobConfig.BUNDLE, settings.teacherBundle().toString());
      teacherSettings.putAll(settings.teacherSettings());
      TeacherJobConfig teacherConfig = TeacherJobConfig.of(teacherSettings);
      TeacherJob job = new TeacherJob(teacherConfig, TurnScorers.fromConfig(teacherConfig));
      Configuration flink = new Configuration();
      flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
      flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
      flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.createLocalEnvironment(teacherConfig.parallelism(), flink);
      job.build(env, job.kafkaSource(), job.kafkaSink());
      JobClient teacherJob = env.executeAsync(TeacherJob.NAME);
      LOG.info("pipeline started: broker {}, registry {}, teacher job {}", bootstrap, registryUrl, teacherJob.getJobID());
      return new EmbeddedPipeline(kafka, registryServer, teacherJob, trainer, trainerThread, trainerRun, evaluator);
    } catch (Exception | Error e) {
      closeQuietly(trainer, trainerThread, evaluator, registryServer, kafka);
      throw e;
    }
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public String registryUrl() {
    return registryServer.url();
  }

  public SchemaRegistryClient registry() {
    return registry;
  }

  public StudentTrainer.Stats trainerStats() {
    return trainer.stats();
  }

  public long evaluatorDeadLetters() {
    return evaluator.deadLetterCount();
  }

  /** Fails with the stage's own error when the trainer or the teacher job has stopped. */
  public void checkHealth() throws Exception {
    if (trainerRun.isDone()) {
      trainerRun.get();
      throw new IllegalStateException("the student trainer stopped unexpectedly");
    }
    var status = teacherJob.getJobStatus().get(10, TimeUnit.SECONDS);
    if (status.isGloballyTerminalState()) {
      throw new IllegalStateException("the teacher job ended with status " + status);
    }
    var streams = evaluator.state();
    if (streams == org.apache.kafka.streams.KafkaStreams.State.ERROR
        || streams == org.apache.kafka.streams.KafkaStreams.State.NOT_RUNNING) {
      throw new IllegalStateException("the evaluator's Kafka Streams app is " + streams);
    }
  }

  /** Stops the stages (the trainer writes a last checkpoint) but keeps the platform up for reading. */
  public void stopStages() throws Exception {
    trainer.stop();
    try {
      trainerRun.get(60, TimeUnit.SECONDS);
    } finally {
      trainerThread.shutdown();
      try {
        teacherJob.cancel().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("cancelling the teacher job: {}", e.toString());
      }
      evaluator.close();
    }
  }

  @Override
  public void close() {
    trainer.stop();
    try {
      teacherJob.cancel().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.debug("teacher job already stopped: {}", e.toString());
    }
    closeQuietly(trainer, trainerThread, evaluator, registryServer, kafka);
  }

  private static void closeQuietly(StudentTrainer trainer, ExecutorService trainerThread, EvaluatorApp evaluator,
                                   EmbeddedSchemaRegistry registry, EmbeddedKafka kafka) {
    if (trainer != null) {
      trainer.stop();
    }
    if (trainerThread != null) {
      trainerThread.shutdown();
      try {
        trainerThread.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (AutoCloseable c : new AutoCloseable[] {trainer, evaluator, registry, kafka}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.warn("closing {}: {}", c.getClass().getSimpleName(), e.toString());
        }
      }
    }
  }
}
