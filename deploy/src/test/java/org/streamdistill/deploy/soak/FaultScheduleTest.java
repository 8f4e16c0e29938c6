package org.streamdistill.deploy.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {

  @Test
  void shouldSpaceFaultsEvenlyAndInjectEveryKindOncePerRound() {
    List<Fault> kinds = List.of(Fault.values());

    List<FaultSchedule.Planned> plan = FaultSchedule.plan(kinds, 7, 15_000, 20 * 60_000, 35_000);

    assertThat(plan).hasSize(34);
    assertThat(plan).extracting(FaultSchedule.Planned::atMillis).startsWith(15_000L, 50_000L, 85_000L)
        .endsWith(15_000L + 33 * 35_000L);
    for (int round = 0; round + kinds.size() <= plan.size(); round += kinds.size()) {
      assertThat(EnumSet.copyOf(plan.subList(round, round + kinds.size()).stream()
          .map(FaultSchedule.Planned::fault).toList())).containsExactlyInAnyOrderElementsOf(kinds);
    }
  }

  @Test
  void shouldGiveTheSameScheduleForTheSameSeedAndAnotherForAnotherSeed() {
    List<Fault> kinds = List.of(Fault.values());

    assertThat(FaultSchedule.plan(kinds, 1, 0, 600_000, 20_000))
        .isEqualTo(FaultSchedule.plan(kinds, 1, 0, 600_000, 20_000))
        .isNotEqualTo(FaultSchedule.plan(kinds, 2, 0, 600_000, 20_000));
  }

  @Test
  void shouldRefuseAnEmptyKindListOrInterval() {
    assertThatThrownBy(() -> FaultSchedule.plan(List.of(), 1, 0, 1_000, 100)).hasMessageContaining("no fault kinds");
    assertThatThrownBy(() -> FaultSchedule.plan(List.of(Fault.BAD_HTTP), 1, 0, 1_000, 0))
        .hasMessageContaining("must be > 0 ms");
  }
}
