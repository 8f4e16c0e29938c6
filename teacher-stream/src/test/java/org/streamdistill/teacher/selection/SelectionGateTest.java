package org.streamdistill.teacher.selection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gate alone: which turns it asks the champion about, and what it then decides. */
class SelectionGateTest {

  /** A champion that records what it was asked and is unsure of texts starting with "unsure". */
  private static final class RecordingChampion implements ChampionStudent {
    final List<List<String>> asked = new ArrayList<>();

    @Override
    public String version() {
      return "student-v1";
    }

    @Override
    public float[][] probabilities(List<String> texts) {
      asked.add(List.copyOf(texts));
      float[][] out = new float[texts.size()][];
      for (int i = 0; i < texts.size(); i++) {
        out[i] = texts.get(i).startsWith("unsure") ? new float[] {0.5f, 0.5f} : new float[] {0.99f, 0.01f};
      }
      return out;
    }

    @Override
    public void close() {}
  }

  private static SelectionGate budgetGate(double turnsPerSecond, long maxLagMillis, ChampionStudent champion) {
    SelectionSettings settings = new SelectionSettings(SelectionSettings.BUDGET, 1.0,
        UncertaintyMeasure.TOP_PROBABILITY, 0.7, turnsPerSecond, 1_000, maxLagMillis, 0.0, 1, 1_000, false);
    return new SelectionGate(settings, new ChampionSource() {
      @Override
      public ChampionStudent current(long nowMillis) {
        return champion;
      }

      @Override
      public void close() {}
    });
  }

  @Test
  void shouldAskTheChampionOnlyAboutTurnsThePolicyCanStillGiveBudgetTo() throws Exception {
    // Given a budget of 1 turn a second with a lag bound of 3 s
    RecordingChampion champion = new RecordingChampion();
    SelectionGate gate = budgetGate(1, 3_000, champion);

    // When at 100 s a window holds two turns 10 s behind and two fresh ones, one of them unsure
    List<Selection> decisions = gate.decide(List.of("old1", "fresh-sure", "old2", "fresh-unsure"),
        List.of("unsure old one", "sure new one", "unsure old two", "unsure new one"),
        new long[] {90_000, 99_500, 90_000, 99_500}, 100_000);

    // Then the champion saw the fresh turns only, and the budget went to the unsure fresh one
    assertThat(champion.asked).containsExactly(List.of("sure new one", "unsure new one"));
    assertThat(decisions).extracting(Selection::reason).containsExactly(SelectionReason.BEHIND,
        SelectionReason.OVER_BUDGET, SelectionReason.BEHIND, SelectionReason.BUDGET);
    assertThat(gate.championVersion()).isEqualTo("student-v1");
  }

  @Test
  void shouldNotAskTheChampionAtAllWhenTheWholeWindowIsBehind() throws Exception {
    RecordingChampion champion = new RecordingChampion();
    SelectionGate gate = budgetGate(10, 3_000, champion);

    List<Selection> decisions = gate.decide(List.of("a", "b"), List.of("unsure a", "sure b"),
        new long[] {50_000, 60_000}, 100_000);

    assertThat(champion.asked).isEmpty();
    assertThat(decisions).extracting(Selection::reason).containsOnly(SelectionReason.BEHIND);
  }

  @Test
  void shouldAskAboutEveryTurnWithoutALagBound() throws Exception {
    RecordingChampion champion = new RecordingChampion();
    SelectionGate gate = budgetGate(1, 0, champion);

    List<Selection> decisions = gate.decide(List.of("a", "b"), List.of("sure a", "unsure b"),
        new long[] {50_000, 60_000}, 100_000);

    assertThat(champion.asked).containsExactly(List.of("sure a", "unsure b"));
    assertThat(decisions).extracting(Selection::reason).containsExactly(SelectionReason.OVER_BUDGET,
        SelectionReason.BUDGET);
  }
}
