package org.streamdistill.deploy.demo;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
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
import org.streamdistill.evaluator.lag.ConsumerLagMonitor;
import org.streamdistill.evaluator.lag.ConsumerStatus;
import org.streamdistill.evaluator.lag.LagSnapshot;
import org.streamdistill.evaluator.lag.MonitoredGroup;
import org.streamdistill.schemas.lifecycle.Failures;
import org.streamdistill.schemas.lifecycle.StageSupervisor;
import org.streamdistill.schemas.metrics.MetricsEndpoint;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.student.training.StudentTrainer;
import org.streamdistill.student.training.SupervisedTrainerMetrics;
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
  private final String bootstrapServers;
  private final String registryUrl;
  private final List<MonitoredGroup> groups;
  private final SchemaRegistryClient registry;
  private final JobClient teacherJob;
  private final StageSupervisor<StudentTrainer> trainer;
  /** Counters of trainer instances the supervisor replaced after a failure. */
  private final java.util.List<StudentTrainer.Stats> replacedTrainers;
  private final ExecutorService trainerThread;
  private final Future<?> trainerRun;
  private final EvaluatorApp evaluator;
  /** The stages' metrics endpoints that their settings turned on, by stage ({@code teacher}, ...). */
  private final Map<String, MetricsEndpoint> metricsEndpoints;
  private final TeacherOpening teacherOpening;


  private EmbeddedPipeline(EmbeddedKafka kafka, EmbeddedSchemaRegistry registryServer, String bootstrapServers,
                           String registryUrl, List<MonitoredGroup> groups, JobClient teacherJob,
                           StageSupervisor<StudentTrainer> trainer, java.util.List<StudentTrainer.Stats> replacedTrainers,
                           ExecutorService trainerThread, Future<?> trainerRun,
                           EvaluatorApp evaluator, Map<String, MetricsEndpoint> metricsEndpoints,
                           TeacherOpening teacherOpening) {
    this.kafka = kafka;
    this.registryServer = registryServer;
    this.bootstrapServers = bootstrapServers;
    this.registryUrl = registryUrl;
    this.groups = groups;
    this.registry = new RestSchemaRegistryClient(registryUrl);
    this.teacherJob = teacherJob;
    this.trainer = trainer;
    this.replacedTrainers = replacedTrainers;
    this.trainerThread = trainerThread;
    this.trainerRun = trainerRun;
    this.evaluator = evaluator;
    this.metricsEndpoints = metricsEndpoints;
    this.teacherOpening = teacherOpening;
  }

  /** Starts the platform, provisions the topics, then starts the evaluator, trainer and teacher job. */
  public static EmbeddedPipeline start(Settings settings) throws Exception {
    EmbeddedKafka kafka = null;
    EmbeddedSchemaRegistry registryServer = null;
    try {
      kafka = EmbeddedKafka.builder().logDir(settings.workDir().resolve("kafka")).start();
      registryServer = EmbeddedSchemaRegistry.start(kafka.bootstrapServers());
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        new TopicProvisioner(admin).provision();
      }
      return startStages(kafka, registryServer, kafka.bootstrapServers(), registryServer.url(), "", settings);
    } catch (Exception | Error e) {
      closeQuietly(null, null, null, Map.of(), registryServer, kafka);
      throw e;
    }
  }

  /**
   * Starts the stages of an experiment on an existing broker and registry, in {@code namespace}
   * (its topics are provisioned if missing), beside whatever else runs there. Unless {@code
   * settings} say otherwise, the experiment's consumer groups, transactional ids and Streams
   * application id are the production ones prefixed with {@code <namespace>-}, and its
   * checkpoints and Streams state go below {@code workDir/experiments/<namespace>}: nothing is
   * shared with production. {@link #close()} stops the stages only; the broker and registry
   * stay up.
   *
   * @param namespace the experiment namespace (not empty)
   */
  public static EmbeddedPipeline startStages(String bootstrapServers, String registryUrl, String namespace,
                                             Settings settings) throws Exception {
    if (namespace == null || namespace.isBlank()) {
      throw new IllegalArgumentException("an experiment needs a namespace; use start() for production");
    }
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      new TopicProvisioner(admin).provision(namespace);
    }
    return startStages(null, null, bootstrapServers, registryUrl, namespace, settings);
  }

  /** The group id (or transactional id prefix, or application id) of a stage in {@code namespace}. */
  private static String inNamespace(String namespace, String productionId) {
    return Topics.groupInNamespace(productionId, namespace);
  }

  /**
   * Starts the evaluator, trainer and teacher job in {@code namespace} (empty for production);
   * {@code kafka} and {@code registryServer}, when not null, are owned by the returned pipeline.
   * Each stage's metrics endpoint is served when its settings turn it on ({@code
   * teacher.metrics.port}, {@code trainer.metrics.port}, {@code evaluator.metrics.port}), with
   * the registry its own command serves. Stops whatever it started when a stage fails to start.
   */
  private static EmbeddedPipeline startStages(EmbeddedKafka kafka, EmbeddedSchemaRegistry registryServer,
                                              String bootstrap, String registryUrl, String namespace,
                                              Settings settings) throws Exception {
    Path stageDir = namespace.isEmpty() ? settings.workDir()
        : settings.workDir().resolve("experiments").resolve(namespace);
    String teacherGroup = inNamespace(namespace, MonitoredGroup.TEACHER_STREAM);
    String trainerGroup = inNamespace(namespace, MonitoredGroup.STUDENT_TRAINER);
    String evaluatorId = inNamespace(namespace, MonitoredGroup.EVALUATOR);
    EvaluatorApp evaluator = null;
    StageSupervisor<StudentTrainer> trainer = null;
    java.util.List<StudentTrainer.Stats> replaced = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExecutorService trainerThread = null;
    Map<String, MetricsEndpoint> endpoints = new LinkedHashMap<>();
    try {
      Map<String, Object> evaluatorSettings = new HashMap<>();
      evaluatorSettings.put(EvaluatorConfig.BOOTSTRAP_SERVERS, bootstrap);
      evaluatorSettings.put(EvaluatorConfig.SCHEMA_REGISTRY_URL, registryUrl);
      evaluatorSettings.put(EvaluatorConfig.STATE_DIR, stageDir.resolve("streams").toString());
      evaluatorSettings.put(EvaluatorConfig.APPLICATION_ID, evaluatorId);
      evaluatorSettings.putAll(settings.evaluatorSettings());
      evaluatorSettings.put(EvaluatorConfig.TOPIC_NAMESPACE, namespace);
      evaluator = new EvaluatorApp(evaluatorSettings);
      evaluator.start();
      startMetrics(endpoints, "evaluator", evaluator.config().metricsEndpoint(), evaluator.metricsRegistry());

      Map<String, String> trainerSettings = new HashMap<>();
      trainerSettings.put(TrainerConfig.BOOTSTRAP_SERVERS, bootstrap);
      trainerSettings.put(TrainerConfig.REGISTRY_URL, registryUrl);
      trainerSettings.put(TrainerConfig.CHECKPOINT_DIR, stageDir.resolve("student-checkpoints").toString());
      trainerSettings.put(TrainerConfig.GROUP_ID, trainerGroup);
      trainerSettings.putAll(settings.trainerSettings());
      trainerSettings.put(TrainerConfig.NAMESPACE, namespace);
      TrainerConfig trainerConfig = TrainerConfig.of(trainerSettings);
      // Supervised: a trainer that fails (the broker gone for longer than its clients wait, say) is
      // started again from its last committed transaction, not left dead while the others wait.
      trainer = new StageSupervisor<>("student trainer", () -> StudentTrainer.create(trainerConfig,
          new org.streamdistill.schemas.registry.RetryingSchemaRegistryClient(new RestSchemaRegistryClient(registryUrl))),
          StudentTrainer::stop, Failures::restartCannotFix, failed -> replaced.add(failed.stats()),
          Duration.ofSeconds(1), Duration.ofSeconds(30));
      trainerThread = Executors.newSingleThreadExecutor(
          r -> new Thread(r, namespace.isEmpty() ? "student-trainer" : namespace + "-student-trainer"));
      Future<?> trainerRun = trainerThread.submit(trainer);
      startMetrics(endpoints, "trainer", TrainerConfig.metricsEndpoint(trainerSettings),
          SupervisedTrainerMetrics.registry(trainer));

      Map<String, String> teacherSettings = new HashMap<>();
      teacherSettings.put(TeacherJobConfig.BOOTSTRAP_SERVERS, bootstrap);
      teacherSettings.put(TeacherJobConfig.REGISTRY_URL, registryUrl);
      teacherSettings.put(TeacherJobConfig.BUNDLE, settings.teacherBundle().toString());
      teacherSettings.put(TeacherJobConfig.GROUP_ID, teacherGroup);
      teacherSettings.put(TeacherJobConfig.TRANSACTIONAL_ID_PREFIX, teacherGroup);
      teacherSettings.putAll(settings.teacherSettings());
      teacherSettings.put(TeacherJobConfig.NAMESPACE, namespace);
      TeacherJobConfig teacherConfig = TeacherJobConfig.of(teacherSettings);
      TeacherJob job = new TeacherJob(teacherConfig, TurnScorers.fromConfig(teacherConfig));
      Configuration flink = TeacherJob.restartPolicy();
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.createLocalEnvironment(teacherConfig.parallelism(), flink);
      job.build(env, job.kafkaSource(), job.kafkaSink());
      // The default registry: the scoring operators on this JVM's MiniCluster report into it (TeacherMetrics).
      startMetrics(endpoints, "teacher", TeacherJobConfig.metricsEndpoint(teacherSettings),
          PrometheusRegistry.defaultRegistry);
      TeacherOpening opening = TeacherOpening.before(teacherConfig.parallelism());
      JobClient teacherJob = env.executeAsync(TeacherJob.NAME);
      LOG.info("pipeline started{}: broker {}, registry {}, teacher job {}",
          namespace.isEmpty() ? "" : " in namespace " + namespace, bootstrap, registryUrl, teacherJob.getJobID());
      List<MonitoredGroup> groups = List.of(
          new MonitoredGroup(teacherConfig.groupId(), Set.of(Topics.TURNS.inNamespace(namespace).name())),
          new MonitoredGroup(trainerSettings.get(TrainerConfig.GROUP_ID),
              Set.of(Topics.SOFT_LABELS.inNamespace(namespace).name())),
          new MonitoredGroup((String) evaluatorSettings.get(EvaluatorConfig.APPLICATION_ID),
              Set.of(Topics.PREDICTIONS.inNamespace(namespace).name())));
      return new EmbeddedPipeline(kafka, registryServer, bootstrap, registryUrl, groups, teacherJob, trainer,
          replaced, trainerThread, trainerRun, evaluator, endpoints, opening);
    } catch (Exception | Error e) {
      closeQuietly(trainer, trainerThread, evaluator, endpoints, null, null);
      throw e;
    }
  }

  private static void startMetrics(Map<String, MetricsEndpoint> endpoints, String stage,
                                   MetricsEndpoint.Settings settings, PrometheusRegistry registry) {
    MetricsEndpoint endpoint = MetricsEndpoint.startIfEnabled(stage + "-metrics", settings, registry);
    if (endpoint != null) {
      endpoints.put(stage, endpoint);
    }
  }

  /**
   * Where each stage serves its Prometheus metrics ({@code http://host:port}, scrape {@code
   * /metrics}), by stage: {@code teacher}, {@code trainer}, {@code evaluator}; only the stages
   * whose settings turned their endpoint on.
   */
  public Map<String, URI> metricsEndpoints() {
    Map<String, URI> uris = new LinkedHashMap<>();
    metricsEndpoints.forEach((stage, endpoint) -> uris.put(stage, endpoint.baseUri()));
    return uris;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public String registryUrl() {
    return registryUrl;
  }

  public SchemaRegistryClient registry() {
    return registry;
  }

  /** The trainer's counters, summed over every instance the supervisor ran (see {@link StudentTrainer.Stats}). */
  public StudentTrainer.Stats trainerStats() {
    StudentTrainer running = trainer.current(); // null between a failure and the replacement
    List<StudentTrainer.Stats> all = new java.util.ArrayList<>(replacedTrainers);
    if (running != null) {
      all.add(running.stats());
    }
    long consumed = 0;
    long acknowledged = 0;
    long learned = 0;
    long dead = 0;
    for (StudentTrainer.Stats one : all) {
      consumed += one.softLabelsConsumed();
      acknowledged += one.predictionsAcknowledged();
      learned += one.turnsLearned();
      dead += one.deadLettered();
    }
    StudentTrainer.Stats latest = all.get(all.size() - 1);
    return new StudentTrainer.Stats(consumed, acknowledged, learned, dead, latest.checkpoints(),
        latest.challengerVersion(), latest.championVersion());
  }

  /** How often the supervisor restarted the trainer after a failure. */
  public int trainerRestarts() {
    return trainer.restarts();
  }

  public long evaluatorDeadLetters() {
    return evaluator.deadLetterCount();
  }

  /**
   * Waits until every subtask of the teacher job has opened its teacher, gate and codecs: the
   * MiniCluster deploys the job in the background, which takes seconds (tens of them for an
   * ensemble on a loaded machine). Turns produced before are not lost, but they reach the gate
   * late, and a budget's lag bound sheds them as {@code behind}; a replay that means to measure
   * the pipeline waits here first.
   *
   * @return the seconds waited
   * @throws java.util.concurrent.TimeoutException when the subtasks are not all open within {@code timeout}
   * @throws IllegalStateException when the teacher's subtasks failed to open {@link
   *     TeacherOpening#MAX_ATTEMPTS} times each meanwhile (Flink would go on restarting it; the log says why)
   * @throws Exception a stage's own error when one stops meanwhile ({@link #checkHealth()})
   */
  public double awaitTeacherOpen(Duration timeout) throws Exception {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while (!teacherOpening.done()) {
      checkHealth();
      if (teacherOpening.cannotOpen()) {
        throw new IllegalStateException("the teacher job's subtasks failed to open " + teacherOpening.failures()
            + " times in " + Math.round((System.nanoTime() - start) / 1e9) + " s (Flink restarts it with backoff, "
            + "so it would go on); each failure is a line 'teacher scoring subtask failed to open' in the log");
      }
      if (System.nanoTime() - deadline > 0) {
        throw new java.util.concurrent.TimeoutException("the teacher job did not open its "
            + teacherOpening.subtasks() + " subtask(s) within " + timeout.toSeconds()
            + " s; its log says why (a teacher that fails to open is restarted)");
      }
      Thread.sleep(100);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** The teacher job's subtasks ({@code teacher.parallelism}, resolved). */
  public int teacherSubtasks() {
    return teacherOpening.subtasks();
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

  /**
   * Stops the stages (the trainer writes a last checkpoint) but keeps the platform up for
   * reading; returns the consumer lag of every pipeline group sampled after the trainer's last
   * commit.
   */
  public LagSnapshot stopStages() throws Exception {
    trainer.stop();
    try {
      trainerRun.get(60, TimeUnit.SECONDS);
      // The trainer committed its last offsets with its final checkpoint; the teacher job and
      // the evaluator commit continuously: this is the lag an operator would see now.
      return finalLag();
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

  private LagSnapshot finalLag() {
    var settings = new ConsumerLagMonitor.Settings(bootstrapServers, groups,
        Duration.ofMillis(500), 2, Duration.ofMinutes(1), Duration.ofSeconds(10));
    // Flink commits its source offsets asynchronously after each completed checkpoint, so the
    // teacher group may trail for a checkpoint interval or two: sample until every group has
    // caught up, for at most 30 seconds, and report what was seen last.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    try (ConsumerLagMonitor monitor = new ConsumerLagMonitor(settings)) {
      LagSnapshot snapshot = monitor.sampleNow();
      while (System.nanoTime() < deadline
          && !snapshot.groups().stream().allMatch(g -> g.totalLag() == 0 && g.status() == ConsumerStatus.OK)) {
        Thread.sleep(500);
        snapshot = monitor.sampleNow();
      }
      return snapshot;
    } catch (Exception e) {
      LOG.warn("could not sample the final consumer lag: {}", e.toString());
      return LagSnapshot.EMPTY;
    }
  }

  /** Stops the stages, then the broker and registry if this pipeline started them ({@link #start}). */
  @Override
  public void close() {
    trainer.stop();
    try {
      teacherJob.cancel().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.debug("teacher job already stopped: {}", e.toString());
    }
    closeQuietly(trainer, trainerThread, evaluator, metricsEndpoints, registryServer, kafka);
  }

  private static void closeQuietly(StageSupervisor<StudentTrainer> trainer, ExecutorService trainerThread,
                                   EvaluatorApp evaluator, Map<String, MetricsEndpoint> metricsEndpoints,
                                   EmbeddedSchemaRegistry registry, EmbeddedKafka kafka) {
    metricsEndpoints.values().forEach(MetricsEndpoint::close);
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
    for (AutoCloseable c : new AutoCloseable[] {trainer == null ? null : trainer.current(), evaluator, registry, kafka}) {
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
