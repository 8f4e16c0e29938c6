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
 * @param promotedVersion the version this policy last made champion (by a promotion or a
 *     rollback), null if it never did
 * @param cooldownRemaining turns still to skip after a promotion or rollback
 * @param looks evaluations taken in the current promotion comparison (spends alpha)
 * @param teacher promotion comparison's paired table on teacher agreement
 * @param gold promotion comparison's paired table on gold-labelled turns only
 * @param replacedVersion the champion the latest promotion replaced, which the rollback watch
 *     compares {@code promotedVersion} with; null when there is nothing to watch
 * @param watchLooks evaluations taken in the rollback watch (spends its own alpha)
 * @param watchTeacher rollback watch's paired table on teacher agreement (previous champion in
 *     the challenger columns)
 * @param watchGold rollback watch's paired table on gold-labelled turns only
 * @param awaitedTurns turns skipped since the latest promotion or rollback because they did not
 *     yet carry {@code promotedVersion} as champion (the trainer had not switched); set to {@link
 *     Long#MAX_VALUE} once a turn carries it, so that nothing more is awaited
 */
public record PromotionState(
    String championVersion,
    String latestChallengerVersion,
    String promotedVersion,
    long cooldownRemaining,
    int looks,
    PairedTally teacher,
    PairedTally gold,
    String replacedVersion,
    int watchLooks,
    PairedTally watchTeacher,
    PairedTally watchGold,
    long awaitedTurns) {

  /** The state of a model name never seen before. */
  public static final PromotionState INITIAL = new PromotionState(null, null, null, 0, 0, PairedTally.EMPTY,
      PairedTally.EMPTY, null, 0, PairedTally.EMPTY, PairedTally.EMPTY);

  /**
   * Version 1 had no rollback watch, version 2 no weights, version 3 no awaited turns; all are
   * still read (an empty watch, weights 1, nothing awaited).
   */
  private static final byte FORMAT_VERSION = 4;
  private static final byte FORMAT_VERSION_WITHOUT_AWAIT = 3;
  private static final byte FORMAT_VERSION_UNWEIGHTED = 2;
  private static final byte FORMAT_VERSION_WITHOUT_WATCH = 1;

  /** A state that awaits nothing. */
  public PromotionState(String championVersion, String latestChallengerVersion, String promotedVersion,
      long cooldownRemaining, int looks, PairedTally teacher, PairedTally gold, String replacedVersion, int watchLooks,
      PairedTally watchTeacher, PairedTally watchGold) {
    this(championVersion, latestChallengerVersion, promotedVersion, cooldownRemaining, looks, teacher, gold,
        replacedVersion, watchLooks, watchTeacher, watchGold, Long.MAX_VALUE);
  }

  public PromotionState {
    Objects.requireNonNull(teacher, "teacher");
    Objects.requireNonNull(gold, "gold");
    Objects.requireNonNull(watchTeacher, "watchTeacher");
    Objects.requireNonNull(watchGold, "watchGold");
  }

  PromotionState withLatestChallenger(String version) {
    return new PromotionState(championVersion, version, promotedVersion, cooldownRemaining, looks, teacher, gold,
        replacedVersion, watchLooks, watchTeacher, watchGold, awaitedTurns);
  }

  PromotionState withCooldownRemaining(long turns) {
    return new PromotionState(championVersion, latestChallengerVersion, promotedVersion, turns, looks, teacher, gold,
        replacedVersion, watchLooks, watchTeacher, watchGold, awaitedTurns);
  }

  PromotionState withLooks(int count) {
    return new PromotionState(championVersion, latestChallengerVersion, promotedVersion, cooldownRemaining, count,
        teacher, gold, replacedVersion, watchLooks, watchTeacher, watchGold, awaitedTurns);
  }

  PromotionState withWatchLooks(int count) {
    return new PromotionState(championVersion, latestChallengerVersion, promotedVersion, cooldownRemaining, looks,
        teacher, gold, replacedVersion, count, watchTeacher, watchGold, awaitedTurns);
  }

  /**
   * Whether {@code turn} still shows the trainer serving another champion than the version this
   * policy last decided on, and this state has not yet seen it served.
   */
  boolean awaitsSwitch(PairedTurn turn) {
    return promotedVersion != null && awaitedTurns != Long.MAX_VALUE
        && !promotedVersion.equals(turn.championVersion());
  }

  /** This state with one more turn awaited. */
  PromotionState awaited() {
    return new PromotionState(championVersion, latestChallengerVersion, promotedVersion, cooldownRemaining, looks,
        teacher, gold, replacedVersion, watchLooks, watchTeacher, watchGold, awaitedTurns + 1);
  }

  /** This state awaiting nothing more: the trainer serves the new champion, or the wait ran out. */
  PromotionState doneAwaiting() {
    return new PromotionState(championVersion, latestChallengerVersion, promotedVersion, cooldownRemaining, looks,
        teacher, gold, replacedVersion, watchLooks, watchTeacher, watchGold, Long.MAX_VALUE);
  }

  /** Fresh promotion counters against {@code champion}: a new comparison with its own alpha budget. */
  PromotionState startComparison(String champion) {
    return new PromotionState(champion, latestChallengerVersion, promotedVersion, cooldownRemaining, 0,
        PairedTally.EMPTY, PairedTally.EMPTY, replacedVersion, watchLooks, watchTeacher, watchGold, awaitedTurns);
  }

  /**
   * This state with {@code turn} counted in the promotion comparison (a missing champion counts as
   * wrong): in the teacher table with the turn's weight when the teacher scored it, in the gold
   * table with weight 1 when it has gold (every gold-labelled turn reaches the student).
   */
  PromotionState count(PairedTurn turn) {
    PairedTally nextGold = turn.hasGold()
        ? gold.add(turn.challengerGoldCorrect(), turn.championGoldCorrect())
        : gold;
    PairedTally nextTeacher = turn.teacherScored()
        ? teacher.add(turn.challengerAgreesWithTeacher(), turn.championAgreesWithTeacher(), turn.weight())
        : teacher;
    return new PromotionState(championVersion, latestChallengerVersion, promotedVersion, cooldownRemaining, looks,
        nextTeacher, nextGold, replacedVersion, watchLooks, watchTeacher, watchGold, awaitedTurns);
  }

  /**
   * Whether {@code turn} is evidence for the rollback watch: its champion is the version this
   * policy promoted and its previous champion the version that promotion replaced.
   */
  boolean watches(PairedTurn turn) {
    return replacedVersion != null && replacedVersion.equals(turn.previousVersion())
        && Objects.equals(promotedVersion, turn.championVersion());
  }

  /** This state with {@code turn} counted in the rollback watch, the previous champion as challenger. */
  PromotionState countWatch(PairedTurn turn) {
    PairedTally nextGold = turn.hasGold()
        ? watchGold.add(turn.previousGoldCorrect(), turn.championGoldCorrect())
        : watchGold;
    PairedTally nextTeacher = turn.teacherScored()
        ? watchTeacher.add(turn.previousAgreesWithTeacher(), turn.championAgreesWithTeacher(), turn.weight())
        : watchTeacher;
    return new PromotionState(championVersion, latestChallengerVersion, promotedVersion, cooldownRemaining, looks,
        teacher, gold, replacedVersion, watchLooks, nextTeacher, nextGold, awaitedTurns);
  }

  /**
   * The state right after promoting {@code version} over {@code replaced} (null for a
   * bootstrap): counters reset, cooldown started, and a rollback watch against {@code replaced}.
   */
  PromotionState afterPromotion(String version, String replaced, long cooldown) {
    return new PromotionState(championVersion, latestChallengerVersion, version, cooldown, 0,
        PairedTally.EMPTY, PairedTally.EMPTY, replaced, 0, PairedTally.EMPTY, PairedTally.EMPTY, 0);
  }

  /** The state right after rolling back to {@link #replacedVersion}: it serves, nothing is watched. */
  PromotionState afterRollback(long cooldown) {
    return new PromotionState(championVersion, latestChallengerVersion, replacedVersion, cooldown, 0,
        PairedTally.EMPTY, PairedTally.EMPTY, null, 0, PairedTally.EMPTY, PairedTally.EMPTY, 0);
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
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT_VERSION);
      writeNullable(out, state.championVersion);
      writeNullable(out, state.latestChallengerVersion);
      writeNullable(out, state.promotedVersion);
      out.writeLong(state.cooldownRemaining);
      out.writeInt(state.looks);
      writeTally(out, state.teacher);
      writeTally(out, state.gold);
      writeNullable(out, state.replacedVersion);
      out.writeInt(state.watchLooks);
      writeTally(out, state.watchTeacher);
      writeTally(out, state.watchGold);
      out.writeLong(state.awaitedTurns);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    }
    return bytes.toByteArray();
  }

  private static PromotionState read(String topic, byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte format = in.readByte();
      if (format < FORMAT_VERSION_WITHOUT_WATCH || format > FORMAT_VERSION) {
        throw new SerializationException("promotion state on " + topic + " has format version " + format
            + ", this evaluator reads versions " + FORMAT_VERSION_WITHOUT_WATCH + " to " + FORMAT_VERSION);
      }
      boolean weighted = format >= FORMAT_VERSION_WITHOUT_AWAIT;
      String champion = readNullable(in);
      String challenger = readNullable(in);
      String promoted = readNullable(in);
      long cooldown = in.readLong();
      int looks = in.readInt();
      PairedTally teacher = readTally(in, weighted);
      PairedTally gold = readTally(in, weighted);
      if (format == FORMAT_VERSION_WITHOUT_WATCH) {
        return new PromotionState(champion, challenger, promoted, cooldown, looks, teacher, gold, null, 0,
            PairedTally.EMPTY, PairedTally.EMPTY);
      }
      String replaced = readNullable(in);
      int watchLooks = in.readInt();
      PairedTally watchTeacher = readTally(in, weighted);
      PairedTally watchGold = readTally(in, weighted);
      long awaited = format == FORMAT_VERSION ? in.readLong() : Long.MAX_VALUE;
      return new PromotionState(champion, challenger, promoted, cooldown, looks, teacher, gold, replaced, watchLooks,
          watchTeacher, watchGold, awaited);
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
    out.writeDouble(tally.weight());
    out.writeDouble(tally.challengerCorrectWeight());
    out.writeDouble(tally.championCorrectWeight());
    out.writeDouble(tally.challengerOnlyWeight());
    out.writeDouble(tally.championOnlyWeight());
    out.writeDouble(tally.discordantSquaredWeight());
  }

  private static PairedTally readTally(DataInputStream in, boolean weighted) throws IOException {
    PairedTally counts = new PairedTally(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
    if (!weighted) {
      return counts;
    }
    return new PairedTally(counts.pairs(), counts.challengerCorrect(), counts.championCorrect(),
        counts.challengerOnlyCorrect(), counts.championOnlyCorrect(), in.readDouble(), in.readDouble(),
        in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble());
  }
}
