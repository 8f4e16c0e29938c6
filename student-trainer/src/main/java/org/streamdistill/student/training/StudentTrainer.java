package org.streamdistill.student.training;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
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
import org.streamdistill.schemas.wire.DeadLetterBudget;
import org.streamdistill.schemas.wire.DeadLetters;
import org.streamdistill.schemas.wire.UndecodableRecordException;
import org.streamdistill.student.checkpoint.ModelState;
import org.streamdistill.student.export.ExportMetadata;
import org.streamdistill.student.export.OnnxExporter;
import org.streamdistill.student.loss.DistillationLoss;
import org.streamdistill.student.model.TeacherEmbeddings;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;
import org.streamdistill.student.optim.Adam;

/**
 * The online student: consumes soft labels, predicts every turn with the challenger (the
 * learning model) and the champion (the promoted, frozen one), publishes those predictions,
 * and only then learns from the turn, unless it is held out. Prequential: no turn is
 * predicted by a model that has seen it.
 *
 * <p><b>Batches depend on the stream alone.</b> Learnable turns fill a batch of {@code
 * trainer.batch-size} across polls; a full batch is one optimizer step, taken right after every
 * turn accepted so far has been predicted. Poll boundaries therefore change nothing. A batch
 * still short when the stream pauses ({@code trainer.batch.max-idle-ms}) or the trainer stops is
 * learned as it is, and that "cut" is recorded (see below) so that a replay cuts at the same turn.
 *
 * <p><b>Exactly once, across crashes.</b> Predictions, dead letters and checkpoint records go
 * through one transactional producer ({@code transactional.id} {@link
 * TrainerConfig#transactionalId()}); every {@code trainer.commit.every-ms} and at every checkpoint
 * the same transaction commits the consumed offsets with {@code sendOffsetsToTransaction}. Each
 * committed offset carries {@link CommittedProgress}: the checkpoint file to load, the offset its
 * weights have learned up to (the resume offset) and the cuts since. A checkpoint file (weights,
 * Adam state, samples seen, resume offsets; written atomically) is written before the transaction
 * that names it commits. On start, {@link RestorePlan} loads the checkpoint the committed
 * transaction names (a newer file is an orphan of a crash and is moved aside), seeks to its resume
 * offsets and replays: turns below the committed offset are learned again, in the same batches,
 * but not published again; after that the trainer is where the crashed one was, bit for bit (on
 * a single partition: with several, the interleaving of partitions, and so the batches, may
 * differ after a restart, though no turn is learned twice or published twice).
 *
 * <p>Promotion events switch the champion to the promoted version's weights.
 *
 * <p>Runs on the caller's thread ({@link #run()}) until {@link #stop()}; owns its consumers,
 * producer and model, released by {@link #close()}. Run one instance per model line: a second
 * one fences the first, which then stops.
 */
public final class StudentTrainer implements Runnable, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StudentTrainer.class);
  private static final TreeSet<Long> EMPTY_CUTS = new TreeSet<>();
  static final String STAGE = "student-trainer";

  /**
   * Counters for progress displays and tests. {@code predictionsAcknowledged} counts predictions
   * in committed transactions (what read_committed readers see); {@code turnsLearned} counts the
   * turns this process learned, including those it learned again while replaying after a restart.
   */
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
  private final DeadLetterBudget deadLetterBudget;

  private final AtomicBoolean running = new AtomicBoolean(true);
  /** Set once the producer is fenced: it must not be used again, not even to abort. */
  private volatile boolean fenced;
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
  private long lastCommitMillis = System.currentTimeMillis();
  private long lastRecordMillis = System.currentTimeMillis();

  /** Per partition, the next offset to read: where this process is in the stream. */
  private final Map<TopicPartition, Long> position = new HashMap<>();
  /** Per partition, the first turn that the last checkpoint's weights have not learned. */
  private final Map<TopicPartition, Long> resumeOffsets = new HashMap<>();
  /** Per partition, the committed offset found at start: turns below it were published already. */
  private final Map<TopicPartition, Long> publishedUntil = new HashMap<>();
  /**
   * Per partition, offsets of turns after which a partial batch was learned since the last
   * checkpoint (or, while replaying, must be learned): committed with every transaction.
   */
  private final Map<TopicPartition, TreeSet<Long>> cuts = new HashMap<>();
  /** Accepted turns not yet predicted; all are predicted before the next step. */
  private final List<Turn> unpredicted = new ArrayList<>();
  /** Learnable turns not yet learned, in stream order: the batch being filled. */
  private final List<Turn> batch = new ArrayList<>();
  private TopicPartition lastPartition;
  private long lastOffset = -1;
  private boolean inTransaction;
  private boolean uncommitted;
  private long predictionsInTransaction;
  private boolean checkpointForced;

  /**
   * A valid soft label and where it came from; {@code recordTime} is its record's Kafka timestamp
   * (when the turn entered the pipeline), which its prediction carries too: an event time that a
   * writer made up never becomes a Kafka timestamp, which the broker could refuse.
   */
  private record Turn(TopicPartition partition, long offset, byte[] key, SoftLabel label, int[] tokens,
                      long recordTime) {}

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
    this.deadLetterBudget = DeadLetterBudget.of(config.deadLetterMaxFraction());
    this.store = new CheckpointStore(config.checkpointDir(), config.modelName(), 5);

    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, STAGE);
    // Static membership: a restarted trainer takes its predecessor's place at once instead of
    // waiting for the dead member's session to time out.
    c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.transactionalId());
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
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, config.transactionTimeoutMillis());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, STAGE);
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Override
  public void run() {
    try {
      // Fences a predecessor with the same transactional.id and aborts its open transaction, so
      // that the committed offsets read next are final.
      producer.initTransactions();
      restore();
      consumer.subscribe(List.of(softLabels.name()), new SeekOnAssignment());
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
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> record : records) {
          accept(record);
        }
        advancePastControlRecords();
        predictAndPublish();
        long now = System.currentTimeMillis();
        if (!records.isEmpty()) {
          lastRecordMillis = now;
        } else if (!batch.isEmpty() && !replaying() && now - lastRecordMillis >= config.batchMaxIdleMillis()) {
          cutBatch();
        }
        if (dueForCheckpoint(now)) {
          checkpoint();
        } else if (now - lastCommitMillis >= config.commitEveryMillis()) {
          commit();
        }
      }
      // A stop ends the stream as far as this run knows: the batch in hand is learned (a cut, as
      // after a pause; not while replaying, where it would change turns already published).
      if (!batch.isEmpty() && !replaying()) {
        cutBatch();
      }
      if (samplesSeen > samplesAtLastCheckpoint) {
        checkpoint();
      } else {
        commit();
      }
    } catch (ProducerFencedException | InvalidProducerEpochException | FencedInstanceIdException e) {
      fenced = true;
      String message = "another student trainer took over model line " + config.modelName() + " (transactional.id "
          + config.transactionalId() + "): this one stops, and its uncommitted predictions are discarded; run one "
          + "trainer per model line";
      LOG.error(message);
      throw new IllegalStateException(message, e);
    } catch (WakeupException e) {
      abortTransaction();
      if (running.get()) {
        throw e;
      }
    } catch (RuntimeException e) {
      LOG.error("student trainer stopped: {}", e.getMessage(), e);
      abortTransaction();
      throw e;
    }
  }

  /**
   * Takes one soft label: decodes and checks it (dead-lettering it if it is unusable), queues it
   * for prediction and, unless held out, adds it to the batch; learns the batch when it is full
   * or when a replay reaches a recorded cut. Turns below {@link #publishedUntil} (a replay after a
   * restart) were predicted and dead-lettered before: they are only learned again.
   */
  private void accept(ConsumerRecord<byte[], byte[]> record) {
    consumed.incrementAndGet();
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    long offset = record.offset();
    position.put(tp, offset + 1);
    lastPartition = tp;
    lastOffset = offset;
    uncommitted = true;
    boolean published = offset < publishedUntil.getOrDefault(tp, 0L);
    SoftLabel label = null;
    try {
      label = softLabelCodec.decode(record.value());
      requireFullLogits(label);
      ensureModel(label);
      validate(label);
    } catch (UndecodableRecordException | InvalidSoftLabelException e) {
      label = null;
      deadLetterBudget.recordDead(record.topic(), e.getMessage());
      if (!published) {
        deadLetter(record, e);
      }
    }
    if (label != null) {
      deadLetterBudget.recordGood();
      remember(label);
      Turn turn = new Turn(tp, offset, record.key(), label, toIntArray(label.getTokenIds()),
          record.timestamp() >= 0 ? record.timestamp() : System.currentTimeMillis());
      if (!published) {
        unpredicted.add(turn);
      }
      if (!label.getHeldOut()) {
        batch.add(turn);
      }
    }
    if (batch.size() >= config.batchSize()
        || (!batch.isEmpty() && cuts.getOrDefault(tp, EMPTY_CUTS).contains(offset))) {
      learnBatch();
    }
  }

  /**
   * Moves {@link #position} to the consumer's own position, which is past the transaction
   * markers that follow the last record (the teacher writes transactionally): committing the
   * offset after the last record would leave a lag of one marker in every lag monitor.
   * Every record the poll returned has been accepted, so nothing is skipped.
   */
  private void advancePastControlRecords() {
    for (TopicPartition tp : consumer.assignment()) {
      long next = consumer.position(tp);
      Long known = position.get(tp);
      if (known == null || next > known) {
        position.put(tp, next);
        uncommitted = true;
      }
    }
  }

  /** Whether this process is still learning again turns that were published before a restart. */
  private boolean replaying() {
    for (var entry : publishedUntil.entrySet()) {
      if (position.getOrDefault(entry.getKey(), 0L) < entry.getValue()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Learns the batch in hand although it is short, and records the cut (after the last turn
   * accepted) so that a replay of this stretch learns the same batch.
   */
  private void cutBatch() {
    TreeSet<Long> partitionCuts = cuts.computeIfAbsent(lastPartition, tp -> new TreeSet<>());
    partitionCuts.add(lastOffset);
    learnBatch();
    uncommitted = true;
    // Cuts travel as offset-commit metadata until the next checkpoint; keep them few.
    checkpointForced |= partitionCuts.size() >= CommittedProgress.MAX_CUTS;
  }

  /** Predicts every turn accepted so far, then takes one optimizer step on the batch. */
  private void learnBatch() {
    predictAndPublish();
    if (batch.isEmpty()) {
      return;
    }
    List<int[]> trainTokens = new ArrayList<>(batch.size());
    List<float[]> trainLogits = new ArrayList<>(batch.size());
    List<Integer> trainGold = new ArrayList<>(batch.size());
    float[] temperatures = new float[batch.size()];
    boolean oneTemperature = true;
    for (int i = 0; i < batch.size(); i++) {
      SoftLabel label = batch.get(i).label();
      trainTokens.add(batch.get(i).tokens());
      trainLogits.add(toFloatArray(label.getLogits()));
      trainGold.add(label.getGoldIndex());
      temperatures[i] = label.getTemperature();
      oneTemperature &= temperatures[i] == temperatures[0];
    }
    if (oneTemperature) {
      challenger.trainBatch(trainTokens, trainLogits, temperatures[0], trainGold, loss, optimizer);
    } else {
      challenger.trainBatch(trainTokens, trainLogits, temperatures, trainGold, loss, optimizer);
    }
    samplesSeen += batch.size();
    learned.addAndGet(batch.size());
    batch.clear();
  }

  /** Predicts the queued turns with every live model and sends the predictions (in the transaction). */
  private void predictAndPublish() {
    if (unpredicted.isEmpty()) {
      return;
    }
    List<int[]> tokens = new ArrayList<>(unpredicted.size());
    for (Turn turn : unpredicted) {
      tokens.add(turn.tokens());
    }
    String challengerVersion = challengerVersion();
    float[][] challengerLogits = challenger.logitsBatch(tokens);
    float[][] championLogits = champion == null ? null : champion.logitsBatch(tokens);
    float[][] previousLogits = previous == null ? null : previous.logitsBatch(tokens);
    long now = System.currentTimeMillis();
    for (int i = 0; i < unpredicted.size(); i++) {
      SoftLabel label = unpredicted.get(i).label();
      List<ModelPrediction> answers = new ArrayList<>(3);
      answers.add(prediction(challengerVersion, "challenger", challengerLogits[i], label));
      if (championLogits != null) {
        answers.add(prediction(championVersion, "champion", championLogits[i], label));
      }
      if (previousLogits != null) {
        answers.add(prediction(previousVersion, "previous", previousLogits[i], label));
      }
      StudentPrediction prediction = StudentPrediction.newBuilder()
          .setTurnId(label.getTurnId())
          .setConversationId(label.getConversationId())
          .setEventTime(label.getEventTime())
          .setPredictedAt(Instant.ofEpochMilli(now))
          .setHeldOut(label.getHeldOut())
          .setLearned(!label.getHeldOut())
          .setTeacherVersion(label.getTeacherVersion())
          .setTeacherIndex(label.getTeacherIndex())
          .setTeacherLabel(label.getTeacherLabel())
          .setGoldIndex(label.getGoldIndex())
          .setGoldLabel(label.getGoldLabel())
          .setPredictions(answers)
          .build();
      send(new ProducerRecord<>(predictions.name(), null, unpredicted.get(i).recordTime(),
          unpredicted.get(i).key(), predictionCodec.encode(prediction)));
      predictionsInTransaction++;
    }
    unpredicted.clear();
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
    if (config.embeddingsFromTeacher()) {
      TeacherEmbeddings.initialiseFromTeacher(challenger);
    }
    optimizer = new Adam(Adam.Settings.defaults().withLearningRate(config.learningRate()))
        .useSchedule(config.learningRateSchedule());
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
    if (label.getTeacherIndex() < 0 || label.getTeacherIndex() >= classes) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " has teacher index "
          + label.getTeacherIndex() + " outside [0, " + classes + ")");
    }
    if (label.getEventTime() == null || label.getEventTime().toEpochMilli() < 0) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " has event time "
          + label.getEventTime() + ", before 1970");
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

  private boolean dueForCheckpoint(long now) {
    long fresh = samplesSeen - samplesAtLastCheckpoint;
    return (fresh > 0 && checkpointForced) || fresh >= config.checkpointEverySamples()
        || (fresh > 0 && now - lastCheckpointMillis >= config.checkpointEveryMillis());
  }

  /**
   * Saves the challenger as a new version: writes its file (weights, optimizer state, samples
   * seen, resume offsets), then publishes its metadata and commits, in one transaction, every
   * prediction so far and offsets that name the new file. A crash between the two leaves a file
   * that no commit names: {@link RestorePlan} sets it aside on restart.
   */
  private void checkpoint() {
    predictAndPublish();
    long sequence = checkpointCount.get() + 1;
    String version = versionName(sequence);
    String parent = sequence == 1 ? null : versionName(sequence - 1);
    Map<TopicPartition, Long> resume = resumePositions();
    Map<String, Long> offsets = new TreeMap<>();
    resume.forEach((tp, offset) -> offsets.put(tp.toString(), offset));
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
    send(new ProducerRecord<>(checkpointsTopic.name(), utf8(config.modelName()), checkpointCodec.encode(metadata)));
    checkpointCount.set(sequence);
    resumeOffsets.putAll(resume);
    // Cuts before the resume offset are in the new weights; later ones (a replay still ahead) stay.
    cuts.forEach((tp, partitionCuts) -> partitionCuts.headSet(resume.getOrDefault(tp, 0L)).clear());
    checkpointForced = false;
    samplesAtLastCheckpoint = samplesSeen;
    lastCheckpointMillis = System.currentTimeMillis();
    commit();
    LOG.info("checkpoint {}: {} samples seen, resume offsets {}", version, samplesSeen, offsets);
  }

  /** Per partition, the first turn not learned yet: the first in the batch, else the next to read. */
  private Map<TopicPartition, Long> resumePositions() {
    Map<TopicPartition, Long> resume = new HashMap<>(position);
    for (Turn turn : batch) {
      resume.merge(turn.partition(), turn.offset(), Math::min);
    }
    return resume;
  }

  /**
   * Commits the open transaction with the consumed offsets, each carrying the {@link
   * CommittedProgress} a restart needs. Never moves a committed offset back: while replaying,
   * the offset stays where the crashed run had published up to.
   */
  private void commit() {
    if (!inTransaction && !uncommitted) {
      return;
    }
    failOnSendError();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    position.forEach((tp, next) -> {
      long published = Math.max(next, publishedUntil.getOrDefault(tp, 0L));
      List<Long> partitionCuts = List.copyOf(cuts.getOrDefault(tp, EMPTY_CUTS));
      CommittedProgress progress = new CommittedProgress(checkpointCount.get(), resumeOffsets.getOrDefault(tp, next),
          partitionCuts);
      offsets.put(tp, new OffsetAndMetadata(published, progress.encode()));
    });
    beginTransaction();
    if (!offsets.isEmpty()) {
      producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
    }
    producer.commitTransaction();
    inTransaction = false;
    uncommitted = false;
    acknowledged.addAndGet(predictionsInTransaction);
    predictionsInTransaction = 0;
    lastCommitMillis = System.currentTimeMillis();
  }

  private void beginTransaction() {
    if (!inTransaction) {
      producer.beginTransaction();
      inTransaction = true;
    }
  }

  /** Best effort after an error: lets read_committed readers move on without waiting for the timeout. */
  private void abortTransaction() {
    if (!inTransaction || fenced) {
      return;
    }
    inTransaction = false;
    try {
      producer.abortTransaction();
    } catch (KafkaException e) {
      LOG.warn("could not abort the open transaction ({}); it will time out or be aborted by the next start",
          e.getMessage());
    }
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

  /**
   * Decides, from the group's committed offsets and the files on disk, which checkpoint to load
   * and where to replay from ({@link RestorePlan}); sets aside files no commit names.
   */
  private void restore() {
    List<TopicPartition> partitions = consumer.partitionsFor(softLabels.name(), Duration.ofSeconds(30)).stream()
        .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    if (partitions.isEmpty()) {
      throw new IllegalStateException("topic " + softLabels.name() + " does not exist: provision the pipeline's "
          + "topics first (bin/streamdistill provision)");
    }
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    consumer.committed(new HashSet<>(partitions), Duration.ofSeconds(30)).forEach((tp, offset) -> {
      if (offset != null) {
        committed.put(tp, offset);
      }
    });
    Map<Long, CheckpointStore.Loaded> read = new HashMap<>();
    RestorePlan plan = RestorePlan.choose(config.groupId(), new RestorePlan.CheckpointFiles() {
      @Override
      public List<Long> sequences() {
        return store.sequences();
      }

      @Override
      public Map<String, Long> offsets(long sequence) {
        return read.computeIfAbsent(sequence, s -> store.load(s.longValue())).offsets();
      }

      @Override
      public String describe(long sequence) {
        return store.describe(sequence);
      }
    }, committed);
    for (long orphan : plan.orphans()) {
      LOG.warn("checkpoint {} was written but no committed transaction names it (the trainer stopped before "
          + "committing): moved to {}", store.version(orphan), store.moveAside(orphan));
    }
    plan.checkpointToLoad().ifPresent(sequence -> apply(read.computeIfAbsent(sequence, s -> store.load(s.longValue()))));
    position.putAll(plan.resumeOffsets());
    resumeOffsets.putAll(plan.resumeOffsets());
    publishedUntil.putAll(plan.publishedUntil());
    plan.cuts().forEach((tp, partitionCuts) -> cuts.put(tp, new TreeSet<>(partitionCuts)));
    if (committed.isEmpty()) {
      LOG.info("no committed progress in group {}: starting from the beginning of {}", config.groupId(),
          softLabels.name());
    } else {
      LOG.info("resuming from {} ({} samples seen): replaying from offsets {}, publishing from offsets {}, cuts {}",
          plan.checkpoint() == 0 ? "the initial weights" : store.version(plan.checkpoint()), samplesSeen,
          new TreeMap<>(byName(plan.resumeOffsets())), new TreeMap<>(byName(plan.publishedUntil())),
          new TreeMap<>(byName(plan.cuts())));
    }
  }

  private void apply(CheckpointStore.Loaded loaded) {
    challenger = loaded.model();
    optimizer = loaded.optimizer(Adam.Settings.defaults().withLearningRate(config.learningRate()))
        .useSchedule(config.learningRateSchedule());
    labelSetId = loaded.labelSetId();
    labelNames = loaded.labelNames();
    samplesSeen = loaded.samplesSeen();
    samplesAtLastCheckpoint = samplesSeen;
    checkpointCount.set(loaded.sequence());
  }

  private static <V> Map<String, V> byName(Map<TopicPartition, V> byPartition) {
    Map<String, V> named = new HashMap<>();
    byPartition.forEach((tp, v) -> named.put(tp.toString(), v));
    return named;
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
      String invalid = store.checkVersionName(event.getToVersion());
      if (invalid != null) {
        deadLetter(record, new InvalidPromotionException(event.getDecision() + " names " + invalid));
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
      Optional<CheckpointStore.Loaded> loaded;
      try {
        loaded = store.load(version);
      } catch (RuntimeException e) {
        // A damaged file must not stop learning: the champion stays as it is, and the operator is told.
        LOG.error("{} of {} ignored: its checkpoint cannot be read ({}); the champion stays {}", decision, version,
            e.getMessage(), championVersion);
        return;
      }
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
        error));
  }

  /** Sends within the current transaction (begun if needed); a failure surfaces at the next commit. */
  private void send(ProducerRecord<byte[], byte[]> record) {
    beginTransaction();
    producer.send(record, (metadata, exception) -> {
      if (exception != null) {
        sendFailure.compareAndSet(null, exception);
      }
    });
  }

  private void failOnSendError() {
    Exception failure = sendFailure.get();
    if (failure instanceof ProducerFencedException | failure instanceof InvalidProducerEpochException) {
      throw (KafkaException) failure; // handled as fencing by run()
    }
    if (failure != null) {
      throw new IllegalStateException("student trainer cannot write to Kafka: " + failure.getMessage(), failure);
    }
  }

  /** Asks {@link #run()} to learn the batch in hand, checkpoint and return; safe from any thread. */
  public void stop() {
    running.set(false);
  }

  public Stats stats() {
    return new Stats(consumed.get(), acknowledged.get(), learned.get(), deadLettered.get(), checkpointCount.get(),
        challengerVersion(), championVersion);
  }

  /** Closes the clients; a transaction still open (run() did not return) is left to the next start to abort. */
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

  /**
   * Seeks each assigned partition to where this process is in it: at the first assignment, the
   * restored resume offset; after a rebalance, the next turn not yet read (the committed offset
   * may be behind it, and going back would predict and learn turns twice). A partition never
   * seen starts where the consumer's reset policy puts it, which is also its resume offset.
   */
  private final class SeekOnAssignment implements org.apache.kafka.clients.consumer.ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty() && running.get()) {
        LOG.warn("partitions {} revoked from this trainer: is a second trainer running in group {}? Run one per "
            + "model line", partitions, config.groupId());
      }
    }

    @Override
    public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        Long next = position.get(tp);
        if (next != null) {
          consumer.seek(tp, next);
        } else {
          long start = consumer.position(tp);
          position.put(tp, start);
          resumeOffsets.putIfAbsent(tp, start);
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

  /** A decodable promotion event that names no version this trainer could ever hold. */
  static final class InvalidPromotionException extends RuntimeException {
    InvalidPromotionException(String message) {
      super(message);
    }
  }

  /** A decodable soft label the student must not learn from: wrong label set, bad shape. */
  static final class InvalidSoftLabelException extends RuntimeException {
    InvalidSoftLabelException(String message) {
      super(message);
    }
  }
}
