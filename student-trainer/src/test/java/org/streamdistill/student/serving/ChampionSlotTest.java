package org.streamdistill.student.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChampionSlotTest {

  @TempDir
  Path dir;

  @Test
  void shouldCloseASwappedOutModelOnlyWhenItsLastRequestReleasesIt() throws Exception {
    AtomicInteger closedA = new AtomicInteger();
    AtomicInteger closedB = new AtomicInteger();
    ServedModel a = served("student-v1", 1, closedA);
    ServedModel b = served("student-v2", 2, closedB);
    try (ChampionSlot slot = new ChampionSlot()) {
      assertThat(slot.acquire()).isNull();
      slot.swap(a);
      ServedModel first = slot.acquire();
      ServedModel second = slot.acquire();

      slot.swap(b);

      assertThat(first).isSameAs(a);
      assertThat(slot.version()).isEqualTo("student-v2");
      assertThat(closedA).hasValue(0);
      // a request still running on the old model can finish on it
      assertThat(first.model().probabilities(new int[] {101, 2000, 102})).hasSize(3);
      first.release();
      assertThat(closedA).hasValue(0);
      second.release();
      assertThat(closedA).hasValue(1);
      assertThat(a.isClosed()).isTrue();
      assertThat(a.tryRetain()).isFalse();
      ServedModel next = slot.acquire();
      assertThat(next).isSameAs(b);
      next.release();
      assertThat(closedB).hasValue(0);
    }
    assertThat(closedB).hasValue(1);
  }

  private ServedModel served(String version, long seed, AtomicInteger closed) throws Exception {
    Path file = ExportedModels.export(ExportedModels.model(seed), version, dir);
    return new ServedModel(OnnxStudent.open(file, 1), closed::incrementAndGet);
  }
}
