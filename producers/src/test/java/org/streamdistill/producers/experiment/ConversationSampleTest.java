package org.streamdistill.producers.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ConversationSampleTest {

  private static List<Boolean> decisions(ConversationSample sample) {
    return IntStream.range(0, 10_000)
        .mapToObj(i -> sample.keeps(("conv-" + i).getBytes(StandardCharsets.UTF_8))).toList();
  }

  @Test
  void shouldKeepAboutTheFractionTheSameForTheSameSeedAndOtherwiseForAnother() {
    List<Boolean> first = decisions(new ConversationSample(42, 0.3));
    List<Boolean> again = decisions(new ConversationSample(42, 0.3));
    List<Boolean> other = decisions(new ConversationSample(43, 0.3));

    assertThat(first).isEqualTo(again).isNotEqualTo(other);
    assertThat(first.stream().filter(b -> b).count() / 10_000.0).isBetween(0.28, 0.32);
  }

  @Test
  void shouldKeepEverythingAtOneAndNothingAtZero() {
    assertThat(decisions(new ConversationSample(1, 1.0))).containsOnly(true);
    assertThat(decisions(new ConversationSample(1, 0.0))).containsOnly(false);
    assertThat(new ConversationSample(1, 1.0).keeps(null)).isTrue();
  }
}
