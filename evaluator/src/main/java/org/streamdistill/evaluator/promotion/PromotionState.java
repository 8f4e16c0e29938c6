package org.streamdistill.evaluator.promotion;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Everything the promotion policy remembers about one model name between turns. Immutable: the
 * policy returns a new state per turn, the processor stores it.
 *
 * @param championVersion the champion the current counters compare against, null for none
 * @param latestChallengerVersion the challenger version on the latest turn (the one a
 *     promotion names), null before the first turn
 * @param promotedVersion the version this policy last promoted, null if it never promoted
 * @param cooldownRemaining turns still to skip after a promotion
 * @param looks evaluations taken in the current comparison (spends alpha)
 * @param teacher paired table on teacher agreement
 * @param gold paired table on gold-labelled turns only
 */
public record PromotionState(
    String championVersion,
    String latestChallengerVersion,
    String promotedVersion,
    long cooldownRemaining,
    int looks,
    PairedTally teacher,
    PairedTally gold) {

  /** The state of a model name never seen before. */
  public static final PromotionState INITIAL =
      new PromotionState(null, null, null, 0, 0, PairedTally.EMPTY, PairedTally.EMPTY);

  private static final byte FORMAT_VERSION = 1;

  public PromotionState {
    Objects.requireNonNull(teacher, "teacher");
    Objects.requireNonNull(gold, "gold");
  }

  PromotionState withLatestChallenger(String version) {
    return new PromotionState(championVersion, version, promotedVersion, cooldownRemaining, looks, teacher, gold);
  }

  PromotionState withCooldownRemaining(long turns) {
    return new PromotionState(championVersion, latestChallengerVersion, promotedVersion, turns, looks, teacher, gold);
  }

  PromotionState withLooks(int count) {
    return new PromotionState(championVersion, latestChallengerVersion, promotedVersion, cooldownRemaining, count,
        teacher, gold);
  }

  /** Fresh counters against {@code champion}: a new comparison with its own alpha budget. */
  PromotionState startComparison(String champion) {
    return new PromotionState(champion, latestChallengerVersion, promotedVersion, cooldownRemaining, 0,
        PairedTally.EMPTY, PairedTally.EMPTY);
  }

  /** This state with {@code turn} counted (a missing champion counts as wrong). */
  PromotionState count(PairedTurn turn) {
    PairedTally nextGold = turn.hasGold()
        ? gold.add(turn.challengerGoldCorrect(), turn.championGoldCorrect())
        : gold;
    return new PromotionState(championVersion, latestChallengerVersion, promotedVersion, cooldownRemaining, looks,
        teacher.add(turn.challengerAgreesWithTeacher(), turn.championAgreesWithTeacher()), nextGold);
  }

  /** The state right after promoting {@code version}: counters reset, cooldown started. */
  PromotionState afterPromotion(String version, long cooldown) {
    return new PromotionState(championVersion, latestChallengerVersion, version, cooldown, 0,
        PairedTally.EMPTY, PairedTally.EMPTY);
  }

  /**
   * A serde for the state store. The first byte is a format version so that a later layout
   * can still read states written by this one.
   */
  public static Serde<PromotionState> serde() {
    Serializer<PromotionState> serializer = (topic, state) -> state == null ? null : write(state);
    Deserializer<PromotionState> deserializer = (topic, bytes) -> bytes == null ? null : read(topic, bytes);
    return Serdes.serdeFrom(serializer, deserializer);
  }

  private static byte[] write(PromotionState state) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT_VERSION);
      writeNullable(out, state.championVersion);
      writeNullable(out, state.latestChallengerVersion);
      writeNullable(out, state.promotedVersion);
      out.writeLong(state.cooldownRemaining);
      out.writeInt(state.looks);
      writeTally(out, state.teacher);
      writeTally(out, state.gold);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    }
    return bytes.toByteArray();
  }

  private static PromotionState read(String topic, byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte format = in.readByte();
      if (format != FORMAT_VERSION) {
        throw new SerializationException("promotion state on " + topic + " has format version " + format
            + ", this evaluator reads version " + FORMAT_VERSION);
      }
      return new PromotionState(readNullable(in), readNullable(in), readNullable(in), in.readLong(), in.readInt(),
          readTally(in), readTally(in));
    } catch (IOException e) {
      throw new SerializationException("cannot read a promotion state of " + bytes.length + " bytes on " + topic, e);
    }
  }

  private static void writeNullable(DataOutputStream out, String value) throws IOException {
    out.writeBoolean(value != null);
    if (value != null) {
      out.writeUTF(value);
    }
  }

  private static String readNullable(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }

  private static void writeTally(DataOutputStream out, PairedTally tally) throws IOException {
    out.writeLong(tally.pairs());
    out.writeLong(tally.challengerCorrect());
    out.writeLong(tally.championCorrect());
    out.writeLong(tally.challengerOnlyCorrect());
    out.writeLong(tally.championOnlyCorrect());
  }

  private static PairedTally readTally(DataInputStream in) throws IOException {
    return new PairedTally(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
  }
}
