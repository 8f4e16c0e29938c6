package org.streamdistill.producers.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

  @Test
  void shouldFormatBarShareRateAndEta() {
    assertThat(ProgressLine.format("replay", 12_500, 50_000, 10_000_000_000L))
        .isEqualTo("replay [#####---------------] 12,500/50,000 25.0% 1,250 turns/s ETA 0:00:30");
    assertThat(ProgressLine.format("replay", 3_000, 0, 2_000_000_000L)).isEqualTo("replay 3,000 turns 1,500 turns/s");
  }

  @Test
  void shouldPrintAtMostOncePerIntervalAndAlwaysAtTheEnd() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    long[] clock = {0};
    ProgressLine line = new ProgressLine("replay", 4, new PrintStream(bytes, true, StandardCharsets.UTF_8), 1_000,
        () -> clock[0]);

    line.acknowledged(1);
    clock[0] = 1_000_000_000L;
    line.acknowledged(2);
    clock[0] = 1_500_000_000L;
    line.acknowledged(3);
    line.acknowledged(4);

    assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).containsExactly(
        "replay [##########----------] 2/4 50.0% 2 turns/s ETA 0:00:01",
        "replay [####################] 4/4 100.0% 3 turns/s ETA 0:00:00");
  }
}
