package org.streamdistill.deploy.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamdistill.deploy.soak.ReliabilityReport.TurnOutcome;

class ReliabilityReportTest {

  private static Injection injection(Fault fault, long start, Long recovered, String problem) {
    return new Injection(fault, start, "", () -> recovered, () -> problem);
  }

  @Test
  void shouldAggregateRecoveryTimesPerKindAndBlameEachBadTurnOnTheLastFaultBeforeIt() {
    List<Injection> injections = List.of(
        injection(Fault.TRAINER_KILL, 1_000, 4_000L, null),
        injection(Fault.TRAINER_KILL, 10_000, 11_000L, null),
        injection(Fault.TRAINER_KILL, 20_000, 29_000L, null),
        injection(Fault.BAD_HTTP, 30_000, 30_100L, null),
        injection(Fault.BROKER_RESTART, 40_000, null, "probe probe-4 never got its prediction"));
    List<TurnOutcome> turns = List.of(
        new TurnOutcome(500, true, false),      // before any fault
        new TurnOutcome(1_500, false, false),   // fine
        new TurnOutcome(12_000, false, true),   // after the second trainer kill
        new TurnOutcome(41_000, true, false),   // after the broker restart
        new TurnOutcome(42_000, true, true));

    ReliabilityReport report = ReliabilityReport.of(injections, turns);

    assertThat(report.rows()).containsExactly(
        new ReliabilityReport.Row(Fault.BROKER_RESTART, 1, null, null, 1, 2, 1,
            List.of("probe probe-4 never got its prediction")),
        new ReliabilityReport.Row(Fault.TRAINER_KILL, 3, 3_000L, 9_000L, 0, 0, 1, List.of()),
        new ReliabilityReport.Row(Fault.BAD_HTTP, 1, 100L, 100L, 0, 0, 0, List.of()));
    assertThat(report.faults()).isEqualTo(5);
    assertThat(report.kinds()).isEqualTo(3);
    assertThat(report.lost()).isEqualTo(3);
    assertThat(report.duplicated()).isEqualTo(2);
    assertThat(report.problems()).containsExactly("broker-restart: probe probe-4 never got its prediction");
    assertThat(report.table()).contains("| trainer kill -9 | 3 | 3.0 s | 9.0 s | 0 | 0 | 1 |")
        .contains("| **all** (3 kinds; before the first fault: 1 lost, 0 duplicated) | 5 | | | 1 | 3 | 2 |");
  }
}
