package org.streamdistill.producers.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OffsetBoundTest {

  @Test
  void shouldReadNothingOneOffsetForAllOrOnePerPartition() {
    assertThat(OffsetBound.parse("").isPresent()).isFalse();
    assertThat(OffsetBound.parse("500").offsetFor(3)).isEqualTo(500);
    OffsetBound perPartition = OffsetBound.parse("0:12, 1:40");
    assertThat(perPartition.perPartition()).isEqualTo(Map.of(0, 12L, 1, 40L));
    assertThat(perPartition.offsetFor(1)).isEqualTo(40);
    assertThatThrownBy(() -> perPartition.offsetFor(2)).hasMessageStartingWith("no offset for partition 2");
  }

  @Test
  void shouldRefuseMalformedBoundsNamingThePart() {
    assertThatThrownBy(() -> OffsetBound.parse("0:1,x:2")).hasMessage("'x' is not a partition number");
    assertThatThrownBy(() -> OffsetBound.parse("0:1:2")).hasMessage("'0:1:2' is not partition:offset");
    assertThatThrownBy(() -> OffsetBound.parse("-3")).hasMessage("offset must be >= 0, got -3");
    assertThatThrownBy(() -> OffsetBound.parse("0:1,0:2")).hasMessage("partition 0 is given twice");
  }
}
