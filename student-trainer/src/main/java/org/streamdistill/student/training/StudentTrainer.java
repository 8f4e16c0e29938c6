package org.streamdistill.student.training;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentCheckpoint;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.schemas.wire.DeadLetters;
import org.streamdistill.schemas.wire.UndecodableRecordException;
import org.streamdistill.student.checkpoint.ModelState;
import org.streamdistill.student.export.ExportMetadata;
import org.streamdistill.student.export.OnnxExporter;
import org.streamdistill.student.loss.DistillationLoss;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;
import org.streamdistill.student.optim.Adam;

/**
 * The online student: consumes soft labels, predicts every turn with the challenger (the
 * learning model) and the champion (the promoted, frozen one), publishes those predictions,
 * and only then learns from the turn, unless it is held out. Prequential: no turn is
 * predicted by a model that has seen it.
 *
 * <p>Turns are processed in mini-batches of {@code trainer.batch-size}: the whole batch is
 * predicted, then one optimizer step learns from its non-held-out turns. A checkpoint (new
 * model version) saves weights, optimizer state, samples seen and the next offset of every
 * partition in one atomically written file, then publishes its metadata and commits the
 * same offsets to the consumer group. Promotion events switch the champion to the promoted
 * version's weights.
 *
 * <p>Runs on the caller's thread ({@link #run()}) until {@link #stop()}; owns its consumers,
 * producer and model, released by {@link #close()}.
 */
public final class StudentTrainer implements Runnable, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StudentTrainer.class);
  static final String STAGE = "student-trainer";

  /** Counters for progress displays and tests. */
  public record Stats(long softLabelsConsumed, long predictionsAcknowledged, long turnsLearned, long deadLettered,
                      long checkpoints, String challengerVersion, String championVersion) {}

  private final TrainerConfig config;
  private final Topic<SoftLabel> softLabels;
  private final Topic<StudentPrediction> predictions;
  private final Topic<StudentCheckpoint> checkpointsTopic;
  private final Topic<PromotionEvent> promotions;
  private final AvroWireCodec<SoftLabel> softLabelCodec;
  private final AvroWireCodec<StudentPrediction> predictionCodec;
  private final AvroWireCodec<StudentCheckpoint> checkpointCodec;
  private final AvroWireCodec<PromotionEvent> promotionCodec;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaConsumer<byte[], byte[]> promotionConsumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final CheckpointStore store;
  private final DistillationLoss loss;

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
  private final AtomicLong consumed = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong learned = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong checkpointCount = new AtomicLong();
  private volatile String championVersion;

  private TextCnn challenger;
  private Adam optimizer;
  private TextCnn champion;
  /**
   * The champion the latest PROMOTE replaced, kept frozen and predicting (role "previous") so
   * that the evaluator can compare the new champion with it on the same turns and roll back;
   * dropped by the next PROMOTE (which replaces it) or by a ROLLBACK (which makes it champion).
   */
  private TextCnn previous;
  private String previousVersion;
  private String labelSetId;
  private String[] labelNames;
  private long samplesSeen;
  private long samplesAtLastCheckpoint;
  private long lastCheckpointMillis = System.currentTimeMillis();
  private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();
  private final List<ConsumerRecord<byte[], byte[]>> window = new ArrayList<>();

  public StudentTrainer(TrainerConfig config, SchemaRegistryClient registry) {
    this.config = config;
    this.softLabels = Topics.SOFT_LABELS.inNamespace(config.namespace());
    this.predictions = Topics.PREDICTIONS.inNamespace(config.namespace());
    this.checkpointsTopic = Topics.CHECKPOINTS.inNamespace(config.namespace());
    this.promotions = Topics.PROMOTIONS.inNamespace(config.namespace());
    this.softLabelCodec = new AvroWireCodec<>(registry, softLabels.valueSubject(), SoftLabel.class);
    this.predictionCodec = new AvroWireCodec<>(registry, predictions.valueSubject(), StudentPrediction.class);
    this.checkpointCodec = new AvroWireCodec<>(registry, checkpointsTopic.valueSubject(), StudentCheckpoint.class);
    this.promotionCodec = new AvroWireCodec<>(registry, promotions.valueSubject(), PromotionEvent.class);
    this.loss = new DistillationLoss(config.alpha());
    this.store = new CheckpointStore(config.checkpointDir(), 5);

    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, STAGE);
    this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());

    Properties pc = new Properties();
    pc.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    pc.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    pc.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    pc.put(ConsumerConfig.CLIENT_ID_CONFIG, STAGE + "-promotions");
    this.promotionConsumer = new KafkaConsumer<>(pc, new ByteArrayDeserializer(), new ByteArrayDeserializer());

    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, STAGE);
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Override
  public void run() {
    try {
      restoreNewestCheckpoint();
      consumer.subscribe(List.of(softLabels.name()), new SeekToCheckpoint());
      var promotionPartitions = promotionConsumer.partitionsFor(promotions.name(), Duration.ofSeconds(30)).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      if (promotionPartitions.isEmpty()) {
        throw new IllegalStateException("topic " + promotions.name() + " does not exist: provision the pipeline's "
            + "topics first (bin/streamdistill provision)");
      }
      promotionConsumer.assign(promotionPartitions);
      promotionConsumer.seekToBeginning(promotionPartitions);
      while (running.get()) {
        failOnSendError();
        followPromotions(Duration.ZERO);
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          window.add(record);
          if (window.size() >= config.batchSize()) {
            processWindow();
          }
        }
        if (!window.isEmpty()) {
          processWindow();
        }
        if (dueForCheckpoint()) {
          checkpoint();
        }
      }
      if (samplesSeen > samplesAtLastCheckpoint) {
        checkpoint();
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } catch (RuntimeException e) {
      LOG.error("student trainer stopped: {}", e.getMessage(), e);
      throw e;
    } finally {
      producer.flush();
    }
  }

  /** Predicts every turn of the window with every live model, publishes, then learns from it. */
  private void processWindow() {
    List<SoftLabel> valid = new ArrayList<>(window.size());
    List<ConsumerRecord<byte[], byte[]>> sources = new ArrayList<>(window.size());
    for (ConsumerRecord<byte[], byte[]> record : window) {
      consumed.incrementAndGet();
      nextOffsets.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
      try {
        SoftLabel label = softLabelCodec.decode(record.value());
        requireFullLogits(label);
        ensureModel(label);
        validate(label);
        valid.add(label);
        sources.add(record);
      } catch (UndecodableRecordException | InvalidSoftLabelException e) {
        deadLetter(record, e);
      }
    }
    window.clear();
    if (valid.isEmpty()) {
      return;
    }
    List<int[]> tokens = new ArrayList<>(valid.size());
    for (SoftLabel label : valid) {
      tokens.add(toIntArray(label.getTokenIds()));
    }
    String challengerVersion = challengerVersion();
    float[][] challengerLogits = challenger.logitsBatch(tokens);
    float[][] championLogits = champion == null ? null : champion.logitsBatch(tokens);
    float[][] previousLogits = previous == null ? null : previous.logitsBatch(tokens);
    long now = System.currentTimeMillis();

    List<int[]> trainTokens = new ArrayList<>();
    List<float[]> trainLogits = new ArrayList<>();
    List<Integer> trainGold = new ArrayList<>();
    float temperature = valid.get(0).getTemperature();
    for (int i = 0; i < valid.size(); i++) {
      SoftLabel label = valid.get(i);
      remember(label);
      List<ModelPrediction> answers = new ArrayList<>(2);
      answers.add(prediction(challengerVersion, "challenger", challengerLogits[i], label));
      if (championLogits != null) {
        answers.add(prediction(championVersion, "champion", championLogits[i], label));
      }
      if (previousLogits != null) {
        answers.add(prediction(previousVersion, "previous", previousLogits[i], label));
      }
      boolean learn = !label.getHeldOut();
      StudentPrediction prediction = StudentPrediction.newBuilder()
          .setTurnId(label.getTurnId())
          .setConversationId(label.getConversationId())
          .setEventTime(label.getEventTime())
          .setPredictedAt(Instant.ofEpochMilli(now))
          .setHeldOut(label.getHeldOut())
          .setLearned(learn)
          .setTeacherVersion(label.getTeacherVersion())
          .setTeacherIndex(label.getTeacherIndex())
          .setTeacherLabel(label.getTeacherLabel())
          .setGoldIndex(label.getGoldIndex())
          .setGoldLabel(label.getGoldLabel())
          .setPredictions(answers)
          .build();
      send(new ProducerRecord<>(predictions.name(), null, label.getEventTime().toEpochMilli(), sources.get(i).key(),
          predictionCodec.encode(prediction)), acknowledged);
      if (learn) {
        trainTokens.add(tokens.get(i));
        trainLogits.add(toFloatArray(label.getLogits()));
        trainGold.add(label.getGoldIndex());
        if (label.getTemperature() != temperature) {
          temperature = Float.NaN;
        }
      }
    }
    if (!trainTokens.isEmpty()) {
      if (Float.isNaN(temperature)) {
        float[] temperatures = new float[trainTokens.size()];
        int j = 0;
        for (SoftLabel label : valid) {
          if (!label.getHeldOut()) {
            temperatures[j++] = label.getTemperature();
          }
        }
        challenger.trainBatch(trainTokens, trainLogits, temperatures, trainGold, loss, optimizer);
      } else {
        challenger.trainBatch(trainTokens, trainLogits, temperature, trainGold, loss, optimizer);
      }
      samplesSeen += trainTokens.size();
      learned.addAndGet(trainTokens.size());
    }
  }

  private ModelPrediction prediction(String version, String role, float[] logits, SoftLabel label) {
    int teacherIndex = label.getTeacherIndex();
    Integer gold = label.getGoldIndex();
    float[] probabilities = softmax(logits);
    int top = 0;
    for (int i = 1; i < probabilities.length; i++) {
      if (probabilities[i] > probabilities[top]) {
        top = i;
      }
    }
    return ModelPrediction.newBuilder()
        .setModelVersion(version)
        .setRole(role)
        .setPredictedIndex(top)
        .setPredictedLabel(labelNames[top] != null ? labelNames[top] : "label-" + top)
        .setProbability(probabilities[top])
        .setTeacherProbability(teacherIndex >= 0 && teacherIndex < probabilities.length ? probabilities[teacherIndex] : 0f)
        .setKlTeacher((float) klTeacher(label.getLogits(), logits, label.getTemperature()))
        .setGoldCrossEntropy(gold == null ? null : (float) (logSumExp(logits, 1f) - logits[gold]))
        .build();
  }

  /**
   * KL(softmax(t / T) || softmax(s / T)) in nats, in double through log-softmax so that no
   * probability underflows: sum_i p_i (ln p_i - ln q_i). The evaluator averages it per window.
   */
  static double klTeacher(List<Float> teacherLogits, float[] studentLogits, float temperature) {
    float[] teacher = toFloatArray(teacherLogits);
    double teacherNorm = logSumExp(teacher, temperature);
    double studentNorm = logSumExp(studentLogits, temperature);
    double kl = 0;
    for (int i = 0; i < teacher.length; i++) {
      double logP = teacher[i] / temperature - teacherNorm;
      kl += Math.exp(logP) * (logP - (studentLogits[i] / temperature - studentNorm));
    }
    return Math.max(0.0, kl);
  }

  /** ln sum_i exp(logits_i / T), with the maximum subtracted first. */
  static double logSumExp(float[] logits, float temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v / temperature);
    }
    double sum = 0;
    for (float v : logits) {
      sum += Math.exp(v / temperature - max);
    }
    return max + Math.log(sum);
  }

  /** The model is shaped by the first soft label (its label set) unless a checkpoint restored it. */
  private void ensureModel(SoftLabel label) {
    if (challenger != null) {
      return;
    }
    int classes = label.getLogits().size();
    if (classes < 2) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " has " + classes
          + " logits; a label set needs at least 2");
    }
    TextCnnConfig shape = modelShape(classes);
    challenger = new TextCnn(shape);
    optimizer = new Adam(Adam.Settings.defaults().withLearningRate(config.learningRate()));
    labelSetId = label.getLabelSetId();
    labelNames = new String[classes];
    LOG.info("student initialised for label set {} ({} labels): {}", labelSetId, classes, shape);
  }

  private TextCnnConfig modelShape(int classes) {
    TextCnnConfig defaults = TextCnnConfig.defaults(classes);
    return new TextCnnConfig(defaults.vocabSize(), config.embeddingDim(), defaults.filterWidths(),
        config.filtersPerWidth(), config.maxTokens(), classes, defaults.dropout(), defaults.stripSpecialTokens(),
        config.seed());
  }

  /**
   * The distillation loss needs every label's logit; a soft label compacted to its top-k logits
   * (SoftLabel.top_k_indices set) is refused before it can shape or train the model.
   */
  private static void requireFullLogits(SoftLabel label) {
    if (label.getTopKIndices() != null) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " is compacted to its top "
          + label.getTopKIndices().size() + " logits (top_k_indices is set), but this student learns from the full "
          + "logits of every label: run the teacher with teacher.soft-labels.top-k=0");
    }
  }

  private void validate(SoftLabel label) {
    if (!label.getLabelSetId().equals(labelSetId)) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " uses label set "
          + label.getLabelSetId() + " but this student learns label set " + labelSetId);
    }
    int classes = challenger.config().numClasses();
    if (label.getLogits().size() != classes) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " has "
          + label.getLogits().size() + " logits, expected " + classes);
    }
    for (float logit : label.getLogits()) {
      if (!Float.isFinite(logit)) {
        throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " holds a non-finite logit "
            + logit);
      }
    }
    if (label.getTokenIds().isEmpty()) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " has no token ids");
    }
    int vocab = challenger.config().vocabSize();
    for (int id : label.getTokenIds()) {
      if (id < 0 || id >= vocab) {
        throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " holds token id " + id
            + " outside the vocabulary [0, " + vocab + ")");
      }
    }
    Integer gold = label.getGoldIndex();
    if (gold != null && (gold < 0 || gold >= classes)) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " has gold index " + gold
          + " outside [0, " + classes + ")");
    }
    if (!(label.getTemperature() > 0) || Float.isInfinite(label.getTemperature())) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " has temperature "
          + label.getTemperature() + "; it must be > 0");
    }
  }

  private void remember(SoftLabel label) {
    labelNames[label.getTeacherIndex()] = label.getTeacherLabel();
    if (label.getGoldIndex() != null && label.getGoldLabel() != null) {
      labelNames[label.getGoldIndex()] = label.getGoldLabel();
    }
  }

  private String challengerVersion() {
    return versionName(checkpointCount.get() + 1);
  }

  private String versionName(long n) {
    return config.modelName() + "-v" + n;
  }

  private boolean dueForCheckpoint() {
    long fresh = samplesSeen - samplesAtLastCheckpoint;
    return fresh >= config.checkpointEverySamples()
        || (fresh > 0 && System.currentTimeMillis() - lastCheckpointMillis >= config.checkpointEveryMillis());
  }

  /** Saves the challenger as a new version, publishes its metadata and commits its offsets. */
  private void checkpoint() {
    String version = challengerVersion();
    String parent = checkpointCount.get() == 0 ? null : versionName(checkpointCount.get());
    Map<String, Long> offsets = new HashMap<>();
    nextOffsets.forEach((tp, offset) -> offsets.put(tp.topic() + "-" + tp.partition(), offset));
    var path = store.save(new CheckpointStore.Saved(version, parent, samplesSeen, offsets, labelSetId,
        labelNames, challenger, optimizer), keptVersions());
    StudentCheckpoint metadata = StudentCheckpoint.newBuilder()
        .setModelName(config.modelName())
        .setModelVersion(version)
        .setParentVersion(parent)
        .setSamplesSeen(samplesSeen)
        .setOffsets(offsets)
        .setWeightsUri(path.toUri().toString())
        .setOnnxUri(config.checkpointOnnx() ? exportOnnx(path, version) : null)
        .setLabelSetId(labelSetId)
        .setCreatedAt(Instant.now())
        .build();
    send(new ProducerRecord<>(checkpointsTopic.name(), utf8(config.modelName()), checkpointCodec.encode(metadata)), null);
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    nextOffsets.forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
    consumer.commitSync(commit);
    checkpointCount.incrementAndGet();
    samplesAtLastCheckpoint = samplesSeen;
    lastCheckpointMillis = System.currentTimeMillis();
    LOG.info("checkpoint {}: {} samples seen, offsets {}", version, samplesSeen, offsets);
  }

  /** Writes {@code <version>.onnx} beside the checkpoint; returns its URI. */
  private String exportOnnx(java.nio.file.Path checkpointFile, String version) {
    try {
      return OnnxExporter.exportBeside(checkpointFile, challenger,
          ExportMetadata.of(config.modelName(), version, labelSetId, labelNames)).toUri().toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot export " + version + " to ONNX: " + e.getMessage(), e);
    }
  }

  private void restoreNewestCheckpoint() {
    var newest = store.newest();
    if (newest.isEmpty()) {
      return;
    }
    CheckpointStore.Loaded loaded = newest.get();
    challenger = loaded.model();
    optimizer = loaded.optimizer(Adam.Settings.defaults().withLearningRate(config.learningRate()));
    labelSetId = loaded.labelSetId();
    labelNames = loaded.labelNames();
    samplesSeen = loaded.samplesSeen();
    samplesAtLastCheckpoint = samplesSeen;
    checkpointCount.set(loaded.sequence());
    loaded.offsets().forEach((key, offset) -> {
      int dash = key.lastIndexOf('-');
      nextOffsets.put(new TopicPartition(key.substring(0, dash), Integer.parseInt(key.substring(dash + 1))), offset);
    });
    LOG.info("restored checkpoint {} ({} samples seen); resuming at offsets {}", loaded.version(), samplesSeen,
        loaded.offsets());
  }

  /** Applies every new promotion event: the champion becomes the promoted version. */
  private void followPromotions(Duration timeout) {
    for (ConsumerRecord<byte[], byte[]> record : promotionConsumer.poll(timeout)) {
      PromotionEvent event;
      try {
        event = promotionCodec.decode(record.value());
      } catch (UndecodableRecordException e) {
        deadLetter(record, e);
        continue;
      }
      if (!event.getModelName().equals(config.modelName()) || event.getDecision().equals("HOLD")) {
        continue;
      }
      adoptChampion(event.getToVersion(), event.getDecision());
    }
  }

  /** Checkpoints that pruning must keep: the champion and the previous one (a rollback target). */
  private java.util.Set<String> keptVersions() {
    java.util.Set<String> kept = new java.util.HashSet<>();
    if (championVersion != null) {
      kept.add(championVersion);
    }
    if (previousVersion != null) {
      kept.add(previousVersion);
    }
    return kept;
  }

  private void adoptChampion(String version, String decision) {
    if (version.equals(championVersion)) {
      return;
    }
    TextCnn replaced = champion;
    String replacedVersion = championVersion;
    if (version.equals(previousVersion)) {
      // A ROLLBACK: the standby model serves again, as it was.
      champion = previous;
      championVersion = version;
    } else if (challenger != null && version.equals(challengerVersion())) {
      // The evaluator judged the live challenger: freeze it as it is now, as that version.
      checkpoint();
      champion = challenger.copy();
      championVersion = version;
    } else {
      var loaded = store.load(version);
      if (loaded.isEmpty()) {
        LOG.warn("{} of {} ignored: no checkpoint of that version in {}", decision, version, config.checkpointDir());
        return;
      }
      champion = loaded.get().model();
      championVersion = version;
    }
    // Only a promotion puts the replaced champion on standby; after a rollback there is nothing
    // to compare the restored champion with, and keeping the demoted one would invite flapping.
    boolean promotion = !"ROLLBACK".equals(decision) && !version.equals(previousVersion);
    previous = promotion ? replaced : null;
    previousVersion = promotion ? replacedVersion : null;
    LOG.info("{}: champion is now {}{}", decision, version,
        previousVersion == null ? "" : " (" + previousVersion + " on standby until the evaluator decides)");
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> record, Exception error) {
    deadLettered.incrementAndGet();
    LOG.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), error.getMessage());
    send(DeadLetters.record(STAGE, record.topic(), record.partition(), record.offset(), record.key(), record.value(),
        error), null);
  }

  private void send(ProducerRecord<byte[], byte[]> record, AtomicLong ackCounter) {
    producer.send(record, (metadata, exception) -> {
      if (exception != null) {
        sendFailure.compareAndSet(null, exception);
      } else if (ackCounter != null) {
        ackCounter.incrementAndGet();
      }
    });
  }

  private void failOnSendError() {
    Exception failure = sendFailure.get();
    if (failure != null) {
      throw new IllegalStateException("student trainer cannot write to Kafka: " + failure.getMessage(), failure);
    }
  }

  /** Asks {@link #run()} to checkpoint and return; safe from any thread. */
  public void stop() {
    running.set(false);
  }

  public Stats stats() {
    return new Stats(consumed.get(), acknowledged.get(), learned.get(), deadLettered.get(), checkpointCount.get(),
        challengerVersion(), championVersion);
  }

  @Override
  public void close() {
    running.set(false);
    try {
      producer.close(Duration.ofSeconds(10));
    } finally {
      consumer.close(Duration.ofSeconds(5));
      promotionConsumer.close(Duration.ofSeconds(5));
    }
  }

  /** Seeks to the restored checkpoint's offsets when partitions are assigned. */
  private final class SeekToCheckpoint implements org.apache.kafka.clients.consumer.ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {}

    @Override
    public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        Long offset = nextOffsets.get(tp);
        if (offset != null) {
          consumer.seek(tp, offset);
        }
      }
    }
  }

  static float[] softmax(float[] logits) {
    float max = Float.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    float[] p = new float[logits.length];
    for (int i = 0; i < logits.length; i++) {
      p[i] = (float) Math.exp(logits[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= (float) sum;
    }
    return p;
  }

  private static int[] toIntArray(List<Integer> values) {
    int[] out = new int[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  private static float[] toFloatArray(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A decodable soft label the student must not learn from: wrong label set, bad shape. */
  static final class InvalidSoftLabelException extends RuntimeException {
    InvalidSoftLabelException(String message) {
      super(message);
    }
  }
}
