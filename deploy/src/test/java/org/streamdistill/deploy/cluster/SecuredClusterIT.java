package org.streamdistill.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.demo.TopicReader;
import org.streamdistill.deploy.experiment.CatalogueNamespaceProvisioner;
import org.streamdistill.deploy.registry.EmbeddedSchemaRegistry;
import org.streamdistill.deploy.teacher.SmallTeacherBundle;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.evaluator.app.EvaluatorApp;
import org.streamdistill.evaluator.lag.ConsumerLagMonitor;
import org.streamdistill.evaluator.lag.GroupLag;
import org.streamdistill.evaluator.lag.LagCommand;
import org.streamdistill.evaluator.lag.LagConfig;
import org.streamdistill.producers.ingest.IngestConfig;
import org.streamdistill.producers.ingest.LiveChatIngestion;
import org.streamdistill.producers.replay.ReplayMain;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.kafka.KafkaAccessCheck;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.registry.RetryingSchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.student.training.StudentTrainer;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.job.TeacherJob;
import org.streamdistill.teacher.job.TeacherJobConfig;
import org.streamdistill.teacher.job.TurnScorers;

/**
 * The whole pipeline against a broker whose client listener requires SASL_SSL (SCRAM-SHA-512)
 * and enforces ACLs, every command configured through its own config class from the example
 * file of {@code deploy/cluster/kafka-secure.properties} (its paths pointed at this run's
 * truststore and secrets file): provision, registry, replay, live ingestion, the teacher job on
 * a Flink MiniCluster, the trainer, the evaluator and {@code lag}. Then the three ways a secured
 * connection goes wrong, each of which must stop a stage within seconds with a message saying
 * what to fix: a wrong password, an untrusted certificate, a missing ACL. No secret may reach a
 * log line or an error message on the way.
 */
class SecuredClusterIT {

  private static final Path CLUSTER_DIR = Path.of("cluster");
  private static final String EXAMPLE = "kafka-secure.properties";
  private static final String EXAMPLE_DIR = "/etc/streamdistill/";
  private static final String USER = "pipeline";
  private static final String NO_ACL_USER = "no-acls";
  private static final int REPLAYED_TURNS = 200;
  private static final int INGESTED_TURNS = 10;
  /** Generous for a loaded 2-core machine; each failure below is seen in about a second when idle. */
  private static final Duration FAILS_WITHIN = Duration.ofSeconds(30);

  @TempDir
  static Path dir;

  private static SecuredKafka kafka;
  private static LogCapture log;
  private static String password;
  private static String noAclPassword;
  private static Path pipelineConfig;
  /** Every secret of this run: none may appear in a log line, an output or an error message. */
  private static final List<String> SECRETS = new ArrayList<>();

  @BeforeAll
  static void startSecuredBroker() throws Exception {
    log = new LogCapture();
    kafka = SecuredKafka.start(dir);
    password = SecuredKafka.randomSecret();
    noAclPassword = SecuredKafka.randomSecret();
    SECRETS.addAll(List.of(password, noAclPassword, kafka.truststorePassword()));
    kafka.createUser(USER, password);
    kafka.grantPipelineAcls(USER);
    kafka.createUser(NO_ACL_USER, noAclPassword);
    pipelineConfig = clientConfig("pipeline", USER, password, kafka.truststore());
  }

  @AfterAll
  static void stopBroker() {
    try {
      if (kafka != null) {
        kafka.close();
      }
    } finally {
      if (log != null) {
        log.close();
      }
    }
  }

  @Test
  void shouldRunEveryStageExactlyOnceOverSaslSslWithTheExampleSettings() throws Exception {
    // Given the topics, provisioned through the secured listener
    Output provision = new Output();
    assertThat(ProvisionCommand.run(secured(pipelineConfig, "--provision.replication-factor", "1"),
        provision.out, provision.err)).as(provision.err()).isZero();
    assertThat(provision.out()).contains("created 12");

    // and the schema registry, keeping its schemas in a topic of the secured cluster
    try (EmbeddedSchemaRegistry registry = RegistryCommand.builder(secured(pipelineConfig, "--registry.port", "0"),
        Map.of()).start()) {
      String url = registry.url();
      var registryClient = new RetryingSchemaRegistryClient(new RestSchemaRegistryClient(url));
      Path dataPath = SmallTeacherBundle.clinc150Path();
      Path bundle = dir.resolve("bundle");
      SmallTeacherBundle.fitAndSave(Clinc150.read(dataPath), dataPath, 10, bundle);

      // When the evaluator, the trainer and the teacher job run on it, each from its own settings
      EvaluatorConfig evaluatorConfig = EvaluatorConfig.parse(secured(pipelineConfig, "--schema.registry.url", url,
              "--evaluator.state.dir", dir.resolve("streams").toString(), "--evaluator.promotion.min-paired", "50",
              "--evaluator.promotion.cooldown-turns", "50"), Map.of(),
          warning -> { throw new AssertionError("deprecated form used: " + warning); });
      TrainerConfig trainerConfig = TrainerConfig.parse(secured(pipelineConfig, "--schema.registry.url", url,
          "--trainer.checkpoint.dir", dir.resolve("checkpoints").toString(),
          "--trainer.checkpoint.every-samples", "100"), Map.of());
      TeacherJobConfig teacherConfig = TeacherJobConfig.parse(secured(pipelineConfig, "--schema.registry.url", url,
          "--teacher.bundle", bundle.toString(), "--teacher.checkpoint.interval-ms", "500"), Map.of());
      assertThat(trainerConfig.kafka().values()).containsEntry("security.protocol", "SASL_SSL");

      ExecutorService trainerThread = Executors.newSingleThreadExecutor();
      JobClient teacherJob = null;
      try (EvaluatorApp evaluator = new EvaluatorApp(evaluatorConfig);
           StudentTrainer trainer = StudentTrainer.create(trainerConfig, registryClient)) {
        evaluator.start();
        Future<?> trainerRun = trainerThread.submit(trainer::run);
        TeacherJob job = new TeacherJob(teacherConfig, TurnScorers.fromConfig(teacherConfig));
        job.checkKafkaAccess(Duration.ofSeconds(30));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, flinkSettings());
        job.build(env, job.kafkaSource(), job.kafkaSink());
        teacherJob = env.executeAsync(TeacherJob.NAME);
        JobClient runningJob = teacherJob;

        // and turns arrive through the CLINC150 replay and the live chat endpoint
        Output replay = new Output();
        assertThat(ReplayMain.run(secured(pipelineConfig, "--schema.registry.url", url, "--replay.data",
            dataPath.toString(), "--replay.limit", Integer.toString(REPLAYED_TURNS), "--replay.passes", "1",
            "--replay.include-test", "false"), Map.of(), replay.out, replay.err, new CatalogueNamespaceProvisioner()))
            .as(replay.err()).isZero();
        ingest(url, registryClient);

        // Then every turn gets exactly one soft label and one prediction
        int turns = REPLAYED_TURNS + INGESTED_TURNS;
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
          if (trainerRun.isDone()) {
            trainerRun.get();
          }
          assertThat(runningJob.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()).isFalse();
          assertThat(trainer.stats().predictionsAcknowledged()).isEqualTo(turns);
        });
        TopicReader reader = new TopicReader(kafka.bootstrapServers(), trainerConfig.kafka(), registryClient);
        List<String> turnIds = reader.readAll(Topics.TURNS).stream().map(DialogueTurn::getTurnId).toList();
        assertThat(turnIds).hasSize(turns).doesNotHaveDuplicates();
        assertThat(reader.readAll(Topics.SOFT_LABELS)).extracting(SoftLabel::getTurnId)
            .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(turnIds);
        assertThat(reader.readAll(Topics.PREDICTIONS)).extracting(StudentPrediction::getTurnId)
            .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(turnIds);
        assertThat(reader.forEachRaw(Topics.TURNS.deadLetterTopic(), record -> { })).as("dead letters").isZero();

        // and `lag`, through the same listener, sees every pipeline group catch up
        LagConfig lagConfig = LagConfig.parse(secured(pipelineConfig, "--lag.window.samples", "2",
            "--lag.interval.ms", "200"), Map.of());
        try (ConsumerLagMonitor monitor = new ConsumerLagMonitor(lagConfig.monitor())) {
          await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
              assertThat(monitor.sampleNow().groups()).extracting(GroupLag::group, GroupLag::totalLag)
                  .containsExactly(org.assertj.core.groups.Tuple.tuple(Topics.TEACHER_GROUP, 0L),
                      org.assertj.core.groups.Tuple.tuple(Topics.TRAINER_GROUP, 0L),
                      org.assertj.core.groups.Tuple.tuple(Topics.EVALUATOR_APPLICATION_ID, 0L)));
        }
        Output lag = new Output();
        assertThat(LagCommand.run(secured(pipelineConfig, "--once", "--window", "2", "--interval", "200"),
            lag.out, lag.err)).as(lag.err()).isZero();
        assertThat(lag.out()).contains(Topics.TEACHER_GROUP).contains(Topics.TRAINER_GROUP)
            .contains(Topics.EVALUATOR_APPLICATION_ID);
        assertNoSecretIn(provision.all() + replay.all() + lag.all());

        trainer.stop();
        trainerRun.get(60, TimeUnit.SECONDS);
      } finally {
        if (teacherJob != null) {
          teacherJob.cancel().get(60, TimeUnit.SECONDS);
        }
        trainerThread.shutdownNow();
      }
    }
    // The clients did print their configuration, with the secrets masked
    assertThat(log.text()).contains("sasl.jaas.config = [hidden]").contains("security.protocol = SASL_SSL");
    assertNoSecretIn(log.text());
  }

  @Test
  void shouldStopAStageWithinSecondsOnAWrongPassword() throws Exception {
    Path wrong = clientConfig("wrong-password", USER, SecuredKafka.randomSecret(), kafka.truststore());

    // provision (an admin client) exits with the broker's reason
    Output provision = new Output();
    long started = System.nanoTime();
    int exit = ProvisionCommand.run(secured(wrong), provision.out, provision.err);
    assertThat(elapsed(started)).isLessThan(FAILS_WITHIN);
    assertThat(exit).isNotZero();
    assertThat(provision.err()).contains("invalid credentials").contains("SCRAM-SHA-512");

    // and the teacher job, which Flink would restart for ever, is refused before submission
    TeacherJobConfig teacher = TeacherJobConfig.parse(secured(wrong), Map.of());
    started = System.nanoTime();
    assertThatThrownBy(() -> new TeacherJob(teacher, TurnScorers.fromConfig(teacher))
        .checkKafkaAccess(FAILS_WITHIN))
        .isInstanceOf(KafkaAccessCheck.AccessDeniedException.class)
        .hasMessageContaining("refused the credentials").hasMessageContaining("kafka.sasl.jaas.config")
        .satisfies(e -> assertNoSecretIn(e.getMessage()));
    assertThat(elapsed(started)).isLessThan(FAILS_WITHIN);

    // and the evaluator's Kafka Streams app goes to ERROR with the authentication failure
    EvaluatorConfig evaluatorConfig = EvaluatorConfig.parse(secured(wrong, "--evaluator.state.dir",
        dir.resolve("wrong-password-streams").toString()), Map.of(), warning -> { });
    started = System.nanoTime();
    try (EvaluatorApp evaluator = new EvaluatorApp(evaluatorConfig,
        new org.streamdistill.schemas.registry.InMemorySchemaRegistryClient())) {
      evaluator.start();
      assertThat(evaluator.awaitStopped(FAILS_WITHIN)).as("stopped within %s", FAILS_WITHIN).isTrue();
      assertThat(evaluator.state()).isEqualTo(org.apache.kafka.streams.KafkaStreams.State.ERROR);
      assertThat(KafkaAccessCheck.denied(kafka.bootstrapServers(), evaluator.failure()))
          .hasMessageContaining("refused the credentials");
    }
    assertThat(elapsed(started)).isLessThan(FAILS_WITHIN.plus(EvaluatorApp.CLOSE_TIMEOUT));
    assertNoSecretIn(provision.all());
  }

  @Test
  void shouldStopAStageWithinSecondsOnAnUntrustedCertificate() throws Exception {
    Path untrusted = clientConfig("untrusted", USER, password, kafka.untrustedTruststore());

    // the trainer stops with the TLS error
    TrainerConfig trainerConfig = TrainerConfig.parse(secured(untrusted, "--trainer.checkpoint.dir",
        dir.resolve("untrusted-checkpoints").toString()), Map.of());
    long started = System.nanoTime();
    assertThatThrownBy(() -> {
      try (StudentTrainer trainer = StudentTrainer.create(trainerConfig,
          new org.streamdistill.schemas.registry.InMemorySchemaRegistryClient())) {
        trainer.run();
      }
    }).satisfies(e -> assertThat(rootCauses(e)).anyMatch(m -> m.contains("SSL handshake failed")));
    assertThat(elapsed(started)).isLessThan(FAILS_WITHIN);

    // and the teacher job is refused before submission with what to check
    TeacherJobConfig teacher = TeacherJobConfig.parse(secured(untrusted), Map.of());
    started = System.nanoTime();
    assertThatThrownBy(() -> new TeacherJob(teacher, TurnScorers.fromConfig(teacher)).checkKafkaAccess(FAILS_WITHIN))
        .isInstanceOf(KafkaAccessCheck.AccessDeniedException.class)
        .hasMessageContaining("TLS handshake with Kafka at " + kafka.bootstrapServers() + " failed")
        .hasMessageContaining("kafka.ssl.truststore.location");
    assertThat(elapsed(started)).isLessThan(FAILS_WITHIN);
  }

  @Test
  void shouldStopAStageWithinSecondsOnAMissingAcl() throws Exception {
    Path noAcls = clientConfig("no-acls", NO_ACL_USER, noAclPassword, kafka.truststore());

    // the trainer stops, naming what it may not do
    TrainerConfig trainerConfig = TrainerConfig.parse(secured(noAcls, "--trainer.checkpoint.dir",
        dir.resolve("no-acl-checkpoints").toString()), Map.of());
    long started = System.nanoTime();
    assertThatThrownBy(() -> {
      try (StudentTrainer trainer = StudentTrainer.create(trainerConfig,
          new org.streamdistill.schemas.registry.InMemorySchemaRegistryClient())) {
        trainer.run();
      }
    }).satisfies(e -> assertThat(rootCauses(e)).anyMatch(m -> m.contains("authorization failed")));
    assertThat(elapsed(started)).isLessThan(FAILS_WITHIN);

    // lag exits with the broker's refusal
    Output lag = new Output();
    started = System.nanoTime();
    int exit = LagCommand.run(secured(noAcls, "--once", "--window", "2", "--interval", "200"), lag.out, lag.err);
    assertThat(elapsed(started)).isLessThan(FAILS_WITHIN);
    assertThat(exit).isNotZero();
    assertThat(lag.err()).containsIgnoringCase("authoriz");

    // and the teacher job is refused before submission
    TeacherJobConfig teacher = TeacherJobConfig.parse(secured(noAcls), Map.of());
    started = System.nanoTime();
    assertThatThrownBy(() -> new TeacherJob(teacher, TurnScorers.fromConfig(teacher)).checkKafkaAccess(FAILS_WITHIN))
        .isInstanceOf(KafkaAccessCheck.AccessDeniedException.class)
        .hasMessageContaining("refused an operation").hasMessageContaining("ACLs");
    assertThat(elapsed(started)).isLessThan(FAILS_WITHIN);
    assertNoSecretIn(lag.all());
  }

  /**
   * The example file of {@code deploy/cluster}, as an operator would install it: its paths point
   * at a directory holding the truststore and a secrets file for {@code user}.
   */
  private static Path clientConfig(String name, String user, String userPassword, Path truststore) throws Exception {
    Path home = Files.createDirectories(dir.resolve("clients").resolve(name));
    Files.copy(truststore, home.resolve("kafka-truststore.p12"));
    SecuredKafka.writeSecret(home.resolve("kafka-secrets.properties"),
        "ssl.truststore.password=" + kafka.truststorePassword() + "\n"
            + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
            + "\" password=\"" + userPassword + "\";\n");
    String example = Files.readString(CLUSTER_DIR.resolve(EXAMPLE));
    assertThat(example).contains(EXAMPLE_DIR + "kafka-truststore.p12").contains(EXAMPLE_DIR + "kafka-secrets.properties");
    SECRETS.add(userPassword);
    return Files.writeString(home.resolve(EXAMPLE), example.replace(EXAMPLE_DIR, home + "/"));
  }

  /** A command's arguments: the client settings file, this broker's secured listener, then {@code more}. */
  private static List<String> secured(Path config, String... more) {
    List<String> args = new ArrayList<>(List.of("--config", config.toString(),
        "--bootstrap.servers", kafka.bootstrapServers()));
    args.addAll(List.of(more));
    return args;
  }

  private static void ingest(String registryUrl, org.streamdistill.schemas.registry.SchemaRegistryClient registry)
      throws Exception {
    String token = SecuredKafka.randomSecret() + SecuredKafka.randomSecret();
    IngestConfig config = IngestConfig.parse(secured(pipelineConfig, "--schema.registry.url", registryUrl,
        "--ingest.port", "0", "--ingest.token", token), Map.of());
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try (LiveChatIngestion ingestion = LiveChatIngestion.start(config, registry)) {
      for (int i = 0; i < INGESTED_TURNS; i++) {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create(ingestion.baseUri() + "/v1/conversations/secured-" + (i % 3) + "/turns"))
            .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString("{\"speaker\":\"user\",\"text\":\"how do I reset my pin number "
                + i + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
      }
    }
  }

  private static Configuration flinkSettings() {
    Configuration flink = new Configuration();
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofSeconds(10));
    return flink;
  }

  private static void assertNoSecretIn(String text) {
    for (String secret : SECRETS) {
      assertThat(text).as("a secret was printed").doesNotContain(secret);
    }
  }

  private static List<String> rootCauses(Throwable e) {
    List<String> messages = new ArrayList<>();
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages.add(String.valueOf(t.getMessage()));
    }
    return messages;
  }

  private static Duration elapsed(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  /** A command's stdout and stderr. */
  private static final class Output {
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    String out() {
      return outBytes.toString(StandardCharsets.UTF_8);
    }

    String err() {
      return errBytes.toString(StandardCharsets.UTF_8);
    }

    String all() {
      return out() + err();
    }
  }
}
