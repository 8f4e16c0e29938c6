package org.streamdistill.evaluator.metrics;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.streamdistill.records.RollingMetrics;

/**
 * The sufficient statistics of one model's turns in one window: counts and sums from which
 * every published metric is computed once, when the window is published. Counts rather than
 * shares, so adding a turn is exact.
 *
 * <p>The metrics, over the window's turns (n of them; "gold turns" are those with a gold label;
 * "scored turns" those the teacher scored, which is every turn but the gold-only ones its selection
 * gate skipped and forwarded for their gold label):
 *
 * <ul>
 *   <li>teacher agreement: scored turns whose top label is the teacher's / scored turns; and
 *       weighted, an estimate over every turn of the stream when the teacher scored only a
 *       selection of them: each scored turn weighted by {@link TurnOutcome#weight()} (1 / selection
 *       probability), sum(w agrees) / sum(w);
 *   <li>KL(teacher || student): mean of the per-turn {@code kl_teacher} the trainer computed
 *       (it holds both distributions), over the turns that carry one (scored turns); and weighted,
 *       sum(w kl) / sum(w);
 *   <li>cross-entropy: mean of the per-turn {@code gold_cross_entropy}, -ln q(gold), over the
 *       gold turns that carry one;
 *   <li>gold accuracy: correct gold turns / gold turns;
 *   <li>macro-F1: over the labels that are the gold or the predicted label of at least one gold
 *       turn, the mean of 2 TP / (2 TP + FP + FN), per label counted one-vs-rest on gold turns
 *       (a label nobody predicted and nobody said is not averaged in, as in scikit-learn);
 *   <li>out-of-scope precision and recall on gold turns: TP / (turns predicted oos) and TP /
 *       (turns whose gold label is oos), TP being turns that are both;
 *   <li>expected calibration error, 15 equal-width bins of the top label's probability p (bin
 *       {@code min(floor(15 p), 14)}): sum over bins of |correct_b - sum_b p| / turns, which is
 *       sum_b (n_b / n) |accuracy_b - mean p_b|. Twice: against gold on gold turns ({@code
 *       ece_gold}) and, on every scored turn, against agreement with the teacher ({@code
 *       ece_teacher}), which is what a window without gold labels can still say; the latter also
 *       weighted, each turn counted w times: sum_b |sum_b w agrees - sum_b w p| / sum(w);
 *   <li>latency p50/p95/p99 of {@code predicted_at - event_time}, nearest rank, from a {@code
 *       LatencySample}.
 * </ul>
 *
 * <p>Gold metrics are never weighted: every gold-labelled turn reaches the student, scored or
 * gold-only, so a window's gold turns are all of them, and weighting the scored ones would count
 * them twice. A weighted metric is null while every turn it covers weighs 1 (it would repeat the
 * plain one).
 *
 * <p>Every gold metric is null when the window has no gold turn; a share whose denominator is
 * zero is null. Mutable: processors load a tally, add a turn and store it back; not
 * thread-safe.
 */
public final class MetricsTally {

  /** Equal-width calibration bins over [0, 1]. */
  public static final int CALIBRATION_BINS = 15;

  private static final byte FORMAT_VERSION = 3;
  /** Before gold-only turns and weighted KL and calibration: read with those weights 1. */
  private static final byte FORMAT_WEIGHTED_AGREEMENT = 2;
  /** Before the weights: read with every weight 1. */
  private static final byte FORMAT_UNWEIGHTED = 1;
  private static final int TP = 0;
  private static final int FP = 1;
  private static final int FN = 2;

  private long turns;
  private long goldOnlyTurns;
  private long teacherAgreements;
  private double weightSum;
  private double weightedAgreements;
  private long lateTurns;
  private long klTurns;
  private double klSum;
  private double klWeightSum;
  private double klWeightedSum;
  private long goldTurns;
  private long goldCorrect;
  private long crossEntropyTurns;
  private double crossEntropySum;
  private long oosPredicted;
  private long oosGold;
  private long oosBoth;
  private final Map<Integer, long[]> perLabel = new TreeMap<>();
  private final Calibration teacherCalibration = new Calibration();
  private final Calibration goldCalibration = new Calibration();
  private final LatencySample latency;

  /** An empty tally whose latency sample holds up to {@code latencySampleSize} turns. */
  public MetricsTally(int latencySampleSize) {
    this.latency = new LatencySample(latencySampleSize);
  }

  private MetricsTally(LatencySample latency) {
    this.latency = latency;
  }

  public long turns() {
    return turns;
  }

  /** Adds one turn; {@code late} when it arrived after its window had ended (within grace). */
  public MetricsTally add(TurnOutcome outcome, boolean late) {
    turns++;
    if (late) {
      lateTurns++;
    }
    latency.add(outcome.sampleKey(), outcome.latencyMs());
    if (outcome.teacherScored()) {
      double w = outcome.weight();
      weightSum += w;
      if (outcome.agreesWithTeacher()) {
        teacherAgreements++;
        weightedAgreements += w;
      }
      if (outcome.klTeacher() != null) {
        klTurns++;
        klSum += outcome.klTeacher();
        klWeightSum += w;
        klWeightedSum += w * outcome.klTeacher();
      }
      teacherCalibration.add(outcome.probability(), outcome.agreesWithTeacher(), w);
    } else {
      goldOnlyTurns++;
    }
    if (!outcome.hasGold()) {
      return this;
    }
    goldTurns++;
    boolean correct = outcome.goldCorrect();
    if (correct) {
      goldCorrect++;
      perLabel.computeIfAbsent(outcome.goldIndex(), label -> new long[3])[TP]++;
    } else {
      perLabel.computeIfAbsent(outcome.predictedIndex(), label -> new long[3])[FP]++;
      perLabel.computeIfAbsent(outcome.goldIndex(), label -> new long[3])[FN]++;
    }
    if (outcome.goldCrossEntropy() != null) {
      crossEntropyTurns++;
      crossEntropySum += outcome.goldCrossEntropy();
    }
    goldCalibration.add(outcome.probability(), correct, 1.0);
    if (outcome.predictedOos()) {
      oosPredicted++;
    }
    if (outcome.goldOos()) {
      oosGold++;
    }
    if (outcome.predictedOos() && outcome.goldOos()) {
      oosBoth++;
    }
    return this;
  }

  /**
   * The metrics record of this tally.
   *
   * @param key model version and role
   * @param windowStartMs start of the window (time) or earliest event time (last turns)
   * @param windowEndMs end of the window, exclusive
   * @param windowType {@code time} or {@code last_turns}
   * @param windowTurns N of a last-turns window, null for a time window
   * @param lateDroppedTurns late turns of this key dropped since its previous record
   */
  public RollingMetrics toRollingMetrics(ModelKey key, long windowStartMs, long windowEndMs, String windowType,
      Integer windowTurns, long lateDroppedTurns) {
    return RollingMetrics.newBuilder()
        .setModelVersion(key.modelVersion())
        .setRole(key.role())
        .setWindowStart(Instant.ofEpochMilli(windowStartMs))
        .setWindowEnd(Instant.ofEpochMilli(windowEndMs))
        .setTurns(turns)
        .setTeacherAgreements(teacherAgreements)
        .setTeacherAgreement(scoredTurns() == 0 ? 0.0 : (double) teacherAgreements / scoredTurns())
        .setGoldTurns(goldTurns)
        .setGoldCorrect(goldCorrect)
        .setGoldAccuracy(share(goldCorrect, goldTurns))
        .setWindowType(windowType)
        .setWindowTurns(windowTurns)
        .setLateTurns(lateTurns)
        .setLateDroppedTurns(lateDroppedTurns)
        .setKlTeacher(klTurns == 0 ? null : klSum / klTurns)
        .setGoldCrossEntropy(crossEntropyTurns == 0 ? null : crossEntropySum / crossEntropyTurns)
        .setMacroF1(macroF1())
        .setOosPrecision(share(oosBoth, oosPredicted))
        .setOosRecall(share(oosBoth, oosGold))
        .setEceGold(goldCalibration.expectedError())
        .setEceTeacher(teacherCalibration.expectedError())
        .setLatencyP50Ms(latency.percentile(50))
        .setLatencyP95Ms(latency.percentile(95))
        .setLatencyP99Ms(latency.percentile(99))
        .setLatencySampleTurns(latency.size())
        // Null while every turn weighs 1 (policy all): it would only repeat teacher_agreement.
        .setTeacherAgreementWeighted(weightSum == scoredTurns() ? null : weightedAgreements / weightSum)
        .setGoldOnlyTurns(goldOnlyTurns)
        .setKlTeacherWeighted(klTurns == 0 || klWeightSum == klTurns ? null : klWeightedSum / klWeightSum)
        .setEceTeacherWeighted(teacherCalibration.weighted() ? teacherCalibration.weightedExpectedError() : null)
        .build();
  }

  /** Turns the teacher scored: every turn but the gold-only ones. */
  private long scoredTurns() {
    return turns - goldOnlyTurns;
  }

  private Double macroF1() {
    if (perLabel.isEmpty()) {
      return null;
    }
    double sum = 0.0;
    for (long[] counts : perLabel.values()) {
      sum += 2.0 * counts[TP] / (2.0 * counts[TP] + counts[FP] + counts[FN]);
    }
    return sum / perLabel.size();
  }

  private static Double share(long part, long whole) {
    return whole == 0 ? null : (double) part / whole;
  }

  /** Per-bin turns, correct turns and summed probability; and the same weighted. */
  private static final class Calibration {
    final long[] turns = new long[CALIBRATION_BINS];
    final long[] correct = new long[CALIBRATION_BINS];
    final double[] probability = new double[CALIBRATION_BINS];
    final double[] weight = new double[CALIBRATION_BINS];
    final double[] weightedCorrect = new double[CALIBRATION_BINS];
    final double[] weightedProbability = new double[CALIBRATION_BINS];

    void add(float p, boolean right, double w) {
      int bin = binOf(p);
      turns[bin]++;
      probability[bin] += p;
      weight[bin] += w;
      weightedProbability[bin] += w * p;
      if (right) {
        correct[bin]++;
        weightedCorrect[bin] += w;
      }
    }

    /** Whether any turn weighed other than 1. */
    boolean weighted() {
      long total = 0;
      double totalWeight = 0;
      for (int b = 0; b < CALIBRATION_BINS; b++) {
        total += turns[b];
        totalWeight += weight[b];
      }
      return total > 0 && totalWeight != total;
    }

    Double weightedExpectedError() {
      return expectedError(b -> weight[b], b -> weightedCorrect[b], b -> weightedProbability[b]);
    }

    Double expectedError() {
      return expectedError(b -> turns[b], b -> correct[b], b -> probability[b]);
    }

    /** sum_b |correct_b - probability_b| / sum_b count_b over the bins, null when nothing was counted. */
    private static Double expectedError(java.util.function.IntToDoubleFunction count,
        java.util.function.IntToDoubleFunction correct, java.util.function.IntToDoubleFunction probability) {
      double total = 0;
      double gap = 0.0;
      for (int b = 0; b < CALIBRATION_BINS; b++) {
        total += count.applyAsDouble(b);
        gap += Math.abs(correct.applyAsDouble(b) - probability.applyAsDouble(b));
      }
      return total == 0 ? null : gap / total;
    }
  }

  /** The calibration bin of probability {@code p}: {@code min(floor(15 p), 14)}, clamped to [0, 14]. */
  static int binOf(float p) {
    int bin = (int) Math.floor(p * (double) CALIBRATION_BINS);
    return Math.max(0, Math.min(CALIBRATION_BINS - 1, bin));
  }

  /** A binary serde with a leading format version (the evaluator's own stores only). */
  public static Serde<MetricsTally> serde() {
    Serializer<MetricsTally> serializer = (topic, tally) -> tally == null ? null : tally.write();
    Deserializer<MetricsTally> deserializer = (topic, bytes) -> bytes == null ? null : read(topic, bytes);
    return Serdes.serdeFrom(serializer, deserializer);
  }

  private byte[] write() {
    int size = 1 + 11 * Long.BYTES + 6 * Double.BYTES + Integer.BYTES
        + perLabel.size() * (Integer.BYTES + 3 * Long.BYTES)
        + 2 * CALIBRATION_BINS * (2 * Long.BYTES + 4 * Double.BYTES) + latency.serializedSize();
    ByteBuffer buffer = ByteBuffer.allocate(size);
    buffer.put(FORMAT_VERSION)
        .putLong(turns).putLong(teacherAgreements).putLong(lateTurns)
        .putLong(klTurns).putDouble(klSum)
        .putLong(goldTurns).putLong(goldCorrect)
        .putLong(crossEntropyTurns).putDouble(crossEntropySum)
        .putLong(oosPredicted).putLong(oosGold).putLong(oosBoth)
        .putDouble(weightSum).putDouble(weightedAgreements)
        .putLong(goldOnlyTurns).putDouble(klWeightSum).putDouble(klWeightedSum);
    buffer.putInt(perLabel.size());
    perLabel.forEach((label, counts) -> buffer.putInt(label).putLong(counts[TP]).putLong(counts[FP])
        .putLong(counts[FN]));
    for (Calibration calibration : new Calibration[] {teacherCalibration, goldCalibration}) {
      for (int b = 0; b < CALIBRATION_BINS; b++) {
        buffer.putLong(calibration.turns[b]).putLong(calibration.correct[b]).putDouble(calibration.probability[b])
            .putDouble(calibration.weight[b]).putDouble(calibration.weightedCorrect[b])
            .putDouble(calibration.weightedProbability[b]);
      }
    }
    latency.writeTo(buffer);
    return buffer.array();
  }

  private static MetricsTally read(String topic, byte[] bytes) {
    try {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      byte format = buffer.get();
      if (format != FORMAT_VERSION && format != FORMAT_WEIGHTED_AGREEMENT && format != FORMAT_UNWEIGHTED) {
        throw new SerializationException("a MetricsTally on " + topic + " has format version " + format
            + ", this evaluator reads versions " + FORMAT_UNWEIGHTED + " to " + FORMAT_VERSION);
      }
      long turns = buffer.getLong();
      long agreements = buffer.getLong();
      long late = buffer.getLong();
      long klTurns = buffer.getLong();
      double klSum = buffer.getDouble();
      long goldTurns = buffer.getLong();
      long goldCorrect = buffer.getLong();
      long ceTurns = buffer.getLong();
      double ceSum = buffer.getDouble();
      long oosPredicted = buffer.getLong();
      long oosGold = buffer.getLong();
      long oosBoth = buffer.getLong();
      double weightSum = format == FORMAT_UNWEIGHTED ? turns : buffer.getDouble();
      double weightedAgreements = format == FORMAT_UNWEIGHTED ? agreements : buffer.getDouble();
      boolean current = format == FORMAT_VERSION;
      long goldOnly = current ? buffer.getLong() : 0;
      double klWeightSum = current ? buffer.getDouble() : klTurns;
      double klWeightedSum = current ? buffer.getDouble() : klSum;
      int labels = buffer.getInt();
      Map<Integer, long[]> perLabel = new TreeMap<>();
      for (int i = 0; i < labels; i++) {
        perLabel.put(buffer.getInt(), new long[] {buffer.getLong(), buffer.getLong(), buffer.getLong()});
      }
      Calibration teacher = new Calibration();
      Calibration gold = new Calibration();
      for (Calibration calibration : new Calibration[] {teacher, gold}) {
        for (int b = 0; b < CALIBRATION_BINS; b++) {
          calibration.turns[b] = buffer.getLong();
          calibration.correct[b] = buffer.getLong();
          calibration.probability[b] = buffer.getDouble();
          calibration.weight[b] = current ? buffer.getDouble() : calibration.turns[b];
          calibration.weightedCorrect[b] = current ? buffer.getDouble() : calibration.correct[b];
          calibration.weightedProbability[b] = current ? buffer.getDouble() : calibration.probability[b];
        }
      }
      MetricsTally tally = new MetricsTally(LatencySample.readFrom(buffer));
      tally.turns = turns;
      tally.goldOnlyTurns = goldOnly;
      tally.klWeightSum = klWeightSum;
      tally.klWeightedSum = klWeightedSum;
      tally.teacherAgreements = agreements;
      tally.weightSum = weightSum;
      tally.weightedAgreements = weightedAgreements;
      tally.lateTurns = late;
      tally.klTurns = klTurns;
      tally.klSum = klSum;
      tally.goldTurns = goldTurns;
      tally.goldCorrect = goldCorrect;
      tally.crossEntropyTurns = ceTurns;
      tally.crossEntropySum = ceSum;
      tally.oosPredicted = oosPredicted;
      tally.oosGold = oosGold;
      tally.oosBoth = oosBoth;
      tally.perLabel.putAll(perLabel);
      copy(teacher, tally.teacherCalibration);
      copy(gold, tally.goldCalibration);
      return tally;
    } catch (RuntimeException e) {
      if (e instanceof SerializationException serialization) {
        throw serialization;
      }
      throw new SerializationException("cannot read a MetricsTally from " + bytes.length + " bytes on " + topic, e);
    }
  }

  private static void copy(Calibration from, Calibration to) {
    System.arraycopy(from.turns, 0, to.turns, 0, CALIBRATION_BINS);
    System.arraycopy(from.correct, 0, to.correct, 0, CALIBRATION_BINS);
    System.arraycopy(from.probability, 0, to.probability, 0, CALIBRATION_BINS);
    System.arraycopy(from.weight, 0, to.weight, 0, CALIBRATION_BINS);
    System.arraycopy(from.weightedCorrect, 0, to.weightedCorrect, 0, CALIBRATION_BINS);
    System.arraycopy(from.weightedProbability, 0, to.weightedProbability, 0, CALIBRATION_BINS);
  }
}
