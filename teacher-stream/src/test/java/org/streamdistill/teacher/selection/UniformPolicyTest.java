package org.streamdistill.teacher.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class UniformPolicyTest {

  @Test
  void shouldSendTheRateAndTheAuditShareOfTurnsWithTheirCombinedProbability() {
    // Given a uniform policy at rate 0.3 with an audit share of 0.1
    UniformPolicy policy = new UniformPolicy(0.3, 0.1, new TurnDraw(7));
    List<Candidate> turns = Windows.random("t", 20_000, 1);

    // When it decides on 20,000 turns
    List<Selection> decisions = policy.decide(turns, 0);

    // Then about 0.1 + 0.9 x 0.3 = 0.37 go to the teacher, each stamped with that probability
    assertThat(Windows.selected(decisions) / 20_000.0).isCloseTo(0.37, within(0.015));
    assertThat(Windows.count(decisions, SelectionReason.AUDIT) / 20_000.0).isCloseTo(0.1, within(0.01));
    assertThat(decisions).filteredOn(Selection::toTeacher).extracting(Selection::probability)
        .containsOnly(0.1 + 0.9 * 0.3);
    assertThat(decisions).filteredOn(s -> !s.toTeacher()).extracting(Selection::reason)
        .containsOnly(SelectionReason.NOT_DRAWN);
  }

  @Test
  void shouldDecideEachTurnTheSameWayForTheSameSeedWhateverItsWindow() {
    // Given the same turns decided in one window and in windows of one turn
    List<Candidate> turns = Windows.random("t", 500, 2);
    List<Selection> together = new UniformPolicy(0.5, 0.0, new TurnDraw(11)).decide(turns, 0);
    UniformPolicy alone = new UniformPolicy(0.5, 0.0, new TurnDraw(11));

    // Then each turn gets the same decision (a replay after a restart decides as the first run)
    for (int i = 0; i < turns.size(); i++) {
      assertThat(alone.decide(List.of(turns.get(i)), i)).containsExactly(together.get(i));
    }
    // and another seed draws other turns
    assertThat(new UniformPolicy(0.5, 0.0, new TurnDraw(12)).decide(turns, 0)).isNotEqualTo(together);
  }

  @Test
  void shouldRefuseARateOutsideZeroToOne() {
    assertThatThrownBy(() -> new UniformPolicy(0, 0.1, new TurnDraw(1)))
        .hasMessage("uniform rate must be in (0, 1], got 0.0");
    assertThatThrownBy(() -> new UniformPolicy(0.5, 1.5, new TurnDraw(1)))
        .hasMessage("audit share must be in [0, 1], got 1.5");
  }
}
