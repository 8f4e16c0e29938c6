package org.streamdistill.teacher.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BudgetPolicyTest {

  @Test
  void shouldKeepTheTeacherUnderTheBudgetWhateverTheOfferedLoad() {
    // Given a budget of 50 turns/s with 1 s windows and no audit
    BudgetPolicy policy = new BudgetPolicy(50, 1_000, UncertaintyMeasure.TOP_PROBABILITY, 0.0, new TurnDraw(9));

    // When 32 turns arrive every 10 ms for 10 s (3,200 turns/s, 64 times the budget)
    long sent = 0;
    long offered = 0;
    for (int w = 0; w <= 1_000; w++) {
      List<Selection> decisions = policy.decide(Windows.random("w" + w, 32, w), w * 10L);
      sent += Windows.selected(decisions);
      offered += decisions.size();
    }

    // Then the teacher got the 10 s of budget plus at most the one bucket it started with
    assertThat(offered).isEqualTo(32_032);
    assertThat(sent).isBetween(10L * 50, 10L * 50 + 50);
  }

  @Test
  void shouldSpendTheBudgetOnTheMostUncertainTurnsOfTheWindowFirst() {
    // Given a budget that affords 2 turns per window
    BudgetPolicy policy = new BudgetPolicy(2, 1_000, UncertaintyMeasure.TOP_PROBABILITY, 0.0, new TurnDraw(9));

    // When a window holds five turns of varied confidence
    List<Selection> decisions = policy.decide(List.of(
        new Candidate("a", new float[] {0.9f, 0.1f}),
        new Candidate("b", new float[] {0.55f, 0.45f}),
        new Candidate("c", new float[] {0.8f, 0.2f}),
        new Candidate("d", new float[] {0.6f, 0.4f}),
        new Candidate("e", new float[] {0.99f, 0.01f})), 0);

    // Then the two least confident go, the others are over budget
    assertThat(decisions).extracting(Selection::reason).containsExactly(SelectionReason.OVER_BUDGET,
        SelectionReason.BUDGET, SelectionReason.OVER_BUDGET, SelectionReason.BUDGET, SelectionReason.OVER_BUDGET);
  }

  @Test
  void shouldPassEveryTurnWhileTheLoadStaysUnderTheBudget() {
    // Given a budget of 100 turns/s
    BudgetPolicy policy = new BudgetPolicy(100, 1_000, UncertaintyMeasure.MARGIN, 0.0, new TurnDraw(9));

    // When 10 turns arrive every 200 ms (50 turns/s) for 4 s
    List<Selection> all = new ArrayList<>();
    for (int w = 0; w < 20; w++) {
      all.addAll(policy.decide(Windows.random("w" + w, 10, w), w * 200L));
    }

    // Then none is skipped
    assertThat(all).hasSize(200).allMatch(Selection::toTeacher);
  }

  @Test
  void shouldAuditTurnsOverBudgetAndRankWithoutAChampionByARandomDraw() {
    // Given a budget of 1 turn per window and an audit share of 0.5, and no champion yet
    BudgetPolicy policy = new BudgetPolicy(1, 1_000, UncertaintyMeasure.TOP_PROBABILITY, 0.5, new TurnDraw(4));
    List<Candidate> window = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      window.add(new Candidate("t" + i, null));
    }

    // When one window of 2,000 turns is decided
    List<Selection> decisions = policy.decide(window, 0);

    // Then one goes on the budget and about half of the rest as audit, at probability 0.5
    assertThat(Windows.count(decisions, SelectionReason.BUDGET)).isEqualTo(1);
    assertThat(Windows.count(decisions, SelectionReason.AUDIT)).isBetween(930L, 1_070L);
    assertThat(decisions).filteredOn(s -> s.reason().equals(SelectionReason.AUDIT))
        .extracting(Selection::probability).containsOnly(0.5);
  }

  @Test
  void shouldGiveNoBudgetToTurnsThatReachTheGateLaterThanTheLagBoundButStillAuditThem() {
    // Given a budget of 4 turns per window, a lag bound of 5 s and an audit share of 0.5
    BudgetPolicy policy = new BudgetPolicy(4, 1_000, 5_000, UncertaintyMeasure.TOP_PROBABILITY, 0.5,
        new TurnDraw(4));

    // When at 100 s a window holds 400 turns that entered their topic 6 s ago and two that entered 1 s
    // ago, the fresh ones the most confident of all
    List<Candidate> window = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      window.add(new Candidate("old" + i, new float[] {0.51f, 0.49f}, 94_000));
    }
    window.add(new Candidate("fresh1", new float[] {0.99f, 0.01f}, 99_000));
    window.add(new Candidate("fresh2", new float[] {0.98f, 0.02f}, 99_000));
    List<Selection> decisions = policy.decide(window, 100_000);

    // Then the budget goes to the fresh turns only; the old ones are behind, about half audited
    assertThat(decisions.subList(400, 402)).extracting(Selection::reason)
        .containsOnly(SelectionReason.BUDGET);
    assertThat(Windows.count(decisions, SelectionReason.BUDGET)).isEqualTo(2);
    assertThat(Windows.count(decisions, SelectionReason.BEHIND)).isBetween(170L, 230L);
    assertThat(Windows.count(decisions, SelectionReason.AUDIT)).isEqualTo(400 - Windows.count(decisions,
        SelectionReason.BEHIND));

    // And the two tokens the old turns did not spend are still there for the next window
    List<Selection> next = policy.decide(Windows.random("next", 10, 3), 100_000);
    assertThat(Windows.count(next, SelectionReason.BUDGET)).isEqualTo(2);
  }

  @Test
  void shouldNeverCountATurnWithoutAnEntryTimeOrWithoutALagBoundAsBehind() {
    BudgetPolicy unbounded = new BudgetPolicy(1_000, 1_000, 0, UncertaintyMeasure.TOP_PROBABILITY, 0.0,
        new TurnDraw(4));
    BudgetPolicy bounded = new BudgetPolicy(1_000, 1_000, 5_000, UncertaintyMeasure.TOP_PROBABILITY, 0.0,
        new TurnDraw(4));

    assertThat(unbounded.decide(List.of(new Candidate("old", null, 0)), 3_600_000))
        .extracting(Selection::reason).containsExactly(SelectionReason.BUDGET);
    assertThat(bounded.decide(List.of(new Candidate("unknown", null)), 3_600_000))
        .extracting(Selection::reason).containsExactly(SelectionReason.BUDGET);
    // (a clock ahead of the job's: not behind)
    assertThat(bounded.decide(List.of(new Candidate("future", null, 3_700_000)), 3_600_000))
        .extracting(Selection::reason).containsExactly(SelectionReason.BUDGET);
    assertThatThrownBy(() -> new BudgetPolicy(1, 1_000, -1, UncertaintyMeasure.MARGIN, 0.0, new TurnDraw(1)))
        .hasMessageContaining("lag bound");
  }

  @Test
  void shouldNotNeedTheStudentForATurnBehindTheLagBoundOnly() {
    BudgetPolicy bounded = new BudgetPolicy(10, 1_000, 5_000, UncertaintyMeasure.TOP_PROBABILITY, 0.0,
        new TurnDraw(4));
    BudgetPolicy unbounded = new BudgetPolicy(10, 1_000, 0, UncertaintyMeasure.TOP_PROBABILITY, 0.0,
        new TurnDraw(4));

    assertThat(bounded.needsStudentFor(new Candidate("old", null, 94_000), 100_000)).isFalse();
    assertThat(bounded.needsStudentFor(new Candidate("at-the-bound", null, 95_000), 100_000)).isTrue();
    assertThat(bounded.needsStudentFor(new Candidate("fresh", null, 99_000), 100_000)).isTrue();
    assertThat(bounded.needsStudentFor(new Candidate("unknown", null), 100_000)).isTrue();
    assertThat(unbounded.needsStudentFor(new Candidate("old", null, 0), 100_000)).isTrue();
  }

  @Test
  void shouldRefuseABudgetThatIsNotPositive() {
    assertThatThrownBy(() -> new BudgetPolicy(0, 1_000, UncertaintyMeasure.MARGIN, 0.0, new TurnDraw(1)))
        .hasMessage("budget must be > 0 turns per second, got 0.0");
  }
}
