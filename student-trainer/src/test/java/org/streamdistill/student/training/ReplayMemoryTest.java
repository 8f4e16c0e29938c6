package org.streamdistill.student.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The replay memory: a ring of the newest turns, uniform draws, and a state that resumes the same draws. */
class ReplayMemoryTest {

  private static ReplayMemory.Entry turn(int id) {
    return new ReplayMemory.Entry(new int[] {101, id, 102}, new float[] {id, -id, 0.5f}, 2f, id % 2 == 0 ? id % 3 : -1);
  }

  private static int id(ReplayMemory.Entry e) {
    return e.tokens()[1];
  }

  @Test
  void shouldDrawOnlyTheNewestTurnsItHoldsAndEachOfThemAboutEquallyOften() {
    // Given a memory of 4 that has seen turns 1 to 6
    ReplayMemory memory = new ReplayMemory(4, 11);
    assertThat(memory.sample(3)).isEmpty();
    for (int i = 1; i <= 6; i++) {
      memory.add(turn(i));
    }

    // When 40,000 turns are drawn
    Map<Integer, Integer> counts = new HashMap<>();
    for (ReplayMemory.Entry e : memory.sample(40_000)) {
      counts.merge(id(e), 1, Integer::sum);
    }

    // Then only 3 to 6 come out (1 and 2 were forgotten), each about a quarter of the time
    assertThat(memory.size()).isEqualTo(4);
    assertThat(counts).containsOnlyKeys(3, 4, 5, 6);
    counts.values().forEach(n -> assertThat(n).isBetween(9_500, 10_500));
  }

  @Test
  void shouldResumeTheSameDrawsFromItsSavedStateAndKeepTheNewestInASmallerRing() {
    // Given a memory that has drawn a little, saved
    ReplayMemory memory = new ReplayMemory(5, 3);
    for (int i = 1; i <= 7; i++) {
      memory.add(turn(i));
    }
    memory.sample(10);
    byte[] saved = memory.toBytes();

    // When it and its restored copy both draw next
    ReplayMemory restored = ReplayMemory.fromBytes(saved, 5);
    List<ReplayMemory.Entry> original = memory.sample(50);
    List<ReplayMemory.Entry> again = restored.sample(50);

    // Then they draw the same turns, with the same content
    assertThat(again).hasSize(50);
    for (int i = 0; i < 50; i++) {
      assertThat(again.get(i).tokens()).containsExactly(original.get(i).tokens());
      assertThat(again.get(i).logits()).containsExactly(original.get(i).logits());
      assertThat(again.get(i).temperature()).isEqualTo(original.get(i).temperature());
      assertThat(again.get(i).gold()).isEqualTo(original.get(i).gold());
    }

    // And a gold-only turn (no teacher logits) survives the round trip as one
    ReplayMemory withGoldOnly = new ReplayMemory(2, 5);
    withGoldOnly.add(new ReplayMemory.Entry(new int[] {101, 9, 102}, null, 2f, 4));
    ReplayMemory.Entry back = ReplayMemory.fromBytes(withGoldOnly.toBytes(), 2).sample(1).get(0);
    assertThat(back.logits()).isNull();
    assertThat(back.gold()).isEqualTo(4);
    assertThat(back.tokens()).containsExactly(101, 9, 102);

    // And restored into a ring of 2, it keeps the two newest (6 and 7)
    ReplayMemory small = ReplayMemory.fromBytes(saved, 2);
    assertThat(small.size()).isEqualTo(2);
    assertThat(small.sample(200).stream().map(ReplayMemoryTest::id).distinct().sorted().toList()).containsExactly(6, 7);
  }

  @Test
  void shouldRefuseBytesThatAreNotAReplayMemory() {
    byte[] saved = new ReplayMemory(3, 1).toBytes();
    ReplayMemory full = new ReplayMemory(3, 1);
    full.add(turn(4));
    byte[] one = full.toBytes();

    assertThatThrownBy(() -> ReplayMemory.fromBytes(Arrays.copyOf(one, 32), 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ends in the middle of a turn");
    byte[] otherFormat = saved.clone();
    otherFormat[3] = 7;
    assertThatThrownBy(() -> ReplayMemory.fromBytes(otherFormat, 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("replay memory format 7 is not 1");
    byte[] hugeCount = saved.clone();
    hugeCount[12] = 0x7f;
    assertThatThrownBy(() -> ReplayMemory.fromBytes(hugeCount, 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("implausible turn count");
    assertThatThrownBy(() -> new ReplayMemory(0, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
