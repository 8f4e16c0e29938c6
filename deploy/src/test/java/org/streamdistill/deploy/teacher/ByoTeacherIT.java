package org.streamdistill.deploy.teacher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.demo.TopicReader;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.schemas.wire.DeadLetters;
import org.streamdistill.teacher.job.TeacherJob;
import org.streamdistill.teacher.job.TeacherJobConfig;
import org.streamdistill.teacher.job.TurnScorers;
import org.streamdistill.teacher.model.MiniLmEncoder;
import org.streamdistill.teacher.model.OnnxClassifier;
import org.streamdistill.teacher.model.TeacherBundle;
import org.streamdistill.teacher.model.TinyOnnxClassifier;

/**
 * Bring your own teacher: a small ONNX sequence classifier, written by the test with its own
 * label set and paired with the MiniLM {@code tokenizer.json}, configured with
 * {@code teacher.kind=onnx-classifier} and run through the production job (Kafka source,
 * scoring operator, exactly-once Kafka sink) on the embedded platform.
 */
class ByoTeacherIT {

  private static final List<String> LABELS =
      List.of("account", "travel", "food", "weather", "smalltalk", "shopping", "other");
  private static final int CLINC_TURNS = 200;
  private static final int MAX_LENGTH = 32;
  private static final int SEP = 102;
  private static final double TEMPERATURE = 1.5;

  @TempDir
  static Path dir;

  private static TeacherTestPlatform platform;
  private static Clinc150 clinc;

  @BeforeAll
  static void startPlatform() throws Exception {
    platform = TeacherTestPlatform.start();
    clinc = Clinc150.read(SmallTeacherBundle.clinc150Path());
  }

  @AfterAll
  static void stopPlatform() {
    if (platform != null) {
      platform.close();
    }
  }

  @Test
  void shouldPublishOneSoftLabelPerTurnFromAnOnnxClassifierWithItsOwnLabelSet() throws Exception {
    // Given an ONNX classifier that takes token_type_ids, its tokenizer.json and its labels as a JSON list
    TinyOnnxClassifier tiny = TinyOnnxClassifier.create(true, LABELS.size(), 11);
    Path model = tiny.write(dir.resolve("classifier.onnx"));
    Path tokenizer = TinyOnnxClassifier.writeMiniLmTokenizer(dir.resolve("tokenizer.json"));
    Path labels = Files.writeString(dir.resolve("labels.json"),
        LABELS.stream().map(l -> "\"" + l + "\"").collect(Collectors.joining(", ", "[", "]")));
    String expectedVersion;
    try (OnnxClassifier classifier = OnnxClassifier.open(model, tokenizer, labels, MAX_LENGTH, TEMPERATURE, 1)) {
      expectedVersion = classifier.version();
    }
    // And 200 CLINC150 turns (every 10th with a gold label of the classifier's set), one long turn,
    // and one turn whose gold label the classifier does not know
    String namespace = platform.freshNamespace();
    Topic<DialogueTurn> turns = platform.turns(namespace);
    List<DialogueTurn> valid = new ArrayList<>();
    List<Clinc150.Example> test = clinc.split("test");
    for (int i = 0; i < CLINC_TURNS; i++) {
      valid.add(TeacherTestPlatform.turn("byo-" + i, "conv-" + i / 4, i % 4,
          test.get(i * (test.size() / CLINC_TURNS)).text(), i % 10 == 0 ? LABELS.get(i % LABELS.size()) : null));
    }
    DialogueTurn longTurn = TeacherTestPlatform.turn("byo-long", "conv-long", 0,
        "i would like to know the weather in paris tomorrow morning ".repeat(20), null);
    valid.add(longTurn);
    DialogueTurn unknownGold = TeacherTestPlatform.turn("byo-unknown-gold", "conv-poison", 0, "book a table for two",
        "restaurant_reservation");
    AvroWireCodec<DialogueTurn> codec = platform.turnCodec(namespace);
    byte[] unknownGoldValue = codec.encode(unknownGold);
    try (KafkaProducer<byte[], byte[]> producer = platform.producer()) {
      for (DialogueTurn t : valid) {
        producer.send(new ProducerRecord<>(turns.name(), t.getConversationId().getBytes(UTF_8), codec.encode(t)));
      }
      producer.send(new ProducerRecord<>(turns.name(), unknownGold.getConversationId().getBytes(UTF_8),
          unknownGoldValue)).get(30, TimeUnit.SECONDS);
    }

    // When the job runs with teacher.kind=onnx-classifier
    Map<String, String> settings = platform.jobSettings(namespace);
    settings.put(TeacherJobConfig.KIND, TeacherJobConfig.KIND_ONNX_CLASSIFIER);
    settings.put(TeacherJobConfig.ONNX_MODEL, model.toString());
    settings.put(TeacherJobConfig.ONNX_TOKENIZER, tokenizer.toString());
    settings.put(TeacherJobConfig.ONNX_LABELS, labels.toString());
    settings.put(TeacherJobConfig.ONNX_MAX_LENGTH, Integer.toString(MAX_LENGTH));
    settings.put(TeacherJobConfig.TEMPERATURE, Double.toString(TEMPERATURE));
    settings.put(TeacherJobConfig.ONNX_THREADS, "1");
    TeacherJobConfig config = TeacherJobConfig.of(settings);
    TeacherJob teacherJob = new TeacherJob(config, TurnScorers.fromConfig(config));
    Configuration flink = new Configuration();
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, flink);
    teacherJob.build(env, teacherJob.kafkaSource(), teacherJob.kafkaSink());
    JobClient job = env.executeAsync(TeacherJob.NAME + "-" + namespace);
    Topic<SoftLabel> softLabels = Topics.SOFT_LABELS.inNamespace(namespace);
    TopicReader reader = platform.reader();
    List<SoftLabel> published = new ArrayList<>();
    List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
    try {
      await("committed soft labels and the dead letter")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(500))
          .failFast("the teacher job ended while the test waited for its output",
              () -> TeacherTestPlatform.assertStillRunning(job))
          .until(() -> {
            published.clear();
            deadLetters.clear();
            reader.forEach(softLabels, published::add);
            reader.forEachRaw(turns.deadLetterTopic(), deadLetters::add);
            return published.size() >= valid.size() && !deadLetters.isEmpty();
          });
    } finally {
      TeacherTestPlatform.cancel(job);
    }

    // Then every valid turn has exactly one soft label
    assertThat(published).extracting(SoftLabel::getTurnId)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(valid.stream().map(DialogueTurn::getTurnId).toList());
    // And each carries the classifier's label set, version and temperature, the MiniLM token ids
    // (cut at 32 tokens) and the classifier's logits for exactly those ids
    Map<String, DialogueTurn> byId = valid.stream().collect(Collectors.toMap(DialogueTurn::getTurnId, Function.identity()));
    try (MiniLmEncoder reference = new MiniLmEncoder(1)) {
      for (SoftLabel label : published) {
        DialogueTurn turn = byId.get(label.getTurnId());
        assertThat(label.getLabelSetId()).isEqualTo(TeacherBundle.labelSetId(LABELS));
        assertThat(label.getTeacherVersion()).isEqualTo(expectedVersion);
        assertThat(label.getTemperature()).isEqualTo((float) TEMPERATURE);
        assertThat(label.getTopKIndices()).isNull();
        assertThat(label.getRemainingMass()).isNull();
        int[] full = reference.tokenize(turn.getText()).ids();
        int[] expectedIds = full.length > MAX_LENGTH ? cutWithSep(full) : full;
        int[] ids = label.getTokenIds().stream().mapToInt(Integer::intValue).toArray();
        assertThat(ids).as("token ids of %s", label.getTurnId()).containsExactly(expectedIds);
        assertThat(label.getTruncated()).as("truncated flag of %s", label.getTurnId())
            .isEqualTo(full.length > MAX_LENGTH);
        float[] expected = tiny.logits(ids, new int[ids.length]);
        assertThat(label.getLogits()).as("logits of %s", label.getTurnId()).hasSize(LABELS.size());
        for (int c = 0; c < expected.length; c++) {
          assertThat(label.getLogits().get(c)).as("logit %d of %s", c, label.getTurnId())
              .isCloseTo(expected[c], within(1e-4f));
        }
        // (the published argmax; the plain-Java logits may differ in the last float bits, so a near tie may differ)
        int top = label.getTeacherIndex();
        assertThat(label.getLogits().get(top)).as("teacher index of %s is the argmax", label.getTurnId())
            .isEqualTo(label.getLogits().stream().max(Float::compare).orElseThrow());
        assertThat(expected[top]).isCloseTo(expected[argMax(expected)], within(1e-4f));
        assertThat(label.getTeacherLabel()).isEqualTo(LABELS.get(top));
        assertThat(label.getGoldLabel()).isEqualTo(turn.getGoldLabel());
        assertThat(label.getGoldIndex())
            .isEqualTo(turn.getGoldLabel() == null ? null : LABELS.indexOf(turn.getGoldLabel()));
      }
    }
    assertThat(published).filteredOn(SoftLabel::getTruncated).extracting(SoftLabel::getTurnId)
        .containsExactly(longTurn.getTurnId());
    // And the classifier spreads its answers over its own labels (it is a real network, not a constant)
    assertThat(published.stream().map(SoftLabel::getTeacherLabel).distinct().count()).isGreaterThan(1);
    // And the turn with a gold label outside the classifier's set is dead-lettered, untouched, naming the teacher
    assertThat(deadLetters).hasSize(1);
    ConsumerRecord<byte[], byte[]> dead = deadLetters.get(0);
    assertThat(dead.value()).isEqualTo(unknownGoldValue);
    assertThat(DeadLetters.header(dead.headers(), DeadLetters.HEADER_MESSAGE))
        .contains("gold label 'restaurant_reservation', which is not in teacher " + expectedVersion
            + "'s label set of 7 labels");
  }

  private static int[] cutWithSep(int[] ids) {
    int[] cut = Arrays.copyOf(ids, MAX_LENGTH);
    cut[MAX_LENGTH - 1] = SEP;
    return cut;
  }

  private static int argMax(float[] values) {
    int top = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[top]) {
        top = i;
      }
    }
    return top;
  }
}
