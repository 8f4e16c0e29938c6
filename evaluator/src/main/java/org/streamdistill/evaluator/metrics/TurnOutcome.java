package org.streamdistill.evaluator.metrics;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.StudentPrediction;

/**
 * How one model did on one turn: everything a {@link MetricsTally} needs from the turn, so that
 * the turn itself need not travel through the repartition topic or sit in a store.
 *
 * @param eventTimeMs when the turn happened, epoch milliseconds
 * @param predictedIndex the model's top label
 * @param agreesWithTeacher {@code predicted_index == teacher_index}
 * @param goldIndex the turn's gold label, null when it has none
 * @param predictedOos the model's top label is the out-of-scope label (by name)
 * @param goldOos the turn's gold label is the out-of-scope label (false without gold)
 * @param probability probability the model gave its top label (temperature 1)
 * @param klTeacher KL(teacher || model) in nats, null when the trainer did not send it
 * @param goldCrossEntropy {@code -ln q(gold)} in nats, null without gold or when not sent
 * @param latencyMs {@code predicted_at - event_time}, milliseconds
 * @param sampleKey a 64-bit hash of the turn id: which turns a bounded latency sample keeps
 * @param weight 1 / the turn's selection probability (1 when every turn is scored): how many turns
 *     of the stream this one stands for in estimates over all turns
 * @param teacherScored false for a turn the teacher did not score (a gold-only turn its selection
 *     gate skipped): then it does not agree with the teacher and carries no KL, and metrics count
 *     it without taking it as evidence about the teacher
 */
public record TurnOutcome(
    long eventTimeMs,
    int predictedIndex,
    boolean agreesWithTeacher,
    Integer goldIndex,
    boolean predictedOos,
    boolean goldOos,
    float probability,
    Float klTeacher,
    Float goldCrossEntropy,
    long latencyMs,
    long sampleKey,
    double weight,
    boolean teacherScored) {

  private static final byte FORMAT_VERSION = 4;
  /** Before gold-only turns: every turn was scored by the teacher. */
  private static final byte FORMAT_WEIGHTED = 3;
  /** Before the weight: read with weight 1. */
  private static final byte FORMAT_UNWEIGHTED = 2;
  private static final int AGREES = 1;
  private static final int HAS_GOLD = 2;
  private static final int PREDICTED_OOS = 4;
  private static final int GOLD_OOS = 8;
  private static final int HAS_KL = 16;
  private static final int HAS_CE = 32;
  private static final int NOT_TEACHER_SCORED = 64;
  private static final int MAX_BYTES = 2 + Long.BYTES + 2 * Integer.BYTES + 3 * Float.BYTES + 2 * Long.BYTES
      + Double.BYTES;

  /** An outcome of a turn the teacher would have scored anyway (weight 1). */
  public TurnOutcome(long eventTimeMs, int predictedIndex, boolean agreesWithTeacher, Integer goldIndex,
                     boolean predictedOos, boolean goldOos, float probability, Float klTeacher, Float goldCrossEntropy,
                     long latencyMs, long sampleKey) {
    this(eventTimeMs, predictedIndex, agreesWithTeacher, goldIndex, predictedOos, goldOos, probability, klTeacher,
        goldCrossEntropy, latencyMs, sampleKey, 1.0);
  }

  /** An outcome of a turn the teacher scored. */
  public TurnOutcome(long eventTimeMs, int predictedIndex, boolean agreesWithTeacher, Integer goldIndex,
                     boolean predictedOos, boolean goldOos, float probability, Float klTeacher, Float goldCrossEntropy,
                     long latencyMs, long sampleKey, double weight) {
    this(eventTimeMs, predictedIndex, agreesWithTeacher, goldIndex, predictedOos, goldOos, probability, klTeacher,
        goldCrossEntropy, latencyMs, sampleKey, weight, true);
  }

  public TurnOutcome {
    if (!(weight >= 1) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException("a turn's weight (1 / selection probability) must be finite and >= 1, got "
          + weight);
    }
    if (goldOos && goldIndex == null) {
      throw new IllegalArgumentException("a turn without a gold label cannot have an out-of-scope gold label");
    }
    if (goldCrossEntropy != null && goldIndex == null) {
      throw new IllegalArgumentException("a turn without a gold label has no gold cross-entropy");
    }
    if (!teacherScored && (agreesWithTeacher || klTeacher != null)) {
      throw new IllegalArgumentException("a turn the teacher did not score cannot agree with it or diverge from it");
    }
  }

  /** Whether the turn carried a gold label. */
  public boolean hasGold() {
    return goldIndex != null;
  }

  /** Whether the model's top label is the gold one (false without gold). */
  public boolean goldCorrect() {
    return goldIndex != null && goldIndex == predictedIndex;
  }

  /**
   * The outcome of {@code model}'s answer to {@code turn}; {@code oosLabel} names the
   * out-of-scope label, compared with {@code ModelPrediction.predicted_label} and {@code
   * StudentPrediction.gold_label}.
   */
  public static TurnOutcome of(StudentPrediction turn, ModelPrediction model, String oosLabel) {
    Objects.requireNonNull(turn, "turn");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(oosLabel, "oosLabel");
    Integer gold = turn.getGoldIndex();
    boolean scored = turn.getTeacherScored();
    return new TurnOutcome(
        turn.getEventTime().toEpochMilli(),
        model.getPredictedIndex(),
        scored && model.getPredictedIndex() == turn.getTeacherIndex(),
        gold,
        oosLabel.equals(model.getPredictedLabel()),
        gold != null && oosLabel.equals(turn.getGoldLabel()),
        model.getProbability(),
        scored ? model.getKlTeacher() : null,
        gold == null ? null : model.getGoldCrossEntropy(),
        turn.getPredictedAt().toEpochMilli() - turn.getEventTime().toEpochMilli(),
        sampleKeyOf(turn.getTurnId()),
        weightOf(turn.getSelectionProbability()),
        scored);
  }

  /** 1 / p for a probability in (0, 1]; 1 for anything else (a record no gate wrote). */
  public static double weightOf(double selectionProbability) {
    return selectionProbability > 0 && selectionProbability <= 1 ? 1 / selectionProbability : 1.0;
  }

  /**
   * A well-mixed 64-bit hash of a turn id (FNV-1a, then the SplitMix64 finalizer), so that
   * keeping the turns with the smallest keys keeps a uniform sample, the same whatever order
   * the turns arrive in.
   */
  public static long sampleKeyOf(String turnId) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : turnId.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    hash = (hash ^ (hash >>> 30)) * 0xbf58476d1ce4e5b9L;
    hash = (hash ^ (hash >>> 27)) * 0x94d049bb133111ebL;
    return hash ^ (hash >>> 31);
  }

  /** A compact binary serde with a leading format version (internal topics and stores only). */
  public static Serde<TurnOutcome> serde() {
    Serializer<TurnOutcome> serializer = (topic, outcome) -> outcome == null ? null : write(outcome);
    Deserializer<TurnOutcome> deserializer = (topic, bytes) -> bytes == null ? null : read(topic, bytes);
    return Serdes.serdeFrom(serializer, deserializer);
  }

  static byte[] write(TurnOutcome outcome) {
    ByteBuffer buffer = ByteBuffer.allocate(MAX_BYTES);
    int flags = (outcome.agreesWithTeacher ? AGREES : 0) | (outcome.goldIndex != null ? HAS_GOLD : 0)
        | (outcome.predictedOos ? PREDICTED_OOS : 0) | (outcome.goldOos ? GOLD_OOS : 0)
        | (outcome.klTeacher != null ? HAS_KL : 0) | (outcome.goldCrossEntropy != null ? HAS_CE : 0)
        | (outcome.teacherScored ? 0 : NOT_TEACHER_SCORED);
    buffer.put(FORMAT_VERSION).put((byte) flags).putLong(outcome.eventTimeMs).putInt(outcome.predictedIndex);
    if (outcome.goldIndex != null) {
      buffer.putInt(outcome.goldIndex);
    }
    buffer.putFloat(outcome.probability);
    if (outcome.klTeacher != null) {
      buffer.putFloat(outcome.klTeacher);
    }
    if (outcome.goldCrossEntropy != null) {
      buffer.putFloat(outcome.goldCrossEntropy);
    }
    buffer.putLong(outcome.latencyMs).putLong(outcome.sampleKey).putDouble(outcome.weight);
    byte[] bytes = new byte[buffer.position()];
    buffer.flip().get(bytes);
    return bytes;
  }

  static TurnOutcome read(String topic, byte[] bytes) {
    try {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      byte format = buffer.get();
      if (format != FORMAT_VERSION && format != FORMAT_WEIGHTED && format != FORMAT_UNWEIGHTED) {
        throw new SerializationException("a TurnOutcome on " + topic + " has format version " + format
            + ", this evaluator reads versions " + FORMAT_UNWEIGHTED + " to " + FORMAT_VERSION);
      }
      int flags = buffer.get();
      long eventTime = buffer.getLong();
      int predicted = buffer.getInt();
      Integer gold = (flags & HAS_GOLD) != 0 ? buffer.getInt() : null;
      float probability = buffer.getFloat();
      Float kl = (flags & HAS_KL) != 0 ? buffer.getFloat() : null;
      Float ce = (flags & HAS_CE) != 0 ? buffer.getFloat() : null;
      long latency = buffer.getLong();
      long sampleKey = buffer.getLong();
      double weight = format == FORMAT_UNWEIGHTED ? 1.0 : buffer.getDouble();
      return new TurnOutcome(eventTime, predicted, (flags & AGREES) != 0, gold, (flags & PREDICTED_OOS) != 0,
          (flags & GOLD_OOS) != 0, probability, kl, ce, latency, sampleKey, weight, (flags & NOT_TEACHER_SCORED) == 0);
    } catch (RuntimeException e) {
      if (e instanceof SerializationException serialization) {
        throw serialization;
      }
      throw new SerializationException("cannot read a TurnOutcome from " + bytes.length + " bytes on " + topic, e);
    }
  }
}
