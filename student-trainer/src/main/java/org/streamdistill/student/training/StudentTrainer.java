package org.streamdistill.student.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
import org.streamdistill.student.export.ExportMetadata;
import org.streamdistill.student.export.OnnxExporter;
import org.streamdistill.student.model.TextCnn;

/**
 * The online student: consumes soft labels, predicts every turn with the challenger (the
 * learning model), the champion (the promoted, frozen one) and the champion it replaced,
 * publishes those predictions, and only then learns from the turn, unless it is held out.
 * Prequential: no turn is predicted by a model that has seen it. This class wires the loop; the
 * rules live in {@link PrequentialBatcher} (batches and cuts), {@link PartitionProgress}
 * (offsets), {@link ChallengerModel}, {@link ChampionLine}, {@link PredictionWriter}, {@link
 * TrainerTransaction}, {@link PromotionFeed} and {@link RebalanceHandler}.
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
 * <p><b>Rebalances are handled as a crash would be, without the crash.</b> One model learns
 * from every partition, so the state of one partition cannot be given up alone: the weights
 * hold its turns. When partitions are revoked (the group generation is still valid), the open
 * transaction commits every prediction made so far with the offsets that cover them; if that
 * is impossible, or when partitions are lost (the generation is gone and offsets can no longer
 * be committed), the transaction is aborted; the same commit happens when a partition given up
 * earlier comes back with committed progress. Either way the trainer then drops everything it
 * holds in memory, the pending turns and batch entries of the revoked or lost partitions
 * included, without learning them, and at the next assignment restores from the committed
 * state exactly as after a restart: the checkpoint it names, a replay that learns again what
 * was published and publishes it not again. So no prediction is published twice or lost, no
 * turn is learned twice into the weights, and the weights are those of an uninterrupted run.
 *
 * <p><b>The champion survives restarts.</b> At start the champion and its standby are recovered
 * from {@code model.promotions} (compacted: maybe only its latest event, a HOLD naming the
 * champion in {@code from_version}) and loaded from their checkpoint files once; a version whose
 * file is gone or unreadable is logged and skipped, never fatal ({@link ChampionLine}). Promotion
 * events that arrive later switch the champion as they come.
 *
 * <p>Runs on the caller's thread ({@link #run()}) until {@link #stop()}; owns the consumers and
 * producer it was given, released by {@link #close()}. Run one instance per model line: a second
 * one fences the first, which then stops.
 */
public final class StudentTrainer implements Runnable, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StudentTrainer.class);
  static final String STAGE = "student-trainer";
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);
  private static final int KEPT_CHECKPOINTS = 5;

  /**
   * Counters for progress displays and tests. {@code predictionsAcknowledged} counts predictions
   * in committed transactions (what read_committed readers see); {@code turnsLearned} counts the
   * turns this process learned, including those it learned again while replaying after a restart.
   */
  public record Stats(long softLabelsConsumed, long predictionsAcknowledged, long turnsLearned, long deadLettered,
                      long checkpoints, String challengerVersion, String championVersion) {}

  /**
   * A valid soft label and where it came from; {@code recordTime} is its record's Kafka timestamp
   * (when the turn entered the pipeline), which its prediction carries too: an event time that a
   * writer made up never becomes a Kafka timestamp, which the broker could refuse.
   */
  private record Turn(TopicPartition partition, long offset, byte[] key, SoftLabel label, long recordTime) {}

  private final TrainerConfig config;
  private final CheckpointCadence cadence;
  private final Topic<SoftLabel> softLabels;
  private final Topic<StudentPrediction> predictions;
  private final Topic<StudentCheckpoint> checkpointsTopic;
  private final AvroWireCodec<SoftLabel> softLabelCodec;
  private final AvroWireCodec<StudentPrediction> predictionCodec;
  private final AvroWireCodec<StudentCheckpoint> checkpointCodec;
  private final Consumer<byte[], byte[]> consumer;
  private final PromotionFeed promotions;
  private final TrainerTransaction transaction;
  private final CheckpointStore store;
  private final DeadLetterBudget deadLetterBudget;
  private final ChallengerModel challenger;
  private final ChampionLine champions;
  private final PredictionWriter writer = new PredictionWriter();
  private final PrequentialBatcher<TopicPartition, Turn> batcher;
  private final PartitionProgress<TopicPartition> progress = new PartitionProgress<>();
  private final ConsumerRebalanceListener rebalanceListener;
  private final LongSupplier clock;

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong consumed = new AtomicLong();
  private final AtomicLong learned = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong checkpointCount = new AtomicLong();
  private volatile String championVersion;
  private final PrometheusRegistry metricsRegistry = new PrometheusRegistry();
  private final TrainerMetrics metrics;

  private long samplesAtLastCheckpoint;
  private long lastCheckpointMillis;
  private long lastCommitMillis;
  private long lastRecordMillis;
  private boolean uncommitted;
  private boolean checkpointForced;
  /** Set while {@link #run()} is on the stack: only then may the rebalance callbacks use the clients. */
  private boolean active;
  /**
   * Set when partitions were revoked or lost: the in-memory state was dropped, and the next
   * assignment restores from the committed state. Until then nothing is read, learned or committed.
   */
  private boolean restoreNeeded;

  /**
   * A trainer on the production Kafka clients ({@link TrainerClients}), which it owns.
   *
   * @param registry schema registry of the records' writer schemas
   */
  public static StudentTrainer create(TrainerConfig config, SchemaRegistryClient registry) {
    Consumer<byte[], byte[]> softLabelConsumer = null;
    Consumer<byte[], byte[]> promotionConsumer = null;
    try {
      softLabelConsumer = TrainerClients.softLabelConsumer(config);
      promotionConsumer = TrainerClients.promotionConsumer(config);
      return new StudentTrainer(config, registry, softLabelConsumer, promotionConsumer,
          TrainerClients.producer(config));
    } catch (RuntimeException e) {
      if (softLabelConsumer != null) {
        softLabelConsumer.close(Duration.ZERO);
      }
      if (promotionConsumer != null) {
        promotionConsumer.close(Duration.ZERO);
      }
      throw e;
    }
  }

  /**
   * A trainer on the given clients, which it owns from now on (closed by {@link #close()}).
   *
   * @param softLabelConsumer consumer of the soft labels in the trainer's group: read_committed,
   *     no auto-commit (offsets commit through {@code producer}'s transactions)
   * @param promotionConsumer consumer of {@code model.promotions}, without a group
   * @param producer producer with the model line's {@code transactional.id}
   */
  public StudentTrainer(TrainerConfig config, SchemaRegistryClient registry, Consumer<byte[], byte[]> softLabelConsumer,
                        Consumer<byte[], byte[]> promotionConsumer, Producer<byte[], byte[]> producer) {
    this(config, registry, softLabelConsumer, promotionConsumer, producer, System::currentTimeMillis);
  }

  /** @param clock milliseconds since the epoch; tests pass a manual one */
  StudentTrainer(TrainerConfig config, SchemaRegistryClient registry, Consumer<byte[], byte[]> softLabelConsumer,
                 Consumer<byte[], byte[]> promotionConsumer, Producer<byte[], byte[]> producer, LongSupplier clock) {
    this.config = config;
    this.cadence = config.checkpointCadence();
    this.clock = clock;
    this.softLabels = Topics.SOFT_LABELS.inNamespace(config.namespace());
    this.predictions = Topics.PREDICTIONS.inNamespace(config.namespace());
    this.checkpointsTopic = Topics.CHECKPOINTS.inNamespace(config.namespace());
    Topic<PromotionEvent> promotionTopic = Topics.PROMOTIONS.inNamespace(config.namespace());
    this.softLabelCodec = new AvroWireCodec<>(registry, softLabels.valueSubject(), SoftLabel.class);
    this.predictionCodec = new AvroWireCodec<>(registry, predictions.valueSubject(), StudentPrediction.class);
    this.checkpointCodec = new AvroWireCodec<>(registry, checkpointsTopic.valueSubject(), StudentCheckpoint.class);
    this.consumer = softLabelConsumer;
    this.promotions = new PromotionFeed(promotionConsumer, promotionTopic,
        new AvroWireCodec<>(registry, promotionTopic.valueSubject(), PromotionEvent.class));
    this.transaction = new TrainerTransaction(producer);
    this.deadLetterBudget = DeadLetterBudget.of(config.deadLetterMaxFraction());
    this.store = new CheckpointStore(config.checkpointDir(), config.modelName(), KEPT_CHECKPOINTS);
    this.challenger = new ChallengerModel(config);
    this.batcher = new PrequentialBatcher<>(config.batchSize(), CommittedProgress.MAX_CUTS);
    this.champions = new ChampionLine(config.modelName(),
        version -> store.load(version).map(CheckpointStore.Loaded::model), new LiveChallenger());
    this.rebalanceListener = new RebalanceHandler(consumer, new RebalanceTarget(), config.groupId());
    this.metrics = new TrainerMetrics(metricsRegistry, clock, this::challengerVersion, () -> championVersion);
    long now = clock.getAsLong();
    this.lastCheckpointMillis = now;
    this.lastCommitMillis = now;
    this.lastRecordMillis = now;
  }

  @Override
  public void run() {
    active = true;
    try {
      // Fences a predecessor with the same transactional.id and aborts its open transaction, so
      // that the committed offsets read next are final.
      transaction.init();
      restore();
      champions.recover(promotions.readHistory(METADATA_TIMEOUT));
      championVersion = champions.championVersion();
      consumer.subscribe(List.of(softLabels.name()), rebalanceListener);
      while (running.get()) {
        step();
      }
      finish();
    } catch (RuntimeException e) {
      if (!TrainerTransaction.isFencing(e) && TrainerTransaction.isEpochError(e)
          && transaction.abortAfterEpochError()) {
        // No cause attached: the epoch error in it would read as fencing to the supervisor.
        String message = "the open transaction outlived trainer.transaction.timeout-ms ("
            + config.transactionTimeoutMillis() + " ms) and the broker aborted it (" + e.getMessage()
            + "): nothing of it was published; starting again from the last commit";
        LOG.warn(message);
        throw new IllegalStateException(message);
      }
      if (TrainerTransaction.isFencing(e) || TrainerTransaction.isEpochError(e)) {
        transaction.markFenced();
        String message = "another student trainer took over model line " + config.modelName() + " (transactional.id "
            + config.transactionalId() + "): this one stops, and its uncommitted predictions are discarded; run one "
            + "trainer per model line";
        LOG.error(message);
        throw new IllegalStateException(message, e);
      }
      if (e instanceof WakeupException) {
        transaction.abort();
        if (running.get()) {
          throw e;
        }
        return;
      }
      LOG.error("student trainer stopped: {}", e.getMessage(), e);
      transaction.abort();
      throw e;
    } finally {
      active = false;
    }
  }

  /** One turn of the loop: promotions, one poll of soft labels, then a cut, checkpoint or commit when due. */
  private void step() {
    transaction.failOnSendError();
    followPromotions(Duration.ZERO);
    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
    if (restoreNeeded) {
      // Partitions were revoked or lost and none assigned since: the records are read again
      // after the restore, which seeks every partition.
      return;
    }
    for (ConsumerRecord<byte[], byte[]> record : records) {
      accept(record);
    }
    advancePastControlRecords();
    predictAndPublish();
    champions.retryDeferred();
    long now = clock.getAsLong();
    if (!records.isEmpty()) {
      lastRecordMillis = now;
    } else if (batcher.hasBatch() && !progress.replaying() && now - lastRecordMillis >= config.batchMaxIdleMillis()) {
      cutBatch();
    }
    if (dueForCheckpoint(now)) {
      checkpoint();
    } else if (now - lastCommitMillis >= config.commitEveryMillis()) {
      commit();
    }
  }

  /**
   * A stop ends the stream as far as this run knows: the batch in hand is learned (a cut, as
   * after a pause; not while replaying, where it would change turns already published).
   */
  private void finish() {
    if (restoreNeeded) {
      // Everything held was committed or aborted when the partitions went; only promotion dead
      // letters sent since may be in an open transaction, which commits without offsets.
      commit();
      return;
    }
    if (batcher.hasBatch() && !progress.replaying()) {
      cutBatch();
    }
    if (challenger.samplesSeen() > samplesAtLastCheckpoint) {
      checkpoint();
    } else {
      commit();
    }
  }

  /**
   * Takes one soft label: decodes and checks it (dead-lettering it if it is unusable), queues it
   * for prediction and, unless held out, for the batch; learns the batch when it is full or when
   * a replay reaches a recorded cut. Turns below the committed offset (a replay after a restart)
   * were predicted and dead-lettered before: they are only learned again.
   */
  private void accept(ConsumerRecord<byte[], byte[]> record) {
    consumed.incrementAndGet();
    metrics.stage().consumed(record.topic());
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    long offset = record.offset();
    progress.read(tp, offset);
    uncommitted = true;
    boolean published = progress.published(tp, offset);
    SoftLabel label;
    try {
      label = softLabelCodec.decode(record.value());
      challenger.admit(label);
    } catch (UndecodableRecordException | InvalidSoftLabelException e) {
      label = null;
      deadLetterBudget.recordDead(record.topic(), e.getMessage());
      if (!published) {
        deadLetter(record, e);
      }
    }
    boolean stepNow;
    if (label != null) {
      deadLetterBudget.recordGood();
      Turn turn = new Turn(tp, offset, record.key(), label,
          record.timestamp() >= 0 ? record.timestamp() : clock.getAsLong());
      stepNow = batcher.accept(tp, offset, turn, !published, !label.getHeldOut());
    } else {
      stepNow = batcher.skip(tp, offset);
    }
    if (stepNow) {
      learnBatch();
    }
  }

  /**
   * Moves each partition's next offset to the consumer's own position, which is past the
   * transaction markers that follow the last record (the teacher writes transactionally):
   * committing the offset after the last record would leave a lag of one marker in every lag
   * monitor. Every record the poll returned has been accepted, so nothing is skipped.
   */
  private void advancePastControlRecords() {
    for (TopicPartition tp : consumer.assignment()) {
      if (progress.advanceTo(tp, consumer.position(tp))) {
        uncommitted = true;
      }
    }
  }

  /**
   * Learns the batch in hand although it is short, and records the cut (after the last turn
   * accepted) so that a replay of this stretch learns the same batch.
   */
  private void cutBatch() {
    // Cuts travel as offset-commit metadata until the next checkpoint; keep them few.
    checkpointForced |= batcher.cut();
    learnBatch();
    uncommitted = true;
  }

  /** Predicts every turn accepted so far, then takes one optimizer step on the batch. */
  private void learnBatch() {
    predictAndPublish();
    if (!batcher.hasBatch()) {
      return;
    }
    List<SoftLabel> batch = batcher.takeBatch().stream().map(Turn::label).toList();
    double loss = challenger.learn(batch);
    learned.addAndGet(batch.size());
    metrics.step(batch.size(), (int) batch.stream().filter(label -> !label.getTeacherScored()).count(), loss);
  }

  /** Predicts the queued turns with every live model and sends the predictions (in the transaction). */
  private void predictAndPublish() {
    if (!batcher.hasUnpredicted()) {
      return;
    }
    List<Turn> turns = batcher.takeUnpredicted();
    List<PredictionWriter.Predictor> models = new ArrayList<>(3);
    models.add(new PredictionWriter.Predictor(challengerVersion(), "challenger", challenger.model()));
    models.addAll(champions.predictors());
    List<StudentPrediction> out = writer.predict(turns.stream().map(Turn::label).toList(), models,
        challenger.labelNames(), Instant.ofEpochMilli(clock.getAsLong()));
    for (int i = 0; i < turns.size(); i++) {
      transaction.sendPrediction(new ProducerRecord<>(predictions.name(), null, turns.get(i).recordTime(),
          turns.get(i).key(), predictionCodec.encode(out.get(i))));
    }
    metrics.stage().produced(predictions.name(), turns.size());
  }

  private String challengerVersion() {
    return versionName(checkpointCount.get() + 1);
  }

  private String versionName(long n) {
    return config.modelName() + "-v" + n;
  }

  private boolean dueForCheckpoint(long now) {
    return cadence.due(challenger.samplesSeen(), samplesAtLastCheckpoint, now - lastCheckpointMillis,
        checkpointForced);
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
    Map<TopicPartition, Long> resume = batcher.resumePositions(progress.positions());
    Map<String, Long> offsets = new TreeMap<>();
    resume.forEach((tp, offset) -> offsets.put(tp.toString(), offset));
    Path path = store.save(new CheckpointStore.Saved(version, parent, challenger.samplesSeen(), offsets,
        challenger.labelSetId(), challenger.labelNames(), challenger.model(), challenger.optimizer(),
        challenger.sections()),
        champions.keptVersions());
    StudentCheckpoint metadata = StudentCheckpoint.newBuilder()
        .setModelName(config.modelName())
        .setModelVersion(version)
        .setParentVersion(parent)
        .setSamplesSeen(challenger.samplesSeen())
        .setOffsets(offsets)
        .setWeightsUri(path.toUri().toString())
        .setOnnxUri(config.checkpointOnnx() ? exportOnnx(path, version) : null)
        .setLabelSetId(challenger.labelSetId())
        .setCreatedAt(Instant.ofEpochMilli(clock.getAsLong()))
        .build();
    transaction.send(new ProducerRecord<>(checkpointsTopic.name(), config.modelName().getBytes(StandardCharsets.UTF_8),
        checkpointCodec.encode(metadata)));
    checkpointCount.set(sequence);
    metrics.stage().produced(checkpointsTopic.name());
    metrics.checkpointed(clock.getAsLong());
    progress.checkpointed(resume);
    // Cuts before the resume offset are in the new weights; later ones (a replay still ahead) stay.
    batcher.dropCutsBefore(resume);
    checkpointForced = false;
    samplesAtLastCheckpoint = challenger.samplesSeen();
    lastCheckpointMillis = clock.getAsLong();
    commit();
    LOG.info("checkpoint {}: {} samples seen, resume offsets {}", version, challenger.samplesSeen(), offsets);
  }

  /**
   * Commits the open transaction with the consumed offsets, each carrying the {@link
   * CommittedProgress} a restart needs. Never moves a committed offset back: while replaying,
   * the offset stays where the crashed run had published up to. Only partitions assigned to
   * this member are committed: another member may have moved the others on.
   */
  private void commit() {
    if (!transaction.open() && !uncommitted) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    Set<TopicPartition> assigned = consumer.assignment();
    progress.toCommit(checkpointCount.get(), batcher::cuts).forEach((tp, commit) -> {
      if (assigned.contains(tp)) {
        offsets.put(tp, new OffsetAndMetadata(commit.offset(), commit.progress().encode()));
      }
    });
    transaction.commit(offsets, consumer.groupMetadata());
    uncommitted = false;
    lastCommitMillis = clock.getAsLong();
  }

  /** Writes {@code <version>.onnx} beside the checkpoint; returns its URI. */
  private String exportOnnx(Path checkpointFile, String version) {
    try {
      return OnnxExporter.exportBeside(checkpointFile, challenger.model(),
          ExportMetadata.of(config.modelName(), version, challenger.labelSetId(), challenger.labelNames()))
          .toUri().toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export " + version + " to ONNX: " + e.getMessage(), e);
    }
  }

  /**
   * Decides, from the group's committed offsets and the files on disk, which checkpoint to load
   * and where to replay from ({@link RestorePlan}); sets aside files no commit names. Everything
   * held in memory is replaced: at start, and again after partitions were revoked or lost.
   */
  private void restore() {
    List<TopicPartition> partitions = consumer.partitionsFor(softLabels.name(), METADATA_TIMEOUT).stream()
        .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    if (partitions.isEmpty()) {
      throw new IllegalStateException("topic " + softLabels.name() + " does not exist: provision the pipeline's "
          + "topics first (bin/streamdistill provision)");
    }
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    consumer.committed(new HashSet<>(partitions), METADATA_TIMEOUT).forEach((tp, offset) -> {
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
    Optional<Long> toLoad = plan.checkpointToLoad();
    if (toLoad.isPresent()) {
      CheckpointStore.Loaded loaded = read.computeIfAbsent(toLoad.get(), s -> store.load(s.longValue()));
      challenger.restore(loaded);
      checkpointCount.set(loaded.sequence());
    } else {
      challenger.reset();
      checkpointCount.set(0);
    }
    samplesAtLastCheckpoint = challenger.samplesSeen();
    progress.restore(plan.resumeOffsets(), plan.publishedUntil());
    batcher.clear();
    batcher.restoreCuts(plan.cuts());
    uncommitted = false;
    checkpointForced = false;
    if (committed.isEmpty()) {
      LOG.info("no committed progress in group {}: starting from the beginning of {}", config.groupId(),
          softLabels.name());
    } else {
      LOG.info("resuming from {} ({} samples seen): replaying from offsets {}, publishing from offsets {}, cuts {}",
          plan.checkpoint() == 0 ? "the initial weights" : store.version(plan.checkpoint()), challenger.samplesSeen(),
          new TreeMap<>(byName(plan.resumeOffsets())), new TreeMap<>(byName(plan.publishedUntil())),
          new TreeMap<>(byName(plan.cuts())));
    }
  }

  private static <V> Map<String, V> byName(Map<TopicPartition, V> byPartition) {
    Map<String, V> named = new HashMap<>();
    byPartition.forEach((tp, v) -> named.put(tp.toString(), v));
    return named;
  }

  /** Applies every new promotion event; dead-letters those that cannot be applied. */
  private void followPromotions(Duration timeout) {
    for (PromotionFeed.Received received : promotions.poll(timeout)) {
      if (received.error() != null) {
        deadLetter(received.record(), received.error());
        continue;
      }
      PromotionEvent event = received.event();
      if (event.getModelName().equals(config.modelName()) && !"HOLD".equals(event.getDecision())) {
        String invalid = store.checkVersionName(event.getToVersion());
        if (invalid != null) {
          deadLetter(received.record(), new InvalidPromotionException(event.getDecision() + " names " + invalid));
          continue;
        }
      }
      champions.apply(event);
    }
    championVersion = champions.championVersion();
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> record, Exception error) {
    deadLettered.incrementAndGet();
    metrics.stage().deadLetter(record.topic(), error);
    LOG.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), error.getMessage());
    transaction.send(DeadLetters.record(STAGE, record.topic(), record.partition(), record.offset(), record.key(),
        record.value(), error));
  }

  /**
   * Gives up everything held in memory after partitions were revoked (and the transaction
   * committed) or lost (and it aborted): pending turns and batch entries are dropped without
   * being learned, positions and cuts forgotten. Partitions that were not revoked go too: the
   * weights hold turns of every partition since the checkpoint, and after an abort their
   * predictions since the last commit are gone as well, so only the committed state is
   * consistent; the next assignment restores it ({@link #restore()}) and replays.
   */
  private void forgetAll() {
    batcher.clear();
    progress.clear();
    uncommitted = false;
    checkpointForced = false;
    restoreNeeded = true;
  }

  /** Asks {@link #run()} to learn the batch in hand, checkpoint and return; safe from any thread. */
  public void stop() {
    running.set(false);
  }

  /** This trainer's Prometheus metrics ({@link TrainerMetrics}), for its metrics endpoint. */
  public PrometheusRegistry metricsRegistry() {
    return metricsRegistry;
  }

  public Stats stats() {
    return new Stats(consumed.get(), transaction.acknowledged(), learned.get(), deadLettered.get(),
        checkpointCount.get(), challengerVersion(), championVersion);
  }

  /** Closes the clients; a transaction still open (run() did not return) is left to the next start to abort. */
  @Override
  public void close() {
    running.set(false);
    try {
      transaction.close(Duration.ofSeconds(10));
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } finally {
        promotions.close(Duration.ofSeconds(5));
      }
    }
  }

  /** The listener the soft-labels subscription uses; tests call it to simulate a lost partition. */
  ConsumerRebalanceListener rebalanceListener() {
    return rebalanceListener;
  }

  /** The challenger as {@link ChampionLine} sees it. */
  private final class LiveChallenger implements ChampionLine.LiveChallenger {
    @Override
    public boolean exists() {
      return challenger.shaped();
    }

    @Override
    public String version() {
      return challengerVersion();
    }

    @Override
    public boolean current() {
      return !restoreNeeded && !progress.replaying();
    }

    @Override
    public TextCnn freeze() {
      checkpoint();
      return challenger.model().copy();
    }
  }

  /** The trainer as {@link RebalanceHandler} sees it. */
  private final class RebalanceTarget implements RebalanceHandler.Trainer {
    @Override
    public boolean active() {
      return active;
    }

    @Override
    public void commit() {
      predictAndPublish();
      StudentTrainer.this.commit();
    }

    @Override
    public void abort() {
      transaction.abort();
    }

    @Override
    public void fenced() {
      transaction.markFenced();
    }

    @Override
    public void forget() {
      forgetAll();
    }

    @Override
    public boolean forgotten() {
      return restoreNeeded;
    }

    @Override
    public void restore(Collection<TopicPartition> assigned) {
      StudentTrainer.this.restore();
      restoreNeeded = false;
      // Partitions that went elsewhere are neither replayed nor committed by this member.
      progress.retainOnly(assigned);
    }

    @Override
    public Long next(TopicPartition partition) {
      return progress.next(partition);
    }

    @Override
    public void start(TopicPartition partition, long offset) {
      progress.start(partition, offset);
    }
  }
}
