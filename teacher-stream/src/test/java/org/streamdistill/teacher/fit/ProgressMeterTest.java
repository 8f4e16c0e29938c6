package org.streamdistill.teacher.fit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressMeterTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void shouldReportAtMostOncePerIntervalWithRateAndWorkBasedEta() {
    // Given 100 items worth 1000 units of work, a report interval of 5 s
    AtomicLong clock = new AtomicLong(0);
    List<String> lines = new ArrayList<>();
    ProgressMeter meter = new ProgressMeter("embedding", "sentences", 100, 1000, lines::add, clock::get, 5 * SECOND);

    // When
    clock.set(1 * SECOND);
    meter.advance(10, 50);
    clock.set(5 * SECOND);
    meter.advance(10, 50);
    clock.set(6 * SECOND);
    meter.advance(10, 100);
    clock.set(10 * SECOND);
    meter.advance(70, 800);
    double rate = meter.finish();

    // Then: after 5 s, 100 of 1000 units done -> 900 left at 20 units/s = 45 s; the last advance
    // completes the work, so only the closing line follows
    assertThat(lines).containsExactly(
        "embedding: 20/100 sentences (10% of the work), 4 sentences/s, ETA 45 s",
        "embedding: 100 sentences in 10.0 s, 10 sentences/s");
    assertThat(rate).isEqualTo(10.0);
  }
}
