package org.streamdistill.deploy.teacher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.demo.TopicReader;
import org.streamdistill.deploy.platform.EmbeddedKafka;
import org.streamdistill.deploy.platform.TopicProvisioner;
import org.streamdistill.deploy.registry.EmbeddedSchemaRegistry;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.schemas.wire.DeadLetters;
import org.streamdistill.schemas.wire.UndecodableRecordException;
import org.streamdistill.teacher.job.BundleTurnScorer;
import org.streamdistill.teacher.job.TeacherJob;
import org.streamdistill.teacher.job.TeacherJobConfig;
import org.streamdistill.teacher.job.TeacherScoringOperator;
import org.streamdistill.teacher.model.MiniLmEncoder;
import org.streamdistill.teacher.model.Teacher;
import org.streamdistill.teacher.model.TeacherBundle;
import org.streamdistill.teacher.model.TeacherScore;

/**
 * The teacher job end to end on the embedded platform: a KRaft broker, the schema registry, a
 * Flink MiniCluster running the production Kafka source and exactly-once Kafka sink, and a real
 * (small) MiniLM teacher bundle.
 */
class TeacherJobIT {

  private static final int CLINC_TURNS = 300;
  private static final int TRAINING_EXAMPLES_PER_LABEL = 10;
  private static final int LONG_TEXT_CHARS = 50_000;
  private static final int HUGE_TEXT_CHARS = 5 * 1024 * 1024;
  /** Room for the 5 MB turns: an operator who accepts such turns raises the turns topic's limit. */
  private static final int TURNS_TOPIC_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
  private static final int DEAD_LETTER_MAX_VALUE_BYTES = 1_000_000;
  private static final String STAGE = "teacher-stream";
  // Now, not a fixed date: the broker's 7-day time retention (first pass 30 s after it starts)
  // would delete turns and soft labels stamped months ago while the test still reads them.
  private static final Instant FIRST_EVENT = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @TempDir
  static Path bundleDir;

  private static EmbeddedKafka kafka;
  private static EmbeddedSchemaRegistry registry;
  private static Admin admin;
  private static Clinc150 clinc;
  private static TeacherBundle bundle;

  private String namespace;
  private Topic<DialogueTurn> turns;
  private Topic<SoftLabel> softLabels;
  private AvroWireCodec<DialogueTurn> turnCodec;

  /** A record the test wrote to the turns topic, with where it landed. */
  private record Written(String turnId, byte[] key, byte[] value, int partition, long offset) {}

  /** A poison record and what its dead letter must say. */
  private record Poison(Written written, String exception, String messageFragment) {}

  @BeforeAll
  static void startPlatformAndFitTeacher() throws Exception {
    kafka = EmbeddedKafka.start();
    registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers());
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    Path data = SmallTeacherBundle.clinc150Path();
    clinc = Clinc150.read(data);
    bundle = SmallTeacherBundle.fitAndSave(clinc, data, TRAINING_EXAMPLES_PER_LABEL, bundleDir.resolve("teacher"));
  }

  @AfterAll
  static void stopPlatform() {
    if (admin != null) {
      admin.close();
    }
    if (registry != null) {
      registry.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @BeforeEach
  void freshNamespace() {
    namespace = "it" + UUID.randomUUID().toString().substring(0, 8);
    new TopicProvisioner(admin).provision(namespace);
    turns = Topics.TURNS.inNamespace(namespace);
    softLabels = Topics.SOFT_LABELS.inNamespace(namespace);
    turnCodec = new AvroWireCodec<>(new RestSchemaRegistryClient(registry.url()), turns.valueSubject(),
        DialogueTurn.class);
  }

  @Test
  void shouldScoreEveryTurnExactlyOnceAndDeadLetterPoison() throws Exception {
    // Given 300 CLINC150 test turns (every other one with its gold label) and one 50,000-character turn
    List<DialogueTurn> valid = clincTurns();
    DialogueTurn longTurn = turn("long-turn", "conv-long", 0,
        "please tell me the balance of my checking account ".repeat(1_000).substring(0, LONG_TEXT_CHARS), null);
    valid.add(longTurn);
    // And one 5 MB turn (the turns topic configured to take it)
    DialogueTurn hugeTurn = turn("huge-turn", "conv-huge", 0,
        "what is the weather like in paris tomorrow ".repeat(HUGE_TEXT_CHARS / 40).substring(0, HUGE_TEXT_CHARS), null);
    valid.add(hugeTurn);
    admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, turns.name()), List.of(
            new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                Integer.toString(TURNS_TOPIC_MAX_MESSAGE_BYTES)), AlterConfigOp.OpType.SET))))
        .all().get(30, TimeUnit.SECONDS);
    await("the broker applies the turns topic's new size limit").atMost(Duration.ofSeconds(30))
        .until(() -> admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, turns.name())))
            .all().get(10, TimeUnit.SECONDS).values().iterator().next().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)
            .value().equals(Integer.toString(TURNS_TOPIC_MAX_MESSAGE_BYTES)));
    // And nine poison records among them: two undecodable, seven decodable but unscorable, one of them 5 MB
    byte[] wrongMagic = turnCodec.encode(turn("poison-magic", "conv-poison", 0, "what is my balance", null));
    wrongMagic[0] = 1;
    byte[] unknownSchemaId = turnCodec.encode(turn("poison-schema", "conv-poison", 1, "what is my balance", null));
    ByteBuffer.wrap(unknownSchemaId, 1, 4).putInt(424_242);
    byte[] emptyText = turnCodec.encode(turn("poison-empty", "conv-poison", 2, "", null));
    byte[] invalidUtf8 = invalidUtf8Turn();
    byte[] unknownGold = turnCodec.encode(turn("poison-gold", "conv-poison", 4, "book a flight to paris",
        "no_such_intent"));
    byte[] blankText = turnCodec.encode(turn("poison-blank", "conv-poison", 5, " \t\n \u00a0\u2003 ", null));
    byte[] hugeBlankText = turnCodec.encode(turn("poison-huge-blank", "conv-poison", 6, " ".repeat(HUGE_TEXT_CHARS),
        null));
    // And two turns whose event time no Kafka record could carry, written by a foreign producer
    DialogueTurn from1969 = turn("poison-1969", "conv-b", 0, "what is my balance", null);
    from1969.setEventTime(java.time.Instant.parse("1969-12-31T23:59:59Z"));
    byte[] before1970 = turnCodec.encode(from1969);
    DialogueTurn fromTheFuture = turn("poison-ahead", "conv-b", 1, "what is my balance", null);
    fromTheFuture.setEventTime(java.time.Instant.now().plus(Duration.ofHours(3)));
    byte[] hoursAhead = turnCodec.encode(fromTheFuture);

    Map<String, Written> written = new LinkedHashMap<>();
    List<Poison> poison = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      Map<String, Future<RecordMetadata>> sends = new LinkedHashMap<>();
      Map<String, byte[][]> payloads = new HashMap<>();
      List<byte[][]> poisonPayloads = List.of(
          new byte[][] {"poison-magic".getBytes(UTF_8), wrongMagic},
          new byte[][] {"poison-schema".getBytes(UTF_8), unknownSchemaId},
          new byte[][] {"poison-empty".getBytes(UTF_8), emptyText},
          new byte[][] {"poison-utf8".getBytes(UTF_8), invalidUtf8},
          new byte[][] {"poison-gold".getBytes(UTF_8), unknownGold},
          new byte[][] {"poison-blank".getBytes(UTF_8), blankText},
          new byte[][] {"poison-huge-blank".getBytes(UTF_8), hugeBlankText},
          new byte[][] {"poison-1969".getBytes(UTF_8), before1970},
          new byte[][] {"poison-ahead".getBytes(UTF_8), hoursAhead});
      for (int i = 0; i < valid.size(); i++) {
        DialogueTurn t = valid.get(i);
        byte[] key = t.getConversationId().getBytes(UTF_8);
        byte[] value = turnCodec.encode(t);
        payloads.put(t.getTurnId(), new byte[][] {key, value});
        sends.put(t.getTurnId(), producer.send(new ProducerRecord<>(turns.name(), key, value)));
        if (i % 30 == 15 && i / 30 < poisonPayloads.size()) { // spread the poison over the stream
          byte[][] p = poisonPayloads.get(i / 30);
          String id = new String(p[0], UTF_8);
          payloads.put(id, p);
          sends.put(id, producer.send(new ProducerRecord<>(turns.name(), p[0], p[1])));
        }
      }
      producer.flush();
      for (Map.Entry<String, Future<RecordMetadata>> send : sends.entrySet()) {
        RecordMetadata metadata = send.getValue().get(30, TimeUnit.SECONDS);
        byte[][] p = payloads.get(send.getKey());
        written.put(send.getKey(), new Written(send.getKey(), p[0], p[1], metadata.partition(), metadata.offset()));
      }
    }
    String undecodable = UndecodableRecordException.class.getName();
    String invalidTurn = TeacherScoringOperator.InvalidTurnException.class.getName();
    poison.add(new Poison(written.get("poison-magic"), undecodable, "unknown magic byte 0x01"));
    poison.add(new Poison(written.get("poison-schema"), undecodable, "unknown schema id 424242"));
    poison.add(new Poison(written.get("poison-empty"), invalidTurn, "turn poison-empty has empty text"));
    poison.add(new Poison(written.get("poison-utf8"), invalidTurn, "turn poison-utf8 text is not valid UTF-8"));
    poison.add(new Poison(written.get("poison-gold"), invalidTurn,
        "turn poison-gold has gold label 'no_such_intent', which is not in teacher " + bundle.teacherVersion()));
    poison.add(new Poison(written.get("poison-blank"), invalidTurn, "turn poison-blank has empty text"));
    poison.add(new Poison(written.get("poison-huge-blank"), invalidTurn, "turn poison-huge-blank has empty text"));
    poison.add(new Poison(written.get("poison-1969"), invalidTurn,
        "turn poison-1969: event time 1969-12-31T23:59:59Z is before 1970-01-01T00:00:00Z"));
    poison.add(new Poison(written.get("poison-ahead"), invalidTurn, "turn poison-ahead: event time "
        + fromTheFuture.getEventTime() + " is more than 1 hour after"));
    assertThat(poison).extracting(Poison::written).doesNotContainNull();

    // When the teacher job runs on a local MiniCluster with the production Kafka source and exactly-once sink
    TeacherJobConfig config = TeacherJobConfig.of(Map.of(
        TeacherJobConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
        TeacherJobConfig.REGISTRY_URL, registry.url(),
        TeacherJobConfig.NAMESPACE, namespace,
        TeacherJobConfig.BUNDLE, bundleDir.resolve("teacher").toString(),
        TeacherJobConfig.CHECKPOINT_INTERVAL_MS, "500",
        TeacherJobConfig.GROUP_ID, namespace + "-teacher",
        TeacherJobConfig.TRANSACTIONAL_ID_PREFIX, namespace + "-teacher"));
    TeacherJob teacherJob = new TeacherJob(config, BundleTurnScorer.factory(config.bundle(), config.onnxThreads()));
    Configuration flink = new Configuration();
    // A failure should fail the test with its cause, not vanish into a restart loop.
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, flink);
    teacherJob.build(env, teacherJob.kafkaSource(), teacherJob.kafkaSink());
    JobClient job = env.executeAsync(TeacherJob.NAME + "-" + namespace);
    TopicReader reader = new TopicReader(kafka.bootstrapServers(), new RestSchemaRegistryClient(registry.url()));
    List<SoftLabel> labels = new ArrayList<>();
    List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
    try {
      await("committed soft labels and dead letters")
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500))
          .failFast("the teacher job ended while the test waited for its output", () -> assertStillRunning(job))
          .until(() -> {
            labels.clear();
            deadLetters.clear();
            reader.forEach(softLabels, labels::add);
            reader.forEachRaw(turns.deadLetterTopic(), deadLetters::add);
            return labels.size() >= valid.size() && deadLetters.size() >= poison.size();
          });
    } finally {
      cancel(job);
    }

    // Then every valid turn has exactly one committed soft label, and no other turn has one
    assertThat(labels).extracting(SoftLabel::getTurnId)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(valid.stream().map(DialogueTurn::getTurnId).toList());
    // And each carries the bundle's identity, 151 logits, its argmax, the tokens and the turn's fields
    Map<String, DialogueTurn> turnsById = valid.stream()
        .collect(Collectors.toMap(DialogueTurn::getTurnId, Function.identity()));
    List<String> labelNames = bundle.labels();
    assertThat(labelNames).hasSize(151);
    Map<String, TeacherScore> expectedScores = scoreInTest(valid, config.maxTextChars());
    for (SoftLabel label : labels) {
      DialogueTurn turn = turnsById.get(label.getTurnId());
      TeacherScore expected = expectedScores.get(label.getTurnId());
      assertThat(label.getLogits()).as("logits of %s", label.getTurnId()).hasSize(151);
      assertThat(label.getTeacherIndex()).as("teacher index of %s", label.getTurnId())
          .isEqualTo(argMax(label.getLogits()));
      assertThat(label.getTeacherLabel()).isEqualTo(labelNames.get(label.getTeacherIndex()));
      assertThat(label.getTeacherVersion()).isEqualTo(bundle.teacherVersion());
      assertThat(label.getLabelSetId()).isEqualTo(bundle.labelSetId());
      assertThat(label.getTemperature()).isEqualTo((float) bundle.temperature());
      assertThat(label.getTokenIds()).as("token ids of %s", label.getTurnId())
          .isNotEmpty()
          .containsExactlyElementsOf(Arrays.stream(expected.tokenIds()).boxed().toList());
      float[] expectedLogits = expected.logits();
      for (int i = 0; i < expectedLogits.length; i++) {
        assertThat(label.getLogits().get(i)).as("logit %d of %s", i, label.getTurnId())
            .isCloseTo(expectedLogits[i], within(1e-3f));
      }
      assertThat(label.getConversationId()).isEqualTo(turn.getConversationId());
      assertThat(label.getTurnIndex()).isEqualTo(turn.getTurnIndex());
      assertThat(label.getEventTime()).isEqualTo(turn.getEventTime());
      assertThat(label.getHeldOut()).isEqualTo(turn.getHeldOut());
      assertThat(label.getGoldLabel()).isEqualTo(turn.getGoldLabel());
      assertThat(label.getGoldIndex()).as("gold index of %s", label.getTurnId())
          .isEqualTo(turn.getGoldLabel() == null ? null : labelNames.indexOf(turn.getGoldLabel()));
    }
    // And only the 50,000-character and the 5 MB turns are flagged truncated
    assertThat(labels).filteredOn(SoftLabel::getTruncated).extracting(SoftLabel::getTurnId)
        .containsExactlyInAnyOrder(longTurn.getTurnId(), hugeTurn.getTurnId());
    // And the teacher is a real classifier: most gold-labelled turns get their gold label
    List<SoftLabel> withGold = labels.stream().filter(l -> l.getGoldIndex() != null).toList();
    assertThat(withGold).hasSize(CLINC_TURNS / 2);
    assertThat(withGold.stream().filter(l -> l.getTeacherIndex() == l.getGoldIndex()).count())
        .as("gold-labelled turns the teacher gets right")
        .isGreaterThan(withGold.size() / 2);

    // And each poison record reached the dead-letter topic once, untouched, with headers naming the problem and source
    assertThat(deadLetters).hasSize(poison.size());
    Map<String, ConsumerRecord<byte[], byte[]>> byCoordinates = deadLetters.stream().collect(Collectors.toMap(
        r -> header(r, DeadLetters.HEADER_SOURCE_TOPIC) + "-" + header(r, DeadLetters.HEADER_SOURCE_PARTITION)
            + "@" + header(r, DeadLetters.HEADER_SOURCE_OFFSET), Function.identity()));
    assertThat(byCoordinates.keySet()).containsExactlyInAnyOrderElementsOf(poison.stream()
        .map(p -> turns.name() + "-" + p.written().partition() + "@" + p.written().offset()).toList());
    for (Poison p : poison) {
      ConsumerRecord<byte[], byte[]> dead =
          byCoordinates.get(turns.name() + "-" + p.written().partition() + "@" + p.written().offset());
      assertThat(header(dead, DeadLetters.HEADER_EXCEPTION)).as("exception of %s", p.written().turnId())
          .isEqualTo(p.exception());
      assertThat(header(dead, DeadLetters.HEADER_MESSAGE)).as("message of %s", p.written().turnId())
          .contains(p.messageFragment());
      assertThat(header(dead, DeadLetters.HEADER_STAGE)).isEqualTo(STAGE);
      // A dead letter keeps the whole poison value, up to 1,000,000 bytes: a larger one would not fit the
      // dead-letter topic, and a record Kafka refuses would fail the job on every restart.
      byte[] value = p.written().value();
      boolean cut = value.length > DEAD_LETTER_MAX_VALUE_BYTES;
      assertThat(dead.value()).as("value of %s", p.written().turnId())
          .isEqualTo(cut ? Arrays.copyOf(value, DEAD_LETTER_MAX_VALUE_BYTES) : value);
      assertThat(header(dead, TeacherScoringOperator.HEADER_ORIGINAL_VALUE_BYTES))
          .as("original size header of %s", p.written().turnId())
          .isEqualTo(cut ? Integer.toString(value.length) : null);
      assertThat(dead.key()).as("key of %s", p.written().turnId()).isEqualTo(p.written().key());
    }
  }

  /** Every 15th in-scope CLINC150 test utterance (two per intent), gold labels on every other one. */
  private List<DialogueTurn> clincTurns() {
    List<Clinc150.Example> test = clinc.split("test");
    List<DialogueTurn> result = new ArrayList<>(CLINC_TURNS + 1);
    for (int i = 0; i < CLINC_TURNS; i++) {
      Clinc150.Example example = test.get(i * (test.size() / CLINC_TURNS));
      result.add(turn("turn-" + i, "conv-" + i / 3, i % 3, example.text(), i % 2 == 0 ? example.label() : null));
    }
    return result;
  }

  private static DialogueTurn turn(String id, String conversation, int index, String text, String gold) {
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

  /**
   * A well-formed turn whose text bytes are not UTF-8: the 'é' of "café" (C3 A9) has its lead
   * byte replaced by FF, as a client writing Latin-1 into a UTF-8 field would produce.
   */
  private byte[] invalidUtf8Turn() {
    byte[] bytes = turnCodec.encode(turn("poison-utf8", "conv-poison", 3, "one caf\u00e9 latte please", null));
    for (int i = 0; i + 1 < bytes.length; i++) {
      if ((bytes[i] & 0xff) == 0xc3 && (bytes[i + 1] & 0xff) == 0xa9) {
        bytes[i] = (byte) 0xff;
        assertThat(turnCodec.decode(bytes).getText()).contains("\uFFFD");
        return bytes;
      }
    }
    throw new AssertionError("the encoded turn holds no UTF-8 'é'");
  }

  /** What the teacher itself says about each turn's text (cut as the job cuts it). */
  private Map<String, TeacherScore> scoreInTest(List<DialogueTurn> valid, int maxTextChars) throws Exception {
    List<String> texts = valid.stream()
        .map(t -> t.getText().length() > maxTextChars ? t.getText().substring(0, maxTextChars) : t.getText())
        .toList();
    Map<String, TeacherScore> scores = new HashMap<>();
    try (Teacher teacher = Teacher.open(bundleDir.resolve("teacher"), 1)) {
      for (int start = 0; start < texts.size(); start += 32) {
        int end = Math.min(texts.size(), start + 32);
        List<TeacherScore> batch = teacher.score(texts.subList(start, end));
        for (int i = start; i < end; i++) {
          scores.put(valid.get(i).getTurnId(), batch.get(i - start));
        }
      }
    }
    assertThat(scores.get(valid.get(valid.size() - 1).getTurnId()).tokenIds())
        .hasSize(MiniLmEncoder.MAX_TOKENS);
    return scores;
  }

  private static int argMax(List<Float> values) {
    int top = 0;
    for (int i = 1; i < values.size(); i++) {
      if (values.get(i) > values.get(top)) {
        top = i;
      }
    }
    return top;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return DeadLetters.header(record.headers(), name);
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, TURNS_TOPIC_MAX_MESSAGE_BYTES);
    // One batch in flight: right after topic creation a first batch can meet NOT_LEADER_OR_FOLLOWER, and a
    // later batch overtaking its retry leaves the idempotent producer retrying it forever (OUT_OF_ORDER_SEQUENCE).
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Fails, with the job's own failure as the cause, once the job has stopped. */
  private static void assertStillRunning(JobClient job) {
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

  private static void cancel(JobClient job) throws Exception {
    if (!job.getJobExecutionResult().isDone()) {
      job.cancel().get(30, TimeUnit.SECONDS);
    }
    // The local MiniCluster shuts down once the job has ended; wait for that before the broker goes.
    await("teacher job ended").atMost(Duration.ofSeconds(30))
        .until(() -> job.getJobExecutionResult().handle((ok, error) -> true).isDone());
  }
}
