package org.streamdistill.evaluator.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class PromotionStateTest {

  private final Serde<PromotionState> serde = PromotionState.serde();

  @Test
  void shouldRoundTripThroughTheStoreSerde() {
    PromotionState state = new PromotionState("champ-1", "chal-9", null, 17, 3,
        new PairedTally(600, 500, 480, 60, 40), new PairedTally(120, 100, 90, 15, 5));

    byte[] bytes = serde.serializer().serialize("t", state);

    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(state);
    assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", PromotionState.INITIAL)))
        .isEqualTo(PromotionState.INITIAL);
  }

  @Test
  void shouldRefuseAnUnknownFormatVersion() {
    byte[] bytes = serde.serializer().serialize("t", PromotionState.INITIAL);
    bytes[0] = 9;

    assertThatThrownBy(() -> serde.deserializer().deserialize("promotion-state-changelog", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessage("promotion state on promotion-state-changelog has format version 9, this evaluator reads version 1");
  }
}
