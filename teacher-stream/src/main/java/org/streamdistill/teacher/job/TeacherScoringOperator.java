package org.streamdistill.teacher.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.schemas.registry.RegistryClientSettings;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.registry.RetryingSchemaRegistryClient;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.time.EventTimeWindow;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.schemas.wire.DeadLetterBudget;
import org.streamdistill.schemas.wire.DeadLetters;
import org.streamdistill.schemas.wire.UndecodableRecordException;
import org.streamdistill.teacher.model.TopKLogits;
import org.streamdistill.teacher.selection.JobRate;
import org.streamdistill.teacher.selection.Selection;
import org.streamdistill.teacher.selection.SelectionGate;
import org.streamdistill.teacher.selection.SelectionReason;

/**
 * Scores turns with the teacher in micro-batches and emits their soft labels, or dead
 * letters for turns that cannot be scored.
 *
 * <p>A batch is scored when it reaches {@code maxBatchSize} turns or when its oldest turn
 * has waited {@code maxWaitMillis}, whichever comes first. The buffer is always flushed in
 * {@link #prepareSnapshotPreBarrier}, before the checkpoint barrier passes, so no turn sits
 * in an operator buffer across a checkpoint: the buffer needs no state, and exactly-once
 * holds because every turn before the barrier has been emitted into the sink's transaction.
 *
 * <p>One scorer (one ONNX Runtime session) per subtask, opened in {@link #open()} and
 * closed in {@link #close()}.
 *
 * <p>Bad input never stops the job. Undecodable records, turns with empty or blank text (white
 * space, no-break spaces and zero-width characters count as blank), text that is not valid
 * UTF-8, a gold label outside the teacher's label set, and turns the teacher returns a
 * non-finite logit for go to the turns topic's dead-letter twin. Text longer than
 * {@code maxTextChars} characters is cut before tokenizing, and text longer than the teacher's
 * token limit is cut by its tokenizer; either way the soft label is flagged {@code truncated}.
 * A dead letter keeps the poison record's value only up to {@code maxDeadLetterValueBytes}
 * (header {@value #HEADER_ORIGINAL_VALUE_BYTES} then gives the full size): a record Kafka
 * refuses as too large would fail the job again on every restart.
 *
 * <p><b>Time.</b> A turn whose event time Kafka could not carry (before 1970, or more than an
 * hour after the turn entered its topic: {@link EventTimeWindow#writableToKafka()}) is a dead
 * letter. Soft labels and dead letters carry the Kafka timestamp of the turn's own record (when
 * it entered the topic, which the broker has accepted once already), never the event time a
 * writer claimed: that stays in the record body. A replay of the turns topic keeps those
 * timestamps, so it decides and stamps every turn as the live run did.
 *
 * <p><b>A teacher that fails on a turn.</b> When scoring a batch throws, the batch is split in
 * halves and each half scored apart, down to single turns; a turn that fails alone, twice, is a
 * dead letter naming the error, and every other turn of the batch gets its soft label. A
 * failure that passes (it does not repeat) costs a few smaller batches and loses nothing.
 *
 * <p>With {@code softLabelsTopK > 0} each soft label carries only its k largest logits plus
 * the remaining probability mass ({@link TopKLogits}; fields {@code top_k_indices} and
 * {@code remaining_mass} of {@code SoftLabel}); 0 keeps every logit.
 *
 * <p><b>The gate.</b> With a {@link SelectionGate} other than pass-all, each batch first goes
 * through the gate (the champion student's probabilities and the selection policy); only the
 * turns it selects are scored, and their soft labels carry the gate's {@code selection_reason} and
 * {@code selection_probability}. A skipped turn is counted per reason (Flink counter {@code
 * turnsSkipped} in group {@code reason}, Prometheus {@code streamdistill_teacher_skipped_turns_total}
 * with {@code gold} true or false) and in a periodic log line. A skipped turn with a gold label
 * still goes on to the trainer as a <em>gold-only</em> record: a {@code SoftLabel} with {@code
 * teacher_scored} false, no logits, the teacher tokenizer's ids ({@link TurnScorer#tokenize}, no
 * model run) and the skip reason in {@code selection_reason} (Flink counter {@code turnsGoldOnly});
 * a skipped turn without one produces nothing. Soft labels, gold-only records and dead letters of a
 * window leave in the order their turns arrived, so a conversation's turns stay in order.
 *
 * <p><b>A fallback teacher</b> ({@link #withFallback}) scores the skipped turns instead, up to its
 * own rate ({@link FallbackAllowance}; turns over it are handled as without a fallback): their soft
 * labels carry the fallback's logits, version and temperature, the teacher tokenizer's ids ({@link
 * FallbackScorer}), {@code fallback_scored} true, the skip reason and selection probability 1 (Flink
 * counter {@code turnsFallbackScored}; Prometheus {@code streamdistill_teacher_fallback_turns_total{gold}}
 * counts the turns sent to it). A turn the fallback fails on is handled as one
 * the teacher fails on: halves, then a dead letter naming the fallback.
 */
public final class TeacherScoringOperator extends AbstractStreamOperator<OutgoingRecord>
    implements OneInputStreamOperator<KafkaRecordBytes, OutgoingRecord>, ProcessingTimeCallback {

  private static final long serialVersionUID = 1L;
  /**
   * This operator's own logger: the one it would inherit from {@code AbstractStreamOperator} is
   * named for Flink's class, which the log configuration keeps at WARN, so the job's status lines
   * (the teacher opened, the gate's policy and tallies, the fallback) never reached the log file.
   */
  private static final Logger LOG = LoggerFactory.getLogger(TeacherScoringOperator.class);
  static final String STAGE = "teacher-stream";
  /** On a dead letter whose value was cut: the size in bytes of the poison record's full value. */
  public static final String HEADER_ORIGINAL_VALUE_BYTES = "dlq.value.original-bytes";

  private final TurnScorer.Factory scorerFactory;
  private final RegistryFactory registryFactory;
  // Names, not Topic objects: the operator is Java-serialized into the job graph and Topic is not Serializable.
  private final String turnsSubject;
  private final String softLabelsTopic;
  private final String softLabelsSubject;
  private final int maxBatchSize;
  private final long maxWaitMillis;
  private final int maxTextChars;
  private final int softLabelsTopK;
  private final int maxDeadLetterValueBytes;
  private final double deadLetterMaxFraction;
  private final SelectionGate.Factory gateFactory;
  /** Set once, by {@link #withFallback}, before the job graph is built; null: no fallback teacher. */
  private TurnScorer.Factory fallbackFactory;
  private double fallbackMaxTurnsPerSecond;

  private transient TurnScorer scorer;
  /** The fallback teacher, null without one. */
  private transient TurnScorer fallback;
  private transient FallbackAllowance fallbackAllowance;
  private transient Counter fallbackScored;
  private transient AvroWireCodec<DialogueTurn> turnCodec;
  private transient AvroWireCodec<SoftLabel> softLabelCodec;
  private transient Map<String, Integer> labelIndex;
  private transient List<Pending> buffer;
  private transient boolean timerPending;
  private transient Counter scored;
  private transient Counter deadLettered;
  private transient Counter truncated;
  private transient volatile long lastBatchSize;
  private transient volatile long lastBatchMillis;

  private transient Counter scorerFailures;
  private transient Histogram batchSizes;
  private transient Histogram batchLatenciesMillis;
  private transient TeacherMetrics prometheus;
  /** Whether open() counted this subtask in {@link TeacherMetrics#scorersOpen()}, so close() uncounts it once. */
  private transient boolean countedOpen;
  private transient EventTimeWindow eventTimes;
  private transient DeadLetterBudget deadLetterBudget;
  private transient SelectionGate gate;
  private transient Map<String, Counter> skippedByReason;
  private transient SelectionTally selectionTally;
  private transient Counter goldOnly;
  /**
   * While a gated window is emitted: the record of each turn by its slot, emitted in slot order
   * once every turn of the window has one (or none); null otherwise (records go straight out).
   */
  private transient OutgoingRecord[] windowOutput;

  /** @param recordTime Kafka timestamp for what this turn produces: when the turn entered its topic */
  /** @param slot the turn's position in its window: where its record goes among the window's output */
  private record Pending(KafkaRecordBytes source, DialogueTurn turn, String text, boolean cut, long recordTime,
                         String reason, double probability, int slot) {

    Pending selected(Selection selection) {
      return new Pending(source, turn, text, cut, recordTime, selection.reason(), selection.probability(), slot);
    }
  }

  /** Opens the operator's schema registry client in each subtask; travels with the job graph. */
  @FunctionalInterface
  public interface RegistryFactory extends java.io.Serializable {
    SchemaRegistryClient open();
  }

  public TeacherScoringOperator(TurnScorer.Factory scorerFactory, RegistryClientSettings registry,
                                Topic<DialogueTurn> turns, Topic<SoftLabel> softLabels, int maxBatchSize,
                                long maxWaitMillis, int maxTextChars, int softLabelsTopK, int maxDeadLetterValueBytes,
                                double deadLetterMaxFraction) {
    this(scorerFactory, registryAt(registry), turns, softLabels, maxBatchSize, maxWaitMillis, maxTextChars,
        softLabelsTopK, maxDeadLetterValueBytes, deadLetterMaxFraction, SelectionGate.Factory.passAll());
  }

  /** The production operator with a selection gate before the teacher. */
  public TeacherScoringOperator(TurnScorer.Factory scorerFactory, RegistryClientSettings registry,
                                Topic<DialogueTurn> turns, Topic<SoftLabel> softLabels, int maxBatchSize,
                                long maxWaitMillis, int maxTextChars, int softLabelsTopK, int maxDeadLetterValueBytes,
                                double deadLetterMaxFraction, SelectionGate.Factory gate) {
    this(scorerFactory, registryAt(registry), turns, softLabels, maxBatchSize, maxWaitMillis, maxTextChars,
        softLabelsTopK, maxDeadLetterValueBytes, deadLetterMaxFraction, gate);
  }

  /**
   * Sends the turns the gate skips to {@code fallback} instead, at most {@code maxTurnsPerSecond} for
   * the job, split evenly over its subtasks (0: no limit); call before the operator joins a job graph.
   *
   * @return this operator
   */
  public TeacherScoringOperator withFallback(TurnScorer.Factory fallback, double maxTurnsPerSecond) {
    this.fallbackFactory = java.util.Objects.requireNonNull(fallback, "fallback");
    this.fallbackMaxTurnsPerSecond = maxTurnsPerSecond;
    return this;
  }

  /**
   * The production registry: REST with the job's credentials and TLS, waiting out outages (only a
   * definite 404 makes a dead letter; refused credentials or certificates fail the job).
   */
  private static RegistryFactory registryAt(RegistryClientSettings registry) {
    return () -> new RetryingSchemaRegistryClient(new RestSchemaRegistryClient(registry));
  }

  public TeacherScoringOperator(TurnScorer.Factory scorerFactory, RegistryFactory registryFactory,
                                Topic<DialogueTurn> turns, Topic<SoftLabel> softLabels, int maxBatchSize,
                                long maxWaitMillis, int maxTextChars, int softLabelsTopK, int maxDeadLetterValueBytes,
                                double deadLetterMaxFraction) {
    this(scorerFactory, registryFactory, turns, softLabels, maxBatchSize, maxWaitMillis, maxTextChars, softLabelsTopK,
        maxDeadLetterValueBytes, deadLetterMaxFraction, SelectionGate.Factory.passAll());
  }

  public TeacherScoringOperator(TurnScorer.Factory scorerFactory, RegistryFactory registryFactory,
                                Topic<DialogueTurn> turns, Topic<SoftLabel> softLabels, int maxBatchSize,
                                long maxWaitMillis, int maxTextChars, int softLabelsTopK, int maxDeadLetterValueBytes,
                                double deadLetterMaxFraction, SelectionGate.Factory gateFactory) {
    this.scorerFactory = scorerFactory;
    this.gateFactory = gateFactory;
    this.deadLetterMaxFraction = deadLetterMaxFraction;
    this.registryFactory = registryFactory;
    this.turnsSubject = turns.valueSubject();
    this.softLabelsTopic = softLabels.name();
    this.softLabelsSubject = softLabels.valueSubject();
    this.maxBatchSize = maxBatchSize;
    this.maxWaitMillis = maxWaitMillis;
    this.maxTextChars = maxTextChars;
    this.softLabelsTopK = softLabelsTopK;
    this.maxDeadLetterValueBytes = maxDeadLetterValueBytes;
  }

  @Override
  public void open() throws Exception {
    super.open();
    try {
      openScoring();
    } catch (Exception | Error e) {
      // Counted and said at ERROR here: Flink's own line for it is a WARN among its restarts, and a
      // waiting caller (the demo) tells a teacher that cannot open from a slow one by the count.
      TeacherMetrics.in(PrometheusRegistry.defaultRegistry).openFailed();
      LOG.error("teacher scoring subtask failed to open: {}", e.toString());
      throw e;
    }
  }

  private void openScoring() throws Exception {
    scorer = scorerFactory.open();
    // The job's rates (budget, fallback cap) are shared evenly by its subtasks.
    int subtasks = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
    if (fallbackFactory != null) {
      try {
        fallback = FallbackScorer.of(scorer, fallbackFactory.open());
      } catch (IllegalArgumentException e) {
        // Two label sets will not match after a restart either: fail once, with the reason.
        LOG.error(e.getMessage());
        throw new org.apache.flink.runtime.execution.SuppressRestartsException(e);
      }
      fallbackAllowance = new FallbackAllowance(JobRate.perSubtask(fallbackMaxTurnsPerSecond, subtasks));
    }
    SchemaRegistryClient registry = registryFactory.open();
    turnCodec = new AvroWireCodec<>(registry, turnsSubject, DialogueTurn.class);
    softLabelCodec = new AvroWireCodec<>(registry, softLabelsSubject, SoftLabel.class);
    softLabelCodec.writerSchemaId();
    gate = gateFactory.open(registry, subtasks);
    labelIndex = new HashMap<>();
    List<String> labels = scorer.labels();
    for (int i = 0; i < labels.size(); i++) {
      labelIndex.put(labels.get(i), i);
    }
    buffer = new ArrayList<>(maxBatchSize);
    var metrics = getMetricGroup();
    scored = metrics.counter("turnsScored");
    deadLettered = metrics.counter("turnsDeadLettered");
    truncated = metrics.counter("turnsTruncated");
    scorerFailures = metrics.counter("scorerFailures");
    eventTimes = EventTimeWindow.writableToKafka();
    deadLetterBudget = DeadLetterBudget.of(deadLetterMaxFraction);
    metrics.meter("turnsScoredPerSecond", new MeterView(scored));
    metrics.gauge("lastBatchSize", () -> lastBatchSize);
    metrics.gauge("lastBatchInferenceMillis", () -> lastBatchMillis);
    batchSizes = metrics.histogram("batchSize", new DescriptiveStatisticsHistogram(1_000));
    batchLatenciesMillis = metrics.histogram("batchScoringMillis", new DescriptiveStatisticsHistogram(1_000));
    prometheus = TeacherMetrics.in(PrometheusRegistry.defaultRegistry);
    skippedByReason = new HashMap<>();
    for (String reason : SelectionReason.SKIPPED) {
      skippedByReason.put(reason, metrics.addGroup("reason", reason).counter("turnsSkipped"));
    }
    selectionTally = new SelectionTally();
    goldOnly = metrics.counter("turnsGoldOnly");
    fallbackScored = metrics.counter("turnsFallbackScored");
    LOG.info("teacher {} open: {} labels, batches of up to {} turns or {} ms, soft labels with {}", scorer.version(),
        labels.size(), maxBatchSize, maxWaitMillis,
        softLabelsTopK > 0 && softLabelsTopK < labels.size() ? "the top " + softLabelsTopK + " logits" : "every logit");
    if (!gate.passesEverything()) {
      LOG.info("selection gate before teacher {}: {}{}", scorer.version(), gate.settings().describe(),
          subtasks > 1 ? "; rates shared by " + subtasks + " subtasks" : "");
    }
    if (fallback != null) {
      LOG.info("fallback teacher {} scores the turns the gate skips{}", fallback.version(),
          fallbackMaxTurnsPerSecond > 0 ? ", at most " + fallbackMaxTurnsPerSecond + " turns/s for the job" : "");
    }
    prometheus.scorerOpened();
    countedOpen = true;
  }

  @Override
  public void processElement(StreamRecord<KafkaRecordBytes> element) throws Exception {
    KafkaRecordBytes record = element.getValue();
    prometheus.stage().consumed(record.topic);
    DialogueTurn turn;
    try {
      turn = turnCodec.decode(record.value);
    } catch (UndecodableRecordException e) {
      deadLetter(record, e);
      return;
    }
    long recordTime = recordTime(record);
    String problem = validate(turn, recordTime);
    if (problem != null) {
      deadLetter(record, new InvalidTurnException(problem));
      return;
    }
    String text = turn.getText();
    boolean cut = text.length() > maxTextChars;
    if (cut) {
      // Never cut between the two halves of a surrogate pair (an emoji, say).
      int end = Character.isHighSurrogate(text.charAt(maxTextChars - 1)) ? maxTextChars - 1 : maxTextChars;
      text = text.substring(0, end);
    }
    buffer.add(new Pending(record, turn, text, cut, recordTime, SelectionReason.ALL, 1.0, buffer.size()));
    if (buffer.size() >= maxBatchSize) {
      flush();
    } else if (!timerPending) {
      timerPending = true;
      getProcessingTimeService().registerTimer(getProcessingTimeService().getCurrentProcessingTime() + maxWaitMillis, this);
    }
  }

  /** When the turn entered its topic; now for a record without a timestamp (old message formats). */
  private static long recordTime(KafkaRecordBytes record) {
    return record.timestamp >= 0 ? record.timestamp : System.currentTimeMillis();
  }

  private String validate(DialogueTurn turn, long recordTime) {
    String time = eventTimes.violation(turn.getEventTime(), recordTime);
    if (time != null) {
      return "turn " + turn.getTurnId() + ": " + time + " (when it entered the topic); it cannot be windowed or "
          + "written to Kafka";
    }
    String text = turn.getText();
    if (text == null || isBlank(text)) {
      return "turn " + turn.getTurnId() + " has empty text";
    }
    if (text.indexOf('\uFFFD') >= 0) {
      return "turn " + turn.getTurnId() + " text is not valid UTF-8 (it decodes to U+FFFD replacement characters)";
    }
    String gold = turn.getGoldLabel();
    if (gold != null && !labelIndex.containsKey(gold)) {
      return "turn " + turn.getTurnId() + " has gold label '" + gold + "', which is not in teacher "
          + scorer.version() + "'s label set of " + labelIndex.size() + " labels";
    }
    return null;
  }

  /**
   * No visible character: only white space, Unicode space separators ({@link String#isBlank()}
   * misses the no-break spaces) or format characters (zero-width spaces and joiners, BOM).
   */
  static boolean isBlank(String text) {
    return text.codePoints().allMatch(cp -> Character.isWhitespace(cp) || Character.isSpaceChar(cp)
        || Character.getType(cp) == Character.FORMAT);
  }

  @Override
  public void onProcessingTime(long time) throws Exception {
    timerPending = false;
    flush();
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    flush();
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  @Override
  public void finish() throws Exception {
    flush();
    super.finish();
  }

  private void flush() throws Exception {
    if (buffer == null || buffer.isEmpty()) { // null: open() failed before it made the buffer
      return;
    }
    if (gate.passesEverything()) {
      scoreBatch(buffer);
    } else {
      List<Pending> goldOnlyTurns = new ArrayList<>();
      List<Pending> fallbackTurns = new ArrayList<>();
      List<Pending> batch = select(buffer, fallbackTurns, goldOnlyTurns);
      windowOutput = new OutgoingRecord[buffer.size()];
      try {
        scoreBatch(batch);
        if (!fallbackTurns.isEmpty()) {
          scoreAndEmit(fallbackTurns, fallback);
        }
        forwardGoldOnly(goldOnlyTurns);
        for (OutgoingRecord out : windowOutput) {
          if (out != null) {
            output.collect(new StreamRecord<>(out));
          }
        }
      } finally {
        windowOutput = null;
      }
    }
    buffer.clear();
  }

  private void scoreBatch(List<Pending> batch) throws Exception {
    if (batch.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    scoreAndEmit(batch, scorer);
    long nanos = System.nanoTime() - start;
    lastBatchMillis = nanos / 1_000_000;
    lastBatchSize = batch.size();
    batchSizes.update(batch.size());
    batchLatenciesMillis.update(lastBatchMillis);
    prometheus.batchScored(batch.size(), nanos);
  }

  /** Sends {@code record}, the outcome of {@code p}: into its window slot while a window is emitted, else out. */
  private void emit(Pending p, OutgoingRecord record) {
    if (windowOutput != null) {
      windowOutput[p.slot()] = record;
    } else {
      output.collect(new StreamRecord<>(record));
    }
  }

  /**
   * The gold-only records of skipped gold-labelled turns: the teacher tokenizer's ids, no teacher
   * verdict. A tokenizer that fails on the batch is asked turn by turn; a turn it fails on alone is
   * a dead letter, like a turn the teacher fails on.
   */
  private void forwardGoldOnly(List<Pending> turns) throws Exception {
    if (turns.isEmpty()) {
      return;
    }
    List<TurnScorer.Tokens> tokens;
    try {
      tokens = tokenize(turns);
    } catch (Exception e) {
      rethrowIfCancelled(e);
      for (Pending p : turns) {
        try {
          forwardGoldOnly(p, tokenize(List.of(p)).get(0));
        } catch (Exception again) {
          rethrowIfCancelled(again);
          emit(p, deadLetterRecord(p.source(), new InvalidTurnException("teacher " + scorer.version()
              + " could not tokenize skipped turn " + p.turn().getTurnId() + " for its gold-only record: " + again)));
        }
      }
      return;
    }
    for (int i = 0; i < turns.size(); i++) {
      forwardGoldOnly(turns.get(i), tokens.get(i));
    }
  }

  private List<TurnScorer.Tokens> tokenize(List<Pending> turns) throws Exception {
    return oneEach(scorer.tokenize(texts(turns)), turns, "tokenizations");
  }

  private static List<String> texts(List<Pending> turns) {
    List<String> texts = new ArrayList<>(turns.size());
    for (Pending p : turns) {
      texts.add(p.text());
    }
    return texts;
  }

  /** {@code answers}, checked to hold one per turn: a teacher that returns fewer or more is broken. */
  private <T> List<T> oneEach(List<T> answers, List<Pending> turns, String what) {
    if (answers == null || answers.size() != turns.size()) {
      throw new IllegalStateException("teacher " + scorer.version() + " returned "
          + (answers == null ? "no" : answers.size()) + " " + what + " for a batch of " + turns.size() + " texts");
    }
    return answers;
  }

  private void forwardGoldOnly(Pending p, TurnScorer.Tokens tokens) {
    SoftLabel label = goldOnlyLabel(p, tokens, System.currentTimeMillis());
    if (label.getTruncated()) {
      truncated.inc();
      prometheus.truncated();
    }
    emit(p, new OutgoingRecord(softLabelsTopic, p.source().key, softLabelCodec.encode(label), p.recordTime(),
        new String[0], new String[0]));
    goldOnly.inc();
    prometheus.stage().produced(softLabelsTopic);
  }

  /**
   * The turns of {@code window} the gate sends to the teacher; the others are counted as skipped and
   * added, with their skip reason, to {@code fallbackTurns} while the fallback teacher (if any) may take
   * them, else to {@code goldOnlyTurns} when they have a gold label.
   */
  private List<Pending> select(List<Pending> window, List<Pending> fallbackTurns, List<Pending> goldOnlyTurns)
      throws Exception {
    List<String> ids = new ArrayList<>(window.size());
    long[] entered = new long[window.size()];
    for (int i = 0; i < window.size(); i++) {
      ids.add(window.get(i).turn().getTurnId());
      entered[i] = window.get(i).recordTime();
    }
    long now = getProcessingTimeService().getCurrentProcessingTime();
    List<Selection> decisions = gate.decide(ids, texts(window), entered, now);
    List<Pending> selected = new ArrayList<>(window.size());
    for (int i = 0; i < window.size(); i++) {
      Pending p = window.get(i);
      Selection decision = decisions.get(i);
      boolean gold = p.turn().getGoldLabel() != null;
      if (decision.toTeacher()) {
        selectionTally.add(decision, gold, false);
        selected.add(p.selected(decision));
        prometheus.selected(decision.reason());
      } else {
        skippedByReason.get(decision.reason()).inc();
        prometheus.skipped(decision.reason(), gold);
        Pending skipped = new Pending(p.source(), p.turn(), p.text(), p.cut(), p.recordTime(), decision.reason(),
            1.0, p.slot());
        // A turn skipped because the job is behind is not the fallback's either: it would cost the
        // catching up what the teacher's share was shed to save.
        boolean toFallback = fallback != null && !SelectionReason.BEHIND.equals(decision.reason())
            && fallbackAllowance.tryTake(now);
        selectionTally.add(decision, gold, toFallback);
        if (toFallback) {
          // Counted good or dead once the fallback has answered.
          prometheus.toFallback(gold);
          fallbackTurns.add(skipped);
          continue;
        }
        deadLetterBudget.recordGood();
        if (gold) {
          goldOnlyTurns.add(skipped);
        }
      }
    }
    String line = selectionTally.lineIfDue(now, gate.championVersion());
    if (line != null) {
      LOG.info("selection gate ({}): {}", gate.settings().describe(), line);
    }
    return selected;
  }

  /**
   * Scores {@code batch} with {@code teacher} (the job's teacher or its fallback) and emits the soft
   * labels in order; when the teacher fails, scores the halves apart, and dead-letters a single turn
   * it fails on twice.
   */
  private void scoreAndEmit(List<Pending> batch, TurnScorer teacher) throws Exception {
    List<TurnScorer.Score> scores;
    try {
      scores = score(batch, teacher);
    } catch (Exception e) {
      rethrowIfCancelled(e);
      scorerFailures.inc();
      prometheus.scorerFailed();
      if (batch.size() > 1) {
        LOG.warn("{} {} failed on a batch of {} turns ({}); scoring its halves apart to find the turn it fails on",
            role(teacher), teacher.version(), batch.size(), e.toString());
        int half = batch.size() / 2;
        scoreAndEmit(batch.subList(0, half), teacher);
        scoreAndEmit(batch.subList(half, batch.size()), teacher);
        return;
      }
      try {
        scores = score(batch, teacher);
      } catch (Exception again) {
        rethrowIfCancelled(again);
        scorerFailures.inc();
        prometheus.scorerFailed();
        Pending p = batch.get(0);
        emit(p, deadLetterRecord(p.source(), new InvalidTurnException(role(teacher) + " " + teacher.version()
            + " failed twice on turn " + p.turn().getTurnId() + " alone: " + again)));
        return;
      }
    }
    long now = System.currentTimeMillis();
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      TurnScorer.Score score = scores.get(i);
      String problem = checkScore(p.turn(), score, teacher);
      if (problem != null) {
        emit(p, deadLetterRecord(p.source(), new InvalidTurnException(problem)));
        continue;
      }
      SoftLabel label = softLabel(p, score, now, teacher);
      if (label.getTruncated()) {
        truncated.inc();
        prometheus.truncated();
      }
      emit(p, new OutgoingRecord(softLabelsTopic, p.source().key, softLabelCodec.encode(label), p.recordTime(),
          new String[0], new String[0]));
      if (teacher == scorer) {
        scored.inc();
      } else {
        fallbackScored.inc();
      }
      prometheus.stage().produced(softLabelsTopic);
      deadLetterBudget.recordGood();
    }
  }

  /** How a log line or dead letter names {@code teacher}. */
  private String role(TurnScorer teacher) {
    return teacher == scorer ? "teacher" : "fallback teacher";
  }

  /** A task being cancelled is not the turn's fault: let Flink see the interrupt. */
  private static void rethrowIfCancelled(Exception e) throws Exception {
    if (e instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
      throw e;
    }
  }

  private List<TurnScorer.Score> score(List<Pending> batch, TurnScorer teacher) throws Exception {
    return oneEach(teacher.score(texts(batch)), batch, "scores");
  }

  /** Why {@code teacher}'s answer for {@code turn} cannot be published, or null. */
  private String checkScore(DialogueTurn turn, TurnScorer.Score score, TurnScorer teacher) {
    float[] logits = score.logits();
    if (logits.length != labelIndex.size()) {
      return role(teacher) + " " + teacher.version() + " returned " + logits.length + " logits for turn "
          + turn.getTurnId() + " but has " + labelIndex.size() + " labels";
    }
    for (int i = 0; i < logits.length; i++) {
      if (!Float.isFinite(logits[i])) {
        return role(teacher) + " " + teacher.version() + " returned a non-finite logit (" + logits[i] + " for label "
            + teacher.labels().get(i) + ") for turn " + turn.getTurnId();
      }
    }
    return null;
  }

  private SoftLabel softLabel(Pending p, TurnScorer.Score score, long now, TurnScorer teacher) {
    DialogueTurn turn = p.turn();
    float[] logits = score.logits();
    int top = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[top]) {
        top = i;
      }
    }
    List<Float> logitList;
    List<Integer> topKIndices = null;
    Float remainingMass = null;
    if (softLabelsTopK > 0 && softLabelsTopK < logits.length) {
      TopKLogits compact = TopKLogits.of(logits, softLabelsTopK, teacher.temperature());
      logitList = floats(compact.logits());
      topKIndices = new ArrayList<>(softLabelsTopK);
      for (int index : compact.indices()) {
        topKIndices.add(index);
      }
      remainingMass = compact.remainingMass();
    } else {
      logitList = floats(logits);
    }
    List<Integer> ids = new ArrayList<>(score.tokenIds().length);
    for (int id : score.tokenIds()) {
      ids.add(id);
    }
    String gold = turn.getGoldLabel();
    return SoftLabel.newBuilder()
        .setTurnId(turn.getTurnId())
        .setConversationId(turn.getConversationId())
        .setTurnIndex(turn.getTurnIndex())
        .setEventTime(turn.getEventTime())
        .setScoredAt(Instant.ofEpochMilli(now))
        .setTokenIds(ids)
        .setTruncated(p.cut() || score.truncated())
        .setLogits(logitList)
        .setTemperature(teacher.temperature())
        .setTeacherVersion(teacher.version())
        .setLabelSetId(teacher.labelSetId())
        .setTeacherIndex(top)
        .setTeacherLabel(teacher.labels().get(top))
        .setGoldLabel(gold)
        .setGoldIndex(gold == null ? null : labelIndex.get(gold))
        .setHeldOut(turn.getHeldOut())
        .setTopKIndices(topKIndices)
        .setRemainingMass(remainingMass)
        .setSelectionReason(p.reason())
        .setSelectionProbability(p.probability())
        .setLabelCount(labelIndex.size())
        .setFallbackScored(teacher != scorer)
        .build();
  }

  /**
   * The gold-only record of a skipped gold-labelled turn: no logits and no teacher verdict
   * (teacher_index -1, teacher_label ''), the skip reason, selection probability 1 (every such
   * turn is forwarded), and the label-set size a new student is shaped from.
   */
  private SoftLabel goldOnlyLabel(Pending p, TurnScorer.Tokens tokens, long now) {
    DialogueTurn turn = p.turn();
    List<Integer> ids = new ArrayList<>(tokens.tokenIds().length);
    for (int id : tokens.tokenIds()) {
      ids.add(id);
    }
    String gold = turn.getGoldLabel();
    return SoftLabel.newBuilder()
        .setTurnId(turn.getTurnId())
        .setConversationId(turn.getConversationId())
        .setTurnIndex(turn.getTurnIndex())
        .setEventTime(turn.getEventTime())
        .setScoredAt(Instant.ofEpochMilli(now))
        .setTokenIds(ids)
        .setTruncated(p.cut() || tokens.truncated())
        .setLogits(List.of())
        .setTemperature(scorer.temperature())
        .setTeacherVersion(scorer.version())
        .setLabelSetId(scorer.labelSetId())
        .setTeacherIndex(-1)
        .setTeacherLabel("")
        .setGoldLabel(gold)
        .setGoldIndex(labelIndex.get(gold))
        .setHeldOut(turn.getHeldOut())
        .setSelectionReason(p.reason())
        .setSelectionProbability(1.0)
        .setTeacherScored(false)
        .setLabelCount(labelIndex.size())
        .build();
  }

  private static List<Float> floats(float[] values) {
    List<Float> list = new ArrayList<>(values.length);
    for (float v : values) {
      list.add(v);
    }
    return list;
  }

  private void deadLetter(KafkaRecordBytes record, Exception error) {
    output.collect(new StreamRecord<>(deadLetterRecord(record, error)));
  }

  /** Counts a dead letter of {@code record} and returns it, for the caller to send. */
  private OutgoingRecord deadLetterRecord(KafkaRecordBytes record, Exception error) {
    try {
      deadLetterBudget.recordDead(record.topic, error.getMessage());
    } catch (DeadLetterBudget.DeadLetterRateExceededException e) {
      // A restart would read the same input and fail the same way: fail the job for good, with
      // the reason in its exception history, instead of a restart loop that helps nobody.
      LOG.error(e.getMessage());
      throw new org.apache.flink.runtime.execution.SuppressRestartsException(e);
    }
    deadLettered.inc();
    prometheus.stage().deadLetter(record.topic, error);
    LOG.warn("dead-lettering {}-{}@{}: {}", record.topic, record.partition, record.offset, error.getMessage());
    List<String> names = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (Header h : DeadLetters.headers(STAGE, record.topic, record.partition, record.offset, error)) {
      names.add(h.key());
      values.add(new String(h.value(), java.nio.charset.StandardCharsets.UTF_8));
    }
    byte[] value = record.value;
    if (value != null && value.length > maxDeadLetterValueBytes) {
      value = Arrays.copyOf(value, maxDeadLetterValueBytes);
      names.add(HEADER_ORIGINAL_VALUE_BYTES);
      values.add(Integer.toString(record.value.length));
    }
    return new OutgoingRecord(record.topic + org.streamdistill.schemas.topic.Topic.DEAD_LETTER_SUFFIX,
        record.key, value, recordTime(record), names.toArray(new String[0]), values.toArray(new String[0]));
  }

  @Override
  public void close() throws Exception {
    if (countedOpen) { // false when open() failed: it never counted
      countedOpen = false;
      prometheus.scorerClosed();
    }
    try {
      if (fallback != null) {
        fallback.close();
      }
    } finally {
      try {
        if (scorer != null) {
          scorer.close();
        }
      } finally {
        closeGate();
      }
    }
  }

  private void closeGate() throws Exception {
    try {
      if (gate != null) {
        gate.close();
      }
    } finally {
      super.close();
    }
  }

  /** A decodable turn the teacher must not score (empty text, bad encoding, unknown label) or could not score. */
  public static final class InvalidTurnException extends Exception {
    public InvalidTurnException(String message) {
      super(message);
    }
  }
}
