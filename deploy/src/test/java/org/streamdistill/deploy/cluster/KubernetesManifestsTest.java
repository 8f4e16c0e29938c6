package org.streamdistill.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.producers.ingest.IngestConfig;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.metrics.MetricsEndpoint;
import org.streamdistill.schemas.metrics.MetricsHandler;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * The manifests in {@code deploy/k8s} name only what the code has: the KafkaTopic resources are
 * exactly what the catalogue generates; ACLs name catalogue topics, groups and transactional ids;
 * every stage's settings (ConfigMap files and environment variables) load with the stage's own
 * loader, which refuses unknown keys; mains exist; container ports, probes and Services use the
 * ports those settings make the stage listen on; secrets come from Secrets only; the trainer and
 * the evaluator keep their state on claims; the FlinkDeployment's options are Flink's.
 */
class KubernetesManifestsTest {

  private static final Path K8S = Path.of("k8s");
  /** Variables a container may set that are not stage settings. */
  private static final Set<String> OTHER_VARIABLES = Set.of("JDK_JAVA_OPTIONS", "DJL_CACHE_DIR");

  @TempDir
  Path temp;

  record Resource(String file, JsonNode node) {
    String kind() {
      return node.path("kind").asText();
    }

    String name() {
      return node.path("metadata").path("name").asText();
    }
  }

  /** What a container's settings made of it: the parsed settings and the ports they open. */
  record LoadedStage(String main, Map<String, Object> settings, Set<Integer> ports, Set<Integer> metricsPorts) {}

  static List<Resource> resources() throws IOException {
    List<Resource> resources = new ArrayList<>();
    try (Stream<Path> files = Files.list(K8S)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (var documents = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
          while (documents.hasNext()) {
            JsonNode node = documents.next();
            if (node != null && !node.isEmpty()) {
              resources.add(new Resource(file.getFileName().toString(), node));
            }
          }
        }
      }
    }
    return resources;
  }

  static List<Resource> ofKind(List<Resource> resources, String kind) {
    return resources.stream().filter(r -> r.kind().equals(kind)).toList();
  }

  static Resource named(List<Resource> resources, String kind, String name) {
    return ofKind(resources, kind).stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in deploy/k8s"));
  }

  @Test
  void shouldCommitTheKafkaTopicsTheCatalogueGenerates() throws IOException {
    // Given what the generator makes of the catalogue today
    String generated = KafkaTopicManifests.render();

    // Then the committed file is exactly that (regenerate with `bin/streamdistill k8s-topics`)
    assertThat(Files.readString(K8S.resolve("kafka-topics.yaml")))
        .as("deploy/k8s/kafka-topics.yaml is stale: bin/streamdistill k8s-topics > deploy/k8s/kafka-topics.yaml")
        .isEqualTo(generated);
  }

  @Test
  void shouldDeclareEveryCatalogueTopicWithItsPartitionsAndDeadLetterTwin() throws IOException {
    Map<String, JsonNode> declared = new TreeMap<>();
    for (Resource topic : ofKind(resources(), "KafkaTopic")) {
      JsonNode previous = declared.put(topic.node().path("spec").path("topicName").asText(), topic.node().path("spec"));
      assertThat(previous).as("topic declared twice: " + topic.name()).isNull();
    }

    Set<String> expected = new TreeSet<>(Set.of("_schemas"));
    for (Topic<?> topic : Topics.ALL) {
      expected.add(topic.name());
      expected.add(topic.deadLetterTopic());
      assertThat(declared.get(topic.name()).path("partitions").asInt()).as(topic.name()).isEqualTo(topic.partitions());
      assertThat(declared.get(topic.name()).path("config").path("cleanup.policy").asText()).as(topic.name())
          .isEqualTo(topic.compacted() ? "compact" : "delete");
    }
    assertThat(declared.keySet()).isEqualTo(expected);
    assertThat(declared.values()).allSatisfy(spec -> assertThat(spec.path("replicas").asInt()).isEqualTo(3));
  }

  @Test
  void shouldBelongEveryStrimziResourceToTheOneKafkaCluster() throws IOException {
    List<Resource> resources = resources();
    String cluster = ofKind(resources, "Kafka").get(0).name();

    assertThat(ofKind(resources, "Kafka")).hasSize(1);
    for (String kind : List.of("KafkaNodePool", "KafkaTopic", "KafkaUser")) {
      assertThat(ofKind(resources, kind)).as(kind).isNotEmpty().allSatisfy(r ->
          assertThat(r.node().path("metadata").path("labels").path("strimzi.io/cluster").asText())
              .as(kind + " " + r.name()).isEqualTo(cluster));
    }
    assertThat(cluster).isEqualTo(KafkaTopicManifests.KAFKA_CLUSTER);
    // The stages reach the cluster through Strimzi's bootstrap Service and trust its cluster CA Secret
    assertThat(configFile(resources, "kafka-client.properties"))
        .contains(KafkaClientSettings.BOOTSTRAP_SERVERS + "=" + cluster + "-kafka-bootstrap:9093");
    assertThat(workloadsAndFlink(resources).stream().flatMap(r -> r.findValues("secretName").stream())
        .map(JsonNode::asText).filter(s -> s.endsWith("-ca-cert")).distinct().toList())
        .containsExactly(cluster + "-cluster-ca-cert");
  }

  @Test
  void shouldGrantAclsOnlyOnCatalogueTopicsGroupsAndTransactionalIds() throws IOException {
    List<Resource> resources = resources();
    Set<String> topics = new HashSet<>(Set.of(KafkaTopicManifests.registryTopic()));
    Topics.ALL.forEach(t -> topics.addAll(List.of(t.name(), t.deadLetterTopic())));
    Set<String> groups = Set.of(Topics.TEACHER_GROUP, Topics.TRAINER_GROUP, Topics.EVALUATOR_APPLICATION_ID);

    List<Resource> users = ofKind(resources, "KafkaUser");
    assertThat(users).extracting(Resource::name).containsExactlyInAnyOrder("streamdistill-registry",
        "streamdistill-ingest", "streamdistill-teacher", "streamdistill-trainer", "streamdistill-evaluator");
    for (Resource user : users) {
      assertThat(user.node().path("spec").path("authentication").path("type").asText()).isEqualTo("scram-sha-512");
      for (JsonNode acl : user.node().path("spec").path("authorization").path("acls")) {
        JsonNode resource = acl.path("resource");
        String name = resource.path("name").asText();
        String where = user.name() + " " + resource;
        switch (resource.path("type").asText()) {
          case "topic" -> assertThat(resource.path("patternType").asText().equals("prefix") ? groups : topics)
              .as(where).contains(name);
          case "group", "transactionalId" -> assertThat(groups).as(where).contains(name);
          default -> throw new AssertionError("unexpected ACL resource type in " + where);
        }
        assertThat(acl.path("operations")).as(where).isNotEmpty();
      }
    }
  }

  @Test
  void shouldStartEveryStageWithSettingsItsOwnLoaderAccepts() throws IOException {
    List<Resource> resources = resources();
    Map<String, LoadedStage> stages = new TreeMap<>();
    for (Resource workload : workloads(resources)) {
      for (JsonNode container : workload.node().path("spec").path("template").path("spec").path("containers")) {
        LoadedStage stage = load(resources, workload, container);
        stages.put(workload.name(), stage);

        // Then the container opens the ports the settings make the stage listen on, and no other
        Set<Integer> containerPorts = new TreeSet<>();
        container.path("ports").forEach(p -> containerPorts.add(p.path("containerPort").asInt()));
        assertThat(containerPorts).as(workload.name() + " container ports").isEqualTo(stage.ports());
        // and its probes ask those ports: /metrics on the metrics endpoint, a connection elsewhere
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
          JsonNode p = container.path(probe);
          if (p.isMissingNode()) {
            continue;
          }
          JsonNode http = p.path("httpGet");
          int port = portOf(container, (http.isMissingNode() ? p.path("tcpSocket") : http).path("port"));
          assertThat(stage.ports()).as(workload.name() + " " + probe).contains(port);
          if (!http.isMissingNode()) {
            assertThat(stage.metricsPorts()).as(workload.name() + " " + probe + " asks the metrics endpoint")
                .contains(port);
            assertThat(http.path("path").asText()).isEqualTo(MetricsHandler.PATH);
          }
        }
        assertThat(container.has("livenessProbe")).as(workload.name() + " has a liveness probe").isTrue();
      }
    }
    assertThat(stages).containsOnlyKeys("schema-registry", "student-trainer", "evaluator", "ingest");

    // The Services send to container ports that exist
    for (Resource service : ofKind(resources, "Service")) {
      Resource target = workloads(resources).stream().filter(w -> w.node().path("spec").path("template")
          .path("metadata").path("labels").equals(service.node().path("spec").path("selector"))).findFirst()
          .orElseThrow(() -> new AssertionError("Service " + service.name() + " selects no workload"));
      JsonNode container = target.node().path("spec").path("template").path("spec").path("containers").get(0);
      for (JsonNode port : service.node().path("spec").path("ports")) {
        assertThat(stages.get(target.name()).ports()).as("Service " + service.name())
            .contains(portOf(container, port.path("targetPort")));
        assertThat(port.path("port").asInt()).as("Service " + service.name())
            .isEqualTo(portOf(container, port.path("targetPort")));
      }
    }
  }

  @Test
  void shouldKeepTheTrainersCheckpointsAndTheEvaluatorsStateOnClaimsWithOneTrainer() throws IOException {
    List<Resource> resources = resources();
    Resource trainer = named(resources, "StatefulSet", "student-trainer");
    JsonNode trainerContainer = trainer.node().path("spec").path("template").path("spec").path("containers").get(0);
    TrainerConfig trainerConfig = TrainerConfig.from(load(resources, trainer, trainerContainer).settings());

    assertThat(trainer.node().path("spec").path("replicas").asInt()).isEqualTo(1);
    assertThat(claimMountedAt(trainer, trainerContainer)).isEqualTo(trainerConfig.checkpointDir().toString());

    Resource evaluator = named(resources, "StatefulSet", "evaluator");
    JsonNode evaluatorContainer = evaluator.node().path("spec").path("template").path("spec").path("containers").get(0);
    Map<String, Object> evaluatorSettings = load(resources, evaluator, evaluatorContainer).settings();
    assertThat(claimMountedAt(evaluator, evaluatorContainer)).isEqualTo(evaluatorSettings.get(EvaluatorConfig.STATE_DIR));
  }

  @Test
  void shouldRunTheTeacherJobWithItsOwnSettingsFlinksOptionsAndSavepointUpgrades() throws Exception {
    List<Resource> resources = resources();
    List<Resource> deployments = ofKind(resources, "FlinkDeployment");
    assertThat(deployments).hasSize(1);
    JsonNode spec = deployments.get(0).node().path("spec");
    JsonNode job = spec.path("job");
    JsonNode container = spec.path("podTemplate").path("spec").path("containers").get(0);

    // The entry class is the job's main, and its arguments load with the job's own loader
    assertMain(job.path("entryClass").asText());
    List<String> args = new ArrayList<>();
    job.path("args").forEach(a -> args.add(a.asText()));
    Map<String, String> env = environment(container, TeacherJobConfig.LOADER, TeacherJobConfig.DEFINITION,
        List.of(KafkaClientSettings.PREFIX), "teacher job");
    List<String> resolvedArgs = resolveConfigFiles(resources, spec.path("podTemplate"), container, args);
    TeacherJobConfig config = TeacherJobConfig.parse(resolvedArgs, env);
    // The scoring shape is set, not left to the defaults, which follow the processors of the
    // machine that builds the job graph (under the operator, not the TaskManagers)
    assertThat(TeacherJobConfig.LOADER.collect(resolvedArgs, env))
        .containsKeys(TeacherJobConfig.PARALLELISM, TeacherJobConfig.ONNX_THREADS);

    assertThat(job.path("parallelism").asInt()).as("job.parallelism = teacher.parallelism")
        .isEqualTo(config.parallelism());
    assertThat(config.parallelism()).isLessThanOrEqualTo(Topics.TURNS.partitions());
    assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");
    assertThat(config.bundle()).startsWith(mountedVolume(spec.path("podTemplate"), container, config.bundle()));

    // Every Flink option is one Flink defines; checkpoints and savepoints go to the shared claim
    Set<String> flinkKeys = flinkOptionKeys();
    Map<String, String> flink = new TreeMap<>();
    spec.path("flinkConfiguration").fields().forEachRemaining(e -> flink.put(e.getKey(), e.getValue().asText()));
    assertThat(flink.keySet()).as("Flink options").isSubsetOf(flinkKeys);
    for (ConfigOption<?> storage : List.of(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        CheckpointingOptions.SAVEPOINT_DIRECTORY)) {
      String dir = flink.get(storage.key());
      assertThat(dir).as(storage.key()).startsWith("file:///");
      String mount = mountedVolume(spec.path("podTemplate"), container, dir.substring("file://".length()));
      assertThat(volumeOf(spec.path("podTemplate"), mount).path("persistentVolumeClaim").path("claimName").asText())
          .isEqualTo("teacher-flink-data");
    }
    assertThat(Integer.parseInt(flink.get(TaskManagerOptions.NUM_TASK_SLOTS.key())) * config.onnxThreads())
        .as("ONNX threads per TaskManager within its cpu").isLessThanOrEqualTo(spec.path("taskManager")
            .path("resources").path("cpu").asInt());
  }

  @Test
  void shouldReferOnlyToClaimsAndConfigMapsThatAreDeclared() throws IOException {
    List<Resource> resources = resources();
    Set<String> claims = new HashSet<>();
    ofKind(resources, "PersistentVolumeClaim").forEach(r -> claims.add(r.name()));
    Set<String> configMaps = new HashSet<>();
    ofKind(resources, "ConfigMap").forEach(r -> configMaps.add(r.name()));

    for (JsonNode node : workloadsAndFlink(resources)) {
      node.findValues("claimName").forEach(c -> assertThat(claims).contains(c.asText()));
      node.findValues("configMap").forEach(c -> assertThat(configMaps).contains(c.path("name").asText()));
    }
  }

  @Test
  void shouldKeepSecretsOutOfTheConfigMap() throws IOException {
    // Every key in the files is checked for secrecy by the definitions that know it
    List<ConfigDef> definitions = List.of(TrainerConfig.DEFINITION, EvaluatorConfig.CONFIG, IngestConfig.DEFINITION,
        TeacherJobConfig.DEFINITION, ClusterCommandConfig.REGISTRY);
    Resource configMap = named(resources(), "ConfigMap", "streamdistill-config");
    configMap.node().path("data").fields().forEachRemaining(file -> {
      java.util.Properties properties = new java.util.Properties();
      try {
        properties.load(new java.io.StringReader(file.getValue().asText()));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      for (String key : properties.stringPropertyNames()) {
        assertThat(isSecret(definitions, key)).as(file.getKey() + ": " + key + " belongs in a Secret").isFalse();
      }
    });
  }

  // ----- loading a container's settings as the stage would -----

  private LoadedStage load(List<Resource> resources, Resource workload, JsonNode container) throws IOException {
    List<String> command = new ArrayList<>();
    container.path("command").forEach(c -> command.add(c.asText()));
    assertThat(command.subList(0, 3)).as(workload.name()).containsExactly("java", "-cp", "/opt/streamdistill/lib/*");
    String main = command.get(3);
    assertMain(main);
    JsonNode pod = workload.node().path("spec").path("template");
    List<String> args = command.subList(4, command.size());
    String where = workload.name();
    switch (main) {
      case "org.streamdistill.student.training.StudentTrainerMain" -> {
        Map<String, Object> settings = TrainerConfig.LOADER.load(resolveConfigFiles(resources, pod, container, args),
            environment(container, TrainerConfig.LOADER, TrainerConfig.DEFINITION, List.of(KafkaClientSettings.PREFIX),
                where));
        TrainerConfig.from(settings);
        int metrics = MetricsEndpoint.Settings.from(settings, TrainerConfig.METRICS_PREFIX).port();
        return new LoadedStage(main, settings, Set.of(metrics), Set.of(metrics));
      }
      case "org.streamdistill.evaluator.app.EvaluatorMain" -> {
        List<String> resolved = resolveConfigFiles(resources, pod, container, args);
        Map<String, String> env = environment(container, EvaluatorConfig.LOADER, EvaluatorConfig.CONFIG,
            List.of(KafkaClientSettings.PREFIX, EvaluatorConfig.STREAMS_PREFIX), where);
        EvaluatorConfig.parse(resolved, env, warning -> {
          throw new AssertionError(where + " uses a deprecated form: " + warning);
        });
        Map<String, Object> settings = EvaluatorConfig.LOADER.load(resolved, env);
        int metrics = MetricsEndpoint.Settings.from(settings, EvaluatorConfig.METRICS_PREFIX).port();
        return new LoadedStage(main, settings, Set.of(metrics), Set.of(metrics));
      }
      case "org.streamdistill.producers.ingest.IngestMain" -> {
        Map<String, Object> settings = IngestConfig.LOADER.load(resolveConfigFiles(resources, pod, container, args),
            environment(container, IngestConfig.LOADER, IngestConfig.DEFINITION, List.of(KafkaClientSettings.PREFIX),
                where));
        IngestConfig config = IngestConfig.from(settings);
        int metrics = MetricsEndpoint.Settings.from(settings, IngestConfig.METRICS_PREFIX).port();
        return new LoadedStage(main, settings, Set.of(config.port(), metrics), Set.of(metrics));
      }
      case "org.streamdistill.deploy.Main" -> {
        assertThat(args.get(0)).as(where + ": the command of bin/streamdistill").isEqualTo("registry");
        Map<String, Object> settings = ClusterCommandConfig.registry(resolveConfigFiles(resources, pod, container,
            args.subList(1, args.size())), environment(container, ClusterCommandConfig.REGISTRY_LOADER,
            ClusterCommandConfig.REGISTRY, List.of(KafkaClientSettings.PREFIX), where));
        assertThat(ClusterCommandConfig.registryUsers(settings)).as(where + " requires users").isNotNull();
        RegistryCommand.builder(settings, ClusterCommandConfig.registryUsers(settings));
        return new LoadedStage(main, settings, Set.of((Integer) settings.get(ClusterCommandConfig.REGISTRY_PORT)),
            Set.of());
      }
      default -> throw new AssertionError(where + " runs " + main + ", which is no stage this test knows");
    }
  }

  /**
   * The container's environment as the stage would see it, a stand-in for each Secret's value; fails
   * on a variable the loader would ignore (a typo) and on a secret setting given as a literal value.
   */
  private static Map<String, String> environment(JsonNode container, ConfigLoader loader, ConfigDef definition,
                                                 List<String> passThroughPrefixes, String where) {
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode variable : container.path("env")) {
      String name = variable.path("name").asText();
      if (OTHER_VARIABLES.contains(name)) {
        continue;
      }
      String key = definition.names().stream().filter(k -> loader.environmentName(k).equals(name)).findFirst()
          .orElse(null);
      if (key == null) {
        String prefix = passThroughPrefixes.stream().filter(p -> name.startsWith(loader.environmentName(p)))
            .findFirst().orElseThrow(() -> new AssertionError(where + ": " + name + " is no setting of this stage"));
        key = prefix + name.substring(loader.environmentName(prefix).length()).toLowerCase(java.util.Locale.ROOT)
            .replace('_', '.');
      }
      JsonNode secret = variable.path("valueFrom").path("secretKeyRef");
      boolean secretSetting = isSecret(List.of(definition), key);
      assertThat(!secret.isMissingNode()).as(where + ": " + name + (secretSetting ? " must come from a Secret"
          : " is not secret")).isEqualTo(secretSetting);
      env.put(name, secret.isMissingNode() ? variable.path("value").asText() : standIn(secret.path("key").asText()));
    }
    return env;
  }

  private static boolean isSecret(List<ConfigDef> definitions, String key) {
    if (key.startsWith(KafkaClientSettings.PREFIX)) {
      return KafkaClientSettings.isSecret(key.substring(KafkaClientSettings.PREFIX.length()));
    }
    return definitions.stream().map(d -> d.configKeys().get(key)).anyMatch(k -> k != null
        && k.type == ConfigDef.Type.PASSWORD);
  }

  /** A value of the right shape for a Secret's key (the real ones never reach this repository). */
  private static String standIn(String secretKey) {
    return switch (secretKey) {
      case "sasl.jaas.config" ->
          "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";";
      case "token" -> "x".repeat(IngestConfig.MIN_TOKEN_CHARS + 8);
      case "users" -> "teacher:p1,trainer:p2,evaluator:p3,ingest:p4";
      default -> secretKey + ":stand-in-password";
    };
  }

  /** {@code args} with each {@code --config} file of the ConfigMap written to a file of the test's own. */
  private List<String> resolveConfigFiles(List<Resource> resources, JsonNode pod, JsonNode container,
                                          List<String> args) throws IOException {
    List<String> resolved = new ArrayList<>(args);
    for (int i = 0; i + 1 < resolved.size(); i++) {
      if (!resolved.get(i).equals("--config")) {
        continue;
      }
      String path = resolved.get(i + 1);
      String mount = mountedVolume(pod, container, path);
      String configMap = volumeOf(pod, mount).path("configMap").path("name").asText();
      assertThat(configMap).as(path + " is on a ConfigMap volume").isNotEmpty();
      JsonNode file = named(resources, "ConfigMap", configMap).node().path("data")
          .path(path.substring(mount.length() + 1));
      assertThat(file.isTextual()).as(path + " is in ConfigMap " + configMap).isTrue();
      Path copy = Files.createTempFile(temp, "settings", ".properties");
      Files.writeString(copy, file.asText());
      resolved.set(i + 1, copy.toString());
    }
    return resolved;
  }

  /** The mount path of the container's volume that holds {@code path}; fails if none does. */
  private static String mountedVolume(JsonNode pod, JsonNode container, String path) {
    for (JsonNode mount : container.path("volumeMounts")) {
      String at = mount.path("mountPath").asText();
      if (path.equals(at) || path.startsWith(at + "/")) {
        return at;
      }
    }
    throw new AssertionError(path + " is on no volume of container " + container.path("name").asText());
  }

  private static JsonNode volumeOf(JsonNode pod, String mountPath) {
    JsonNode container = pod.path("spec").path("containers").get(0);
    String volume = null;
    for (JsonNode mount : container.path("volumeMounts")) {
      if (mount.path("mountPath").asText().equals(mountPath)) {
        volume = mount.path("name").asText();
      }
    }
    for (JsonNode v : pod.path("spec").path("volumes")) {
      if (v.path("name").asText().equals(volume)) {
        return v;
      }
    }
    throw new AssertionError("no volume " + volume + " mounted at " + mountPath);
  }

  /** Where the container mounts one of its StatefulSet's claim templates (exactly one). */
  private static String claimMountedAt(Resource statefulSet, JsonNode container) {
    List<String> claims = new ArrayList<>();
    statefulSet.node().path("spec").path("volumeClaimTemplates")
        .forEach(c -> claims.add(c.path("metadata").path("name").asText()));
    assertThat(claims).as(statefulSet.name() + " claim templates").hasSize(1);
    for (JsonNode mount : container.path("volumeMounts")) {
      if (mount.path("name").asText().equals(claims.get(0))) {
        return mount.path("mountPath").asText();
      }
    }
    throw new AssertionError(statefulSet.name() + " does not mount its claim " + claims.get(0));
  }

  private static int portOf(JsonNode container, JsonNode port) {
    if (port.isInt()) {
      return port.asInt();
    }
    for (JsonNode p : container.path("ports")) {
      if (p.path("name").asText().equals(port.asText())) {
        return p.path("containerPort").asInt();
      }
    }
    throw new AssertionError("container " + container.path("name").asText() + " has no port named " + port);
  }

  private static void assertMain(String className) {
    try {
      Method main = Class.forName(className).getMethod("main", String[].class);
      assertThat(Modifier.isStatic(main.getModifiers())).as(className + ".main is static").isTrue();
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      throw new AssertionError("no main class " + className + ": " + e);
    }
  }

  private static List<Resource> workloads(List<Resource> resources) {
    List<Resource> workloads = new ArrayList<>(ofKind(resources, "Deployment"));
    workloads.addAll(ofKind(resources, "StatefulSet"));
    return workloads;
  }

  private static List<JsonNode> workloadsAndFlink(List<Resource> resources) {
    List<JsonNode> nodes = new ArrayList<>();
    workloads(resources).forEach(r -> nodes.add(r.node()));
    ofKind(resources, "FlinkDeployment").forEach(r -> nodes.add(r.node()));
    return nodes;
  }

  private static String configFile(List<Resource> resources, String file) {
    return named(resources, "ConfigMap", "streamdistill-config").node().path("data").path(file).asText();
  }

  /** Every key (and deprecated key) of the Flink option classes the FlinkDeployment draws on. */
  private static Set<String> flinkOptionKeys() throws IllegalAccessException {
    Set<String> keys = new HashSet<>();
    for (Class<?> options : List.of(CheckpointingOptions.class, CoreOptions.class, HighAvailabilityOptions.class,
        JobManagerOptions.class, RestartStrategyOptions.class, TaskManagerOptions.class)) {
      for (Field field : options.getFields()) {
        if (Modifier.isStatic(field.getModifiers()) && ConfigOption.class.isAssignableFrom(field.getType())) {
          ConfigOption<?> option = (ConfigOption<?>) field.get(null);
          keys.add(option.key());
          for (FallbackKey fallback : option.fallbackKeys()) {
            keys.add(fallback.getKey());
          }
        }
      }
    }
    return keys;
  }
}
