package org.streamdistill.evaluator.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class PromotionStateTest {

  private final Serde<PromotionState> serde = PromotionState.serde();

  @Test
  void shouldRoundTripThroughTheStoreSerde() {
    PromotionState state = new PromotionState("champ-1", "chal-9", "champ-1", 17, 3,
        new PairedTally(600, 500, 480, 60, 40), new PairedTally(120, 100, 90, 15, 5), "champ-0", 2,
        new PairedTally(400, 300, 310, 20, 30), new PairedTally(40, 30, 31, 2, 3));

    byte[] bytes = serde.serializer().serialize("t", state);

    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(state);
    assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", PromotionState.INITIAL)))
        .isEqualTo(PromotionState.INITIAL);
  }

  @Test
  void shouldRoundTripWeightedTalliesAndReadAnUnweightedStateAsWeightOne() throws IOException {
    // Given a state whose teacher table holds weighted turns
    PairedTally weighted = PairedTally.EMPTY.add(true, false, 20.0).add(false, true, 1.0).add(true, true, 4.0);
    PromotionState state = new PromotionState("champ-1", "chal-9", null, 0, 1, weighted, PairedTally.EMPTY, null, 0,
        PairedTally.EMPTY, PairedTally.EMPTY);

    // When / Then it comes back with its weights
    assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", state))).isEqualTo(state);

    // And a state of format 2 (counts only) reads with every weight 1
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(2);
      out.writeBoolean(true);
      out.writeUTF("champ-1");
      out.writeBoolean(false);
      out.writeBoolean(false);
      out.writeLong(0);
      out.writeInt(1);
      for (long value : new long[] {3, 2, 2, 1, 1, 0, 0, 0, 0, 0}) {
        out.writeLong(value);
      }
      out.writeBoolean(false);
      out.writeInt(0);
      for (int i = 0; i < 10; i++) {
        out.writeLong(0);
      }
    }
    PromotionState old = serde.deserializer().deserialize("t", bytes.toByteArray());
    assertThat(old.teacher()).isEqualTo(new PairedTally(3, 2, 2, 1, 1, 3, 2, 2, 1, 1, 2));
    assertThat(old.teacher().weighted()).isFalse();
  }

  @Test
  void shouldReadAStateWrittenBeforeTheRollbackWatchWithAnEmptyWatch() throws IOException {
    // Given the layout of format version 1
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(1);
      out.writeBoolean(true);
      out.writeUTF("champ-1");
      out.writeBoolean(true);
      out.writeUTF("chal-9");
      out.writeBoolean(false);
      out.writeLong(17);
      out.writeInt(3);
      for (long value : new long[] {600, 500, 480, 60, 40, 120, 100, 90, 15, 5}) {
        out.writeLong(value);
      }
    }

    // When / Then
    assertThat(serde.deserializer().deserialize("t", bytes.toByteArray())).isEqualTo(new PromotionState(
        "champ-1", "chal-9", null, 17, 3, new PairedTally(600, 500, 480, 60, 40), new PairedTally(120, 100, 90, 15, 5),
        null, 0, PairedTally.EMPTY, PairedTally.EMPTY));
  }

  @Test
  void shouldRoundTripTheAwaitedTurnsAndReadAStateOfFormat3AsAwaitingNothing() {
    // Given a state 7 turns into its wait for the trainer's switch
    PromotionState waiting = new PromotionState("champ-1", "chal-9", "chal-5", 0, 0, PairedTally.EMPTY,
        PairedTally.EMPTY, "champ-1", 0, PairedTally.EMPTY, PairedTally.EMPTY, 7);

    // When / Then it comes back 7 turns into the wait
    byte[] bytes = serde.serializer().serialize("t", waiting);
    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(waiting);

    // And the same bytes in format 3 (no awaited turns at the end) read as awaiting nothing
    byte[] format3 = java.util.Arrays.copyOf(bytes, bytes.length - Long.BYTES);
    format3[0] = 3;
    assertThat(serde.deserializer().deserialize("t", format3).awaitedTurns()).isEqualTo(Long.MAX_VALUE);
    assertThat(serde.deserializer().deserialize("t", format3).promotedVersion()).isEqualTo("chal-5");
  }

  @Test
  void shouldRefuseAnUnknownFormatVersion() {
    byte[] bytes = serde.serializer().serialize("t", PromotionState.INITIAL);
    bytes[0] = 9;

    assertThatThrownBy(() -> serde.deserializer().deserialize("promotion-state-changelog", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessage("promotion state on promotion-state-changelog has format version 9, this evaluator reads versions"
            + " 1 to 4");
  }
}
