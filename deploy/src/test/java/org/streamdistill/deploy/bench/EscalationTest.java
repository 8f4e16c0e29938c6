package org.streamdistill.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamdistill.teacher.model.TeacherScore;

class EscalationTest {

  private static TeacherScore score(int tokenId, float... logits) {
    int top = 0;
    for (int i = 1; i < logits.length; i++) {
      top = logits[i] > logits[top] ? i : top;
    }
    return new TeacherScore(new int[] {101, tokenId, 102}, false, logits, top);
  }

  @Test
  void shouldTakeTheStrongTeachersOutputWhereTheBaseIsUnsureAndKeepTheBasesTokens() {
    // Given a base sure of turn 0 (top probability ~0.98), unsure of turns 1 and 2 (0.5, ~0.58)
    List<TeacherScore> base = List.of(score(1, 5f, 1f), score(2, 0f, 0f), score(3, 0.3f, 0f));
    List<TeacherScore> strong = List.of(score(7, 0f, 9f), score(8, 0f, 9f), score(9, 9f, 0f));

    // When it escalates below 0.9
    Escalation.Outputs out = new Escalation(0.9).apply(base, strong);

    // Then turns 1 and 2 carry the strong teacher's logits and top label, with the base's token ids
    assertThat(out.escalated()).containsExactly(false, true, true);
    assertThat(out.scores().get(0)).isSameAs(base.get(0));
    assertThat(out.scores().get(1).logits()).containsExactly(0f, 9f);
    assertThat(out.scores().get(1).topIndex()).isEqualTo(1);
    assertThat(out.scores().get(2).topIndex()).isZero();
    assertThat(out.scores().get(2).tokenIds()).containsExactly(101, 3, 102);
    assertThat(out.share()).isEqualTo(2 / 3.0);
    assertThat(out.share(2)).isEqualTo(0.5);
    // a threshold under every top probability escalates nothing
    assertThat(new Escalation(0.4).apply(base, strong).share()).isZero();
  }

  @Test
  void shouldPayTheStrongTeacherOnlyOnTheTurnsThatEscalate() {
    // 100 turns/s alone, a strong teacher at 25: with none escalated the base's rate, with all the two in turn
    assertThat(Escalation.turnsPerSecond(100, 25, 0)).isEqualTo(100.0);
    assertThat(Escalation.turnsPerSecond(100, 25, 1)).isCloseTo(20.0, within(1e-9));
    assertThat(Escalation.turnsPerSecond(100, 25, 0.1)).isCloseTo(1 / (0.01 + 0.004), within(1e-9));
  }

  @Test
  void shouldRefuseOutputsOfOtherTurnsAndAThresholdOutsideZeroToOne() {
    assertThatThrownBy(() -> new Escalation(0.9).apply(List.of(score(1, 1f, 0f)), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not the same turns");
    assertThatThrownBy(() -> new Escalation(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Escalation(1.5)).isInstanceOf(IllegalArgumentException.class);
  }
}
