package org.streamdistill.deploy.soak;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.deploy.Main;
import org.streamdistill.deploy.cluster.PortCheck;
import org.streamdistill.deploy.cluster.ProvisionCommand;

/**
 * The soak's pipeline: a KRaft broker process ({@code kafka.Kafka}, as {@code
 * kafka-server-start.sh} runs it), then the registry, teacher job, trainer, evaluator and
 * ingestion, each a {@code bin/streamdistill} command in its own JVM, on loopback ports fixed
 * for the whole soak so that a restarted process is found where it was. Owns the processes.
 */
final class SoakPlatform implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SoakPlatform.class);

  /** The processes, in start order. */
  enum Stage { BROKER, REGISTRY, TEACHER, TRAINER, EVALUATOR, INGEST }

  private final Path workDir;
  private final int brokerPort;
  private final int registryPort;
  private final int ingestPort;
  private final String token;
  private final List<String> jvmFlags;
  private final Map<Stage, StageProcess> processes = new EnumMap<>(Stage.class);

  SoakPlatform(Path workDir, Path teacherBundle, String token, long teacherCheckpointMillis, List<String> jvmFlags)
      throws IOException {
    this.workDir = Files.createDirectories(workDir);
    this.token = token;
    this.jvmFlags = List.copyOf(jvmFlags);
    // Bound late (after formatting) and again after every restart fault: below the ephemeral range,
    // where a client's outgoing connection cannot take one while its process is down.
    List<Integer> ports = PortCheck.freeBelowEphemeralRange(4);
    this.brokerPort = ports.get(0);
    int controllerPort = ports.get(1);
    this.registryPort = ports.get(2);
    this.ingestPort = ports.get(3);
    Path properties = workDir.resolve("server.properties");
    Files.writeString(properties, String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name=PLAINTEXT",
        "log.dirs=" + workDir.resolve("kafka-data"),
        "auto.create.topics.enable=false",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0", ""));
    String main = Main.class.getName();
    String bootstrap = bootstrapServers();
    String registry = registryUrl();
    processes.put(Stage.BROKER, new StageProcess("broker", workDir, "1g", jvmFlags, "kafka.Kafka",
        List.of(properties.toString()), Map.of()));
    processes.put(Stage.REGISTRY, new StageProcess("registry", workDir, "512m", jvmFlags, main,
        List.of("registry", "--bootstrap-servers", bootstrap, "--port", Integer.toString(registryPort)), Map.of()));
    processes.put(Stage.TEACHER, new StageProcess("teacher-job", workDir, "2g", jvmFlags, main,
        List.of("teacher-job", "--bootstrap.servers", bootstrap, "--schema.registry.url", registry,
            "--teacher.bundle", teacherBundle.toAbsolutePath().toString(), "--teacher.parallelism", "1",
            "--teacher.checkpoint.interval-ms", Long.toString(teacherCheckpointMillis),
            "--teacher.checkpoint.dir", workDir.resolve("teacher-checkpoints").toString()), Map.of()));
    processes.put(Stage.TRAINER, new StageProcess("trainer", workDir, "1g", jvmFlags, main,
        List.of("trainer", "--bootstrap.servers", bootstrap, "--schema.registry.url", registry,
            "--trainer.checkpoint.dir", workDir.resolve("student-checkpoints").toString(),
            "--trainer.checkpoint.onnx", "false", "--trainer.checkpoint.every-ms", "10000",
            "--trainer.commit.every-ms", "500"), Map.of()));
    processes.put(Stage.EVALUATOR, new StageProcess("evaluator", workDir, "1g", jvmFlags, main,
        List.of("evaluator", "--bootstrap.servers", bootstrap, "--schema.registry.url", registry,
            "--evaluator.state.dir", workDir.resolve("evaluator-state").toString(),
            "--evaluator.streams.replication.factor", "1"), Map.of()));
    processes.put(Stage.INGEST, new StageProcess("ingest", workDir, "512m", jvmFlags, main,
        List.of("ingest", "--bootstrap-servers", bootstrap, "--registry", registry, "--port",
            Integer.toString(ingestPort)), Map.of("STREAMDISTILL_INGEST_TOKEN", token)));
  }

  String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  String registryUrl() {
    return "http://127.0.0.1:" + registryPort;
  }

  URI ingestUri() {
    return URI.create("http://127.0.0.1:" + ingestPort);
  }

  int ingestPort() {
    return ingestPort;
  }

  String token() {
    return token;
  }

  StageProcess process(Stage stage) {
    return processes.get(stage);
  }

  List<StageProcess> all() {
    return new ArrayList<>(processes.values());
  }

  /** Formats the broker's storage, starts every process in order and provisions the topics. */
  void start() throws IOException, InterruptedException {
    formatStorage();
    startBroker();
    StageProcess registry = processes.get(Stage.REGISTRY);
    registry.start();
    awaitHttp(URI.create(registryUrl() + "/subjects"), registry, Duration.ofMinutes(2));
    ByteArrayOutputStream provisionOut = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(provisionOut, true, StandardCharsets.UTF_8);
    int code = ProvisionCommand.run(List.of("--bootstrap-servers", bootstrapServers(), "--replication-factor", "1"),
        print, print);
    if (code != 0) {
      throw new IllegalStateException("provisioning the topics failed (exit " + code + "): " + provisionOut);
    }
    for (Stage stage : List.of(Stage.TEACHER, Stage.TRAINER, Stage.EVALUATOR, Stage.INGEST)) {
      processes.get(stage).start();
    }
    awaitPort(ingestPort, processes.get(Stage.INGEST), Duration.ofMinutes(2));
  }

  void startBroker() throws IOException, InterruptedException {
    StageProcess broker = processes.get(Stage.BROKER);
    broker.start();
    awaitPort(brokerPort, broker, Duration.ofMinutes(2));
  }

  /** Waits until the registry answers again after a restart. */
  void awaitRegistry() throws InterruptedException {
    awaitHttp(URI.create(registryUrl() + "/subjects"), processes.get(Stage.REGISTRY), Duration.ofMinutes(2));
  }

  void awaitIngest() throws InterruptedException {
    awaitPort(ingestPort, processes.get(Stage.INGEST), Duration.ofMinutes(2));
  }

  private void formatStorage() throws IOException, InterruptedException {
    Path properties = workDir.resolve("server.properties");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmFlags);
    command.addAll(List.of("-cp", cp, "kafka.tools.StorageTool", "format", "--standalone", "-t", clusterId, "-c",
        properties.toString()));
    Process format = new ProcessBuilder(command)
        .redirectErrorStream(true).redirectOutput(workDir.resolve("format.out").toFile()).start();
    if (!format.waitFor(2, TimeUnit.MINUTES) || format.exitValue() != 0) {
      throw new IllegalStateException("formatting the broker's storage failed; see " + workDir.resolve("format.out"));
    }
  }

  private static void awaitPort(int port, StageProcess process, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          throw new IllegalStateException(process.name() + " exited during start-up; see " + process.output());
        }
        Thread.sleep(250);
      }
    }
    throw new IllegalStateException(process.name() + " did not listen on port " + port + " within " + timeout
        + "; see " + process.output());
  }

  private static void awaitHttp(URI uri, StageProcess process, Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(process.name() + " exited during start-up; see " + process.output());
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(process.name() + " did not answer " + uri + " within " + timeout);
  }

  /** Stops the stages newest first, the broker last. */
  @Override
  public void close() {
    List<StageProcess> reversed = all();
    java.util.Collections.reverse(reversed);
    for (StageProcess process : reversed) {
      process.close();
    }
    LOG.info("soak platform stopped");
  }
}
