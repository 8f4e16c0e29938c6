package org.streamdistill.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DemoSummaryTest {

  @Test
  void shouldSayThereWereNoOutOfScopeTurnsInsteadOfNaN() {
    DemoSummary summary = new DemoSummary();

    assertThat(summary.toText()).contains("no out-of-scope turns").doesNotContain("NaN recall")
        .doesNotContain("oos recall NaN");
    assertThat(summary.toJson().get("teacher_oos_recall").isNull()).isTrue();
  }
}
