package org.streamdistill.deploy.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.deploy.demo.TopicReader;
import org.streamdistill.deploy.experiment.CatalogueNamespaceProvisioner;
import org.streamdistill.deploy.platform.EmbeddedKafka;
import org.streamdistill.deploy.registry.EmbeddedSchemaRegistry;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentCheckpoint;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.student.checkpoint.ModelState;
import org.streamdistill.student.export.ExportMetadata;
import org.streamdistill.student.export.ExportedStudent;
import org.streamdistill.student.export.OnnxExporter;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;
import org.streamdistill.student.serving.KafkaChampionFeed;
import org.streamdistill.student.serving.ServerConfig;
import org.streamdistill.student.serving.StudentServer;
import org.streamdistill.student.training.StudentTrainer;
import org.streamdistill.student.training.TrainerConfig;

/**
 * The student server on the embedded broker and schema registry: it serves the version that
 * {@code model.promotions} names once {@code student.checkpoints} says where its ONNX export is,
 * and switches on PROMOTE and ROLLBACK while a client keeps sending requests, none of which
 * fails; and it serves what the real trainer exported beside a checkpoint. A fresh namespace of
 * catalogue topics per test.
 */
class StudentServerIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final List<String> LABELS = List.of("greeting", "goodbye", "weather");

  private static EmbeddedKafka kafka;
  private static EmbeddedSchemaRegistry registryServer;
  private static SchemaRegistryClient registry;

  @TempDir
  Path dir;

  private String namespace;
  private KafkaProducer<byte[], byte[]> producer;
  private StudentServer server;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void startPlatform() {
    kafka = EmbeddedKafka.start();
    registryServer = EmbeddedSchemaRegistry.start(kafka.bootstrapServers());
    registry = new RestSchemaRegistryClient(registryServer.url());
  }

  @AfterAll
  static void stopPlatform() {
    registryServer.close();
    kafka.close();
  }

  @BeforeEach
  void freshTopics() {
    namespace = "serving" + UUID.randomUUID().toString().substring(0, 8);
    new CatalogueNamespaceProvisioner().provision(kafka.bootstrapServers(), namespace);
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    producer.close();
  }

  @Test
  void shouldServeThePromotedVersionAndSwitchOnPromotionAndRollbackWithoutFailingARequest() throws Exception {
    // Given two exported versions and a server following the namespace's topics
    Path v1 = export(1, "student-v1");
    Path v2 = export(2, "student-v2");
    server = new StudentServer(ServerConfig.of(Map.of(ServerConfig.PORT, "0")),
        new KafkaChampionFeed(kafka.bootstrapServers(), namespace, "student", registry), null);
    server.start();
    assertThat(post().statusCode()).isEqualTo(503);

    // When version 1 is checkpointed and promoted
    publish(Topics.CHECKPOINTS, checkpoint("student-v1", v1));
    publish(Topics.PROMOTIONS, promotion("PROMOTE", null, "student-v1"));

    // Then it is served
    await().atMost(WAIT).until(() -> "student-v1".equals(server.championVersion()));
    assertThat(versionOf(post())).isEqualTo("student-v1");

    // And while a client keeps sending requests ...
    List<HttpResponse<String>> responses = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService client = Executors.newSingleThreadExecutor();
    Future<?> sending = client.submit(() -> {
      while (!stop.get()) {
        responses.add(post());
      }
      return null;
    });
    // ... version 2 is promoted, its checkpoint record published only after the promotion
    publish(Topics.PROMOTIONS, promotion("PROMOTE", "student-v1", "student-v2"));
    publish(Topics.CHECKPOINTS, checkpoint("student-v2", v2));
    await().atMost(WAIT).until(() -> "student-v2".equals(server.championVersion()));
    await().atMost(WAIT).until(() -> seen(responses, "student-v2"));
    // ... and then rolled back
    publish(Topics.PROMOTIONS, promotion("ROLLBACK", "student-v2", "student-v1"));
    await().atMost(WAIT).until(() -> "student-v1".equals(server.championVersion()));
    int before = responses.size();
    await().atMost(WAIT).until(() -> responses.size() > before + 20);
    stop.set(true);
    sending.get(30, TimeUnit.SECONDS);
    client.shutdown();

    // Then every request succeeded and the versions went 1, 2, 1 in that order
    List<String> versions = new ArrayList<>();
    synchronized (responses) {
      for (HttpResponse<String> r : responses) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String v = versionOf(r);
        if (versions.isEmpty() || !versions.get(versions.size() - 1).equals(v)) {
          versions.add(v);
        }
      }
    }
    assertThat(versions).containsExactly("student-v1", "student-v2", "student-v1");
    assertThat(server.stats().swaps()).isEqualTo(3);
    assertThat(server.stats().failed()).isZero();
  }

  @Test
  void shouldServeTheOnnxExportThatTheTrainerWroteForAPromotedCheckpoint() throws Exception {
    // Given a real trainer that learned from 192 soft labels, checkpointing every 64 and when stopped
    Path checkpoints = dir.resolve("checkpoints");
    StudentTrainer trainer = StudentTrainer.create(TrainerConfig.of(Map.of(
        TrainerConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
        TrainerConfig.REGISTRY_URL, registryServer.url(),
        TrainerConfig.NAMESPACE, namespace,
        TrainerConfig.GROUP_ID, namespace + "-trainer",
        TrainerConfig.CHECKPOINT_DIR, checkpoints.toString(),
        TrainerConfig.BATCH_SIZE, "16",
        TrainerConfig.CHECKPOINT_EVERY_SAMPLES, "64",
        TrainerConfig.CHECKPOINT_EVERY_MS, "600000")), registry);
    ExecutorService trainerThread = Executors.newSingleThreadExecutor();
    try {
      Future<?> training = trainerThread.submit(trainer);
      java.util.Random random = new java.util.Random(7);
      // in two waves, so that the first wave is checkpointed before the second arrives
      for (int i = 0; i < 96; i++) {
        publish(Topics.SOFT_LABELS, softLabel(i, random));
      }
      await().atMost(WAIT).until(() -> trainer.stats().turnsLearned() == 96 && trainer.stats().checkpoints() >= 1);
      for (int i = 96; i < 192; i++) {
        publish(Topics.SOFT_LABELS, softLabel(i, random));
      }
      await().atMost(WAIT).until(() -> trainer.stats().turnsLearned() == 192);
      trainer.stop();   // checkpoints what it learned since the last checkpoint, then returns
      training.get(60, TimeUnit.SECONDS);
    } finally {
      trainer.stop();
      trainerThread.shutdown();
      trainerThread.awaitTermination(60, TimeUnit.SECONDS);
      trainer.close();
    }

    // Then every checkpoint record points to an ONNX export beside its weights
    List<StudentCheckpoint> records = new TopicReader(kafka.bootstrapServers(), registry)
        .readAll(Topics.CHECKPOINTS.inNamespace(namespace));
    assertThat(records).hasSizeGreaterThanOrEqualTo(2);
    assertThat(records).extracting(r -> r.getModelVersion()).startsWith("student-v1", "student-v2");
    for (StudentCheckpoint r : records) {
      assertThat(r.getOnnxUri()).isEqualTo(r.getWeightsUri().replaceAll("\\.ckpt$", ".onnx"));
      Path onnx = Path.of(URI.create(r.getOnnxUri()));
      assertThat(ExportedStudent.read(onnx).metadata().modelVersion()).isEqualTo(r.getModelVersion());
    }

    // When a server follows the topics and student-v2 is promoted
    server = new StudentServer(ServerConfig.of(Map.of(ServerConfig.PORT, "0")),
        new KafkaChampionFeed(kafka.bootstrapServers(), namespace, "student", registry), null);
    server.start();
    publish(Topics.PROMOTIONS, promotion("PROMOTE", "student-v1", "student-v2"));
    await().atMost(WAIT).until(() -> "student-v2".equals(server.championVersion()));

    // Then it answers with the probabilities of student-v2's checkpointed weights
    TextCnn fromCheckpoint = ModelState.read(checkpoints.resolve("student-v2.ckpt")).model();
    int[] turn = {101, 7592, 2088, 102};
    float[] logits = fromCheckpoint.logits(turn);
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double sum = 0;
    for (float l : logits) {
      sum += Math.exp(l - max);
    }
    var answer = JSON.readTree(post().body());
    assertThat(answer.get("model_version").asText()).isEqualTo("student-v2");
    int index = answer.get("index").asInt();
    assertThat(answer.get("probability").asDouble())
        .isCloseTo(Math.exp(logits[index] - max) / sum, org.assertj.core.api.Assertions.within(1e-5));
    assertThat(answer.get("label").asText()).isEqualTo(LABELS.get(index));
  }

  private SoftLabel softLabel(int i, java.util.Random random) {
    int teacher = i % LABELS.size();
    List<Float> logits = new ArrayList<>();
    for (int c = 0; c < LABELS.size(); c++) {
      logits.add(c == teacher ? 4f : (float) random.nextGaussian());
    }
    List<Integer> ids = new ArrayList<>(List.of(101));
    for (int t = 0; t < 3 + random.nextInt(8); t++) {
      ids.add(2000 + teacher * 1000 + random.nextInt(50));
    }
    ids.add(102);
    return SoftLabel.newBuilder().setTurnId("c" + i + "/0").setConversationId("c" + i).setTurnIndex(0)
        .setEventTime(Instant.ofEpochMilli(1_000L * i)).setScoredAt(Instant.now()).setTokenIds(ids)
        .setTruncated(false).setLogits(logits).setTemperature(2f).setTeacherVersion("teacher-test")
        .setLabelSetId("test-labels").setTeacherIndex(teacher).setTeacherLabel(LABELS.get(teacher))
        .setGoldLabel(null).setGoldIndex(null).setHeldOut(false).build();
  }

  private Path export(long seed, String version) throws Exception {
    TextCnn model = new TextCnn(new TextCnnConfig(TextCnnConfig.BERT_UNCASED_VOCAB_SIZE, 4, List.of(2, 3), 4, 16,
        LABELS.size(), 0f, true, seed));
    Path file = dir.resolve(version + ".onnx");
    OnnxExporter.export(model, new ExportMetadata("student", version, "test-labels", LABELS), file);
    return file;
  }

  private <V extends org.apache.avro.specific.SpecificRecord> void publish(Topic<V> catalogued, V value)
      throws Exception {
    Topic<V> topic = catalogued.inNamespace(namespace);
    byte[] bytes = new AvroWireCodec<>(registry, topic.valueSubject(), topic.valueType()).encode(value);
    producer.send(new ProducerRecord<>(topic.name(), "student".getBytes(StandardCharsets.UTF_8), bytes)).get();
  }

  private HttpResponse<String> post() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/classify"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"token_ids\": [101, 7592, 2088, 102]}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String versionOf(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body()).get("model_version").asText();
  }

  private static boolean seen(List<HttpResponse<String>> responses, String version) throws Exception {
    synchronized (responses) {
      for (HttpResponse<String> r : responses) {
        if (r.statusCode() == 200 && version.equals(versionOf(r))) {
          return true;
        }
      }
    }
    return false;
  }

  private static StudentCheckpoint checkpoint(String version, Path onnx) {
    return StudentCheckpoint.newBuilder().setModelName("student").setModelVersion(version).setParentVersion(null)
        .setSamplesSeen(1_000).setOffsets(Map.of()).setWeightsUri(onnx.resolveSibling(version + ".ckpt").toUri().toString())
        .setOnnxUri(onnx.toUri().toString()).setLabelSetId("test-labels").setCreatedAt(Instant.now()).build();
  }

  private static PromotionEvent promotion(String decision, String from, String to) {
    return PromotionEvent.newBuilder().setModelName("student").setDecision(decision).setFromVersion(from)
        .setToVersion(to).setDecidedAt(Instant.now()).setPairedTurns(200).setChallengerOnlyCorrect(20)
        .setChampionOnlyCorrect(5).setChampionScore(0.8).setChallengerScore(0.85).setMetric("gold").setPValue(0.01)
        .setReason("test").build();
  }
}
