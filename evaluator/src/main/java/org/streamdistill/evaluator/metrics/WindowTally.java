package org.streamdistill.evaluator.metrics;

import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.kstream.Window;
import org.streamdistill.records.RollingMetrics;

/**
 * Counts of one model's outcomes within one window: the aggregate the window store keeps.
 * Counts, not shares, so that adding a turn is exact and shares are computed once, at the end.
 *
 * @param turns turns the model predicted
 * @param teacherAgreements turns whose top label was the teacher's
 * @param goldTurns turns that carried a gold label
 * @param goldCorrect gold turns the model got right
 */
public record WindowTally(long turns, long teacherAgreements, long goldTurns, long goldCorrect) {

  /** The tally of a window with no turns yet. */
  public static final WindowTally EMPTY = new WindowTally(0, 0, 0, 0);

  private static final int BYTES = 4 * Long.BYTES;

  /** This tally plus one turn. */
  public WindowTally add(TurnOutcome outcome) {
    return new WindowTally(
        turns + 1,
        teacherAgreements + (outcome.agreesWithTeacher() ? 1 : 0),
        goldTurns + (outcome.hasGold() ? 1 : 0),
        goldCorrect + (outcome.goldCorrect() ? 1 : 0));
  }

  /** The metrics record of this tally for {@code key} over {@code window}. */
  public RollingMetrics toRollingMetrics(ModelKey key, Window window) {
    return RollingMetrics.newBuilder()
        .setModelVersion(key.modelVersion())
        .setRole(key.role())
        .setWindowStart(Instant.ofEpochMilli(window.start()))
        .setWindowEnd(Instant.ofEpochMilli(window.end()))
        .setTurns(turns)
        .setTeacherAgreements(teacherAgreements)
        .setTeacherAgreement(turns == 0 ? 0.0 : (double) teacherAgreements / turns)
        .setGoldTurns(goldTurns)
        .setGoldCorrect(goldCorrect)
        .setGoldAccuracy(goldTurns == 0 ? null : (double) goldCorrect / goldTurns)
        .build();
  }

  /** A fixed 32-byte serde (four big-endian longs). */
  public static Serde<WindowTally> serde() {
    Serializer<WindowTally> serializer = (topic, tally) -> tally == null ? null : ByteBuffer.allocate(BYTES)
        .putLong(tally.turns).putLong(tally.teacherAgreements)
        .putLong(tally.goldTurns).putLong(tally.goldCorrect)
        .array();
    Deserializer<WindowTally> deserializer = (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      if (bytes.length != BYTES) {
        throw new SerializationException("a WindowTally is " + BYTES + " bytes, got " + bytes.length + " on " + topic);
      }
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      return new WindowTally(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong());
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
