package org.streamdistill.student.training;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.registry.InMemorySchemaRegistryClient;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;

/**
 * A {@link StudentTrainer} on mock Kafka clients and a manual clock, with a tiny model: soft
 * labels go into a {@link LogConsumer}, what the trainer commits is read back from the {@link
 * MockProducer}. Successive harnesses on the same {@link Group} are restarts of one model line.
 */
final class TrainerHarness {

  static final String SOFT_LABELS = Topics.SOFT_LABELS.name();
  static final String PREDICTIONS = Topics.PREDICTIONS.name();
  static final String PROMOTIONS = Topics.PROMOTIONS.name();
  static final String CHECKPOINTS = Topics.CHECKPOINTS.name();
  static final TopicPartition P0 = new TopicPartition(SOFT_LABELS, 0);
  static final TopicPartition P1 = new TopicPartition(SOFT_LABELS, 1);
  static final TopicPartition PROMOTIONS_P0 = new TopicPartition(PROMOTIONS, 0);

  /** What outlives one trainer: the registry, the checkpoint directory and the group's committed offsets. */
  static final class Group {
    final SchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    final Path checkpoints;
    final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();

    Group(Path checkpoints) {
      this.checkpoints = checkpoints;
    }
  }

  final Group group;
  final TrainerConfig config;
  final LogConsumer softLabels;
  final LogConsumer promotions;
  final MockProducer<byte[], byte[]> producer;
  final AtomicLong clock = new AtomicLong(1_000_000);
  final StudentTrainer trainer;
  private final AvroWireCodec<SoftLabel> softLabelCodec;
  private final AvroWireCodec<PromotionEvent> promotionCodec;
  private final AvroWireCodec<StudentPrediction> predictionCodec;

  TrainerHarness(Group group) {
    this(group, 1);
  }

  TrainerHarness(Group group, int partitions) {
    this.group = group;
    Map<String, String> settings = new HashMap<>();
    settings.put(TrainerConfig.CHECKPOINT_DIR, group.checkpoints.toString());
    settings.put(TrainerConfig.BATCH_SIZE, "4");
    settings.put(TrainerConfig.CHECKPOINT_ONNX, "false");
    settings.put(TrainerConfig.CHECKPOINT_EVERY_SAMPLES, "1000");
    settings.put(TrainerConfig.EMBEDDING_INIT, TrainerConfig.EMBEDDING_INIT_RANDOM);
    settings.put(TrainerConfig.EMBEDDING_DIM, "4");
    settings.put(TrainerConfig.FILTERS, "2");
    settings.put(TrainerConfig.MAX_TOKENS, "8");
    this.config = TrainerConfig.of(settings);
    this.producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    this.softLabels = new LogConsumer().withTopic(SOFT_LABELS, partitions).withGroupOffsets(this::groupOffsets);
    this.promotions = new LogConsumer().withTopic(PROMOTIONS, 1);
    this.softLabelCodec = new AvroWireCodec<>(group.registry, Topics.SOFT_LABELS.valueSubject(), SoftLabel.class);
    this.promotionCodec = new AvroWireCodec<>(group.registry, Topics.PROMOTIONS.valueSubject(), PromotionEvent.class);
    this.predictionCodec = new AvroWireCodec<>(group.registry, Topics.PREDICTIONS.valueSubject(),
        StudentPrediction.class);
    this.trainer = new StudentTrainer(config, group.registry, softLabels, promotions, producer, clock::get);
  }

  /** The group's offsets: those committed by earlier trainers, then by this one's transactions. */
  Map<TopicPartition, OffsetAndMetadata> groupOffsets() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(group.committed);
    for (var commit : producer.consumerGroupOffsetsHistory()) {
      commit.values().forEach(offsets::putAll);
    }
    return offsets;
  }

  /** Runs the trainer on this thread until a script step stops it, then keeps its commits for a restart. */
  void run() {
    try {
      trainer.run();
    } finally {
      group.committed.putAll(groupOffsets());
    }
  }

  Runnable assign() {
    return () -> softLabels.rebalance(List.of(P0));
  }

  Runnable stop() {
    return trainer::stop;
  }

  /** Appends soft labels for turns {@code from}..{@code to} (inclusive); every turn whose index is in {@code heldOut} is held out. */
  void appendTurns(int from, int to, Integer... heldOut) {
    List<Integer> held = List.of(heldOut);
    for (int i = from; i <= to; i++) {
      appendLabel(TrainingRecords.softLabel(i, held.contains(i)));
    }
  }

  void appendLabel(SoftLabel label) {
    appendLabel(P0, label);
  }

  void appendLabel(TopicPartition tp, SoftLabel label) {
    softLabels.append(tp, label.getConversationId().getBytes(StandardCharsets.UTF_8), softLabelCodec.encode(label));
  }

  void appendPromotion(PromotionEvent event) {
    promotions.append(PROMOTIONS_P0, "student".getBytes(StandardCharsets.UTF_8), promotionCodec.encode(event));
  }

  /** Predictions in committed transactions, in the order they were sent. */
  List<StudentPrediction> committedPredictions() {
    return producer.history().stream().filter(r -> r.topic().equals(PREDICTIONS))
        .map(r -> predictionCodec.decode(r.value())).toList();
  }

  List<ProducerRecord<byte[], byte[]>> committedTo(String topic) {
    return producer.history().stream().filter(r -> r.topic().equals(topic)).toList();
  }

  /** The offsets of each committed transaction, in order. */
  List<Map<TopicPartition, OffsetAndMetadata>> committedOffsets() {
    return producer.consumerGroupOffsetsHistory().stream()
        .map(byGroup -> byGroup.values().iterator().next()).toList();
  }

  static OffsetAndMetadata offset(long offset, long checkpoint, long resume, String cuts) {
    return new OffsetAndMetadata(offset, "checkpoint=" + checkpoint + ";resume=" + resume + ";cuts=" + cuts);
  }
}
