package org.streamdistill.student.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ParameterTest {

  @Test
  void shouldKeepOneSlotPerTouchedRowAndGrowBeyondTheInitialCapacity() {
    Parameter table = Parameter.rowSparse("embedding", new float[1000 * 2], 1000, 2);

    for (int row = 999; row >= 0; row--) {
      int slot = table.touchRow(row);
      table.gradient()[slot * 2] += row;
    }
    int again = table.touchRow(500);
    table.gradient()[again * 2] += 1;

    assertThat(table.touchedRowCount()).isEqualTo(1000);
    assertThat(table.touchedRow(again)).isEqualTo(500);
    float[] dense = table.gradientAsDense();
    assertThat(dense[500 * 2]).isEqualTo(501f);
    assertThat(dense[999 * 2]).isEqualTo(999f);
    assertThat(dense[999 * 2 + 1]).isZero();
  }

  @Test
  void shouldForgetTouchedRowsWhenGradientIsZeroed() {
    Parameter table = Parameter.rowSparse("embedding", new float[4 * 3], 4, 3);
    table.gradient()[table.touchRow(2) * 3] = 7f;

    table.zeroGradient();
    int slot = table.touchRow(1);

    assertThat(table.touchedRowCount()).isEqualTo(1);
    assertThat(slot).isZero();
    assertThat(table.gradientAsDense()).containsOnly(0f);
  }

  @Test
  void shouldRejectValuesThatDoNotMatchTheShape() {
    assertThatThrownBy(() -> Parameter.dense("w", new float[5], 2, 3))
        .hasMessage("parameter w: shape [2, 3] needs 6 values, got 5");
  }
}
