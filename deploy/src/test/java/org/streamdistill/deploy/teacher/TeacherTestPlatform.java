package org.streamdistill.deploy.teacher;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.streamdistill.deploy.demo.TopicReader;
import org.streamdistill.deploy.platform.EmbeddedKafka;
import org.streamdistill.deploy.platform.TopicProvisioner;
import org.streamdistill.deploy.registry.EmbeddedSchemaRegistry;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * The embedded platform the teacher job's integration tests run on: a KRaft broker, the schema
 * registry and an admin client, with a fresh, fully provisioned topic namespace per test.
 */
final class TeacherTestPlatform implements AutoCloseable {

  /**
   * Event times start now: the broker's time-based retention (7 days, first pass 30 s after it
   * starts) would delete records stamped with an older fixed date while the test still reads them.
   */
  static final Instant FIRST_EVENT = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  private final EmbeddedKafka kafka;
  private final EmbeddedSchemaRegistry registry;
  private final Admin admin;

  private TeacherTestPlatform(EmbeddedKafka kafka, EmbeddedSchemaRegistry registry, Admin admin) {
    this.kafka = kafka;
    this.registry = registry;
    this.admin = admin;
  }

  static TeacherTestPlatform start() {
    EmbeddedKafka kafka = EmbeddedKafka.start();
    EmbeddedSchemaRegistry registry = null;
    try {
      registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers());
      Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
      return new TeacherTestPlatform(kafka, registry, admin);
    } catch (RuntimeException e) {
      if (registry != null) {
        registry.close();
      }
      kafka.close();
      throw e;
    }
  }

  String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  String registryUrl() {
    return registry.url();
  }

  Admin admin() {
    return admin;
  }

  /**
   * A new namespace with every catalogue topic and its dead-letter twin, each partition served
   * by its leader. (Metadata names the leader a moment before the broker acts as one; an
   * idempotent producer whose first batch meets NOT_LEADER_OR_FOLLOWER can then end up retrying
   * it forever with OUT_OF_ORDER_SEQUENCE_NUMBER.)
   */
  String freshNamespace() {
    String namespace = "it" + UUID.randomUUID().toString().substring(0, 8);
    new TopicProvisioner(admin).provision(namespace);
    List<String> names = TopicProvisioner.plan(namespace).stream().map(TopicProvisioner.TopicSpec::name).toList();
    await("partition leaders of " + namespace).atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
      Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
      admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values().forEach(d -> d.partitions()
          .forEach(p -> partitions.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
      admin.listOffsets(partitions).all().get(10, TimeUnit.SECONDS); // answered only by a partition's leader
      return true;
    });
    return namespace;
  }

  Topic<DialogueTurn> turns(String namespace) {
    return Topics.TURNS.inNamespace(namespace);
  }

  AvroWireCodec<DialogueTurn> turnCodec(String namespace) {
    return new AvroWireCodec<>(new RestSchemaRegistryClient(registry.url()), turns(namespace).valueSubject(),
        DialogueTurn.class);
  }

  TopicReader reader() {
    return new TopicReader(kafka.bootstrapServers(), new RestSchemaRegistryClient(registry.url()));
  }

  KafkaProducer<byte[], byte[]> producer() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    // One batch in flight: a retried batch can never be overtaken by the next (see freshNamespace).
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Teacher job settings for {@code namespace}: platform addresses, a fast checkpoint, unique group
   * and ids, and one subtask (what these tests count and order was written for one; the default
   * depends on the machine's processors).
   */
  Map<String, String> jobSettings(String namespace) {
    Map<String, String> settings = new HashMap<>();
    settings.put(TeacherJobConfig.PARALLELISM, "1");
    settings.put(TeacherJobConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    settings.put(TeacherJobConfig.REGISTRY_URL, registry.url());
    settings.put(TeacherJobConfig.NAMESPACE, namespace);
    settings.put(TeacherJobConfig.CHECKPOINT_INTERVAL_MS, "500");
    settings.put(TeacherJobConfig.GROUP_ID, namespace + "-teacher");
    settings.put(TeacherJobConfig.TRANSACTIONAL_ID_PREFIX, namespace + "-teacher");
    return settings;
  }

  static DialogueTurn turn(String id, String conversation, int index, String text, String gold) {
    return DialogueTurn.newBuilder()
        .setTurnId(id)
        .setConversationId(conversation)
        .setTurnIndex(index)
        .setSpeaker("user")
        .setText(text)
        .setEventTime(FIRST_EVENT.plusSeconds(index))
        .setSource("clinc150:test")
        .setGoldLabel(gold)
        .setHeldOut(gold != null)
        .build();
  }

  /** Fails, with the job's own failure as the cause, once the job has stopped. */
  static void assertStillRunning(JobClient job) {
    CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
    if (result.isDone()) {
      Throwable cause = null;
      try {
        result.join();
      } catch (RuntimeException e) {
        cause = e.getCause() == null ? e : e.getCause();
      }
      throw new AssertionError("teacher job " + job.getJobID() + " stopped" + (cause == null ? "" : ": " + cause),
          cause);
    }
  }

  /** Cancels the job and waits for the local MiniCluster to shut down, so it never outlives the broker. */
  static void cancel(JobClient job) throws Exception {
    if (!job.getJobExecutionResult().isDone()) {
      job.cancel().get(30, TimeUnit.SECONDS);
    }
    await("teacher job ended").atMost(Duration.ofSeconds(30))
        .until(() -> job.getJobExecutionResult().handle((ok, error) -> true).isDone());
  }

  @Override
  public void close() {
    try {
      admin.close();
    } finally {
      try {
        registry.close();
      } finally {
        kafka.close();
      }
    }
  }
}
