package org.streamdistill.schemas.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.streamdistill.schemas.wire.DeadLetterBudget.DeadLetterRateExceededException;

class DeadLetterBudgetTest {

  @Test
  void shouldToleratePoisonNowAndThen() {
    DeadLetterBudget budget = new DeadLetterBudget(0.5, 10, 4);
    for (int i = 0; i < 1_000; i++) {
      if (i % 3 == 0) {
        budget.recordDead("t", "bad");
      } else {
        budget.recordGood();
      }
    }
  }

  @Test
  void shouldNotJudgeBeforeMinRecordsThenStopOnceMoreThanTheFractionOfTheWindowIsDead() {
    DeadLetterBudget budget = new DeadLetterBudget(0.5, 10, 4);
    budget.recordDead("dialogue.turns", "a");
    budget.recordDead("dialogue.turns", "b");
    budget.recordDead("dialogue.turns", "c"); // 3 of 3, but fewer than 4 seen

    assertThatThrownBy(() -> budget.recordDead("dialogue.turns", "unknown schema id 9"))
        .isInstanceOf(DeadLetterRateExceededException.class)
        .hasMessage("4 of the last 4 records of dialogue.turns were dead letters, more than the limit of 50 %: the "
            + "input looks wrong as a whole, so this stage stops instead of draining it into dialogue.turns.dlq. "
            + "Last reason: unknown schema id 9. Fix the writer or the settings it names, or raise the stage's "
            + "dead-letter.max-fraction (1 turns the check off)");
  }

  @Test
  void shouldForgetDeadLettersThatLeftTheWindow() {
    DeadLetterBudget budget = new DeadLetterBudget(0.5, 4, 4);
    budget.recordGood();
    budget.recordGood();
    budget.recordDead("t", "x"); // 1 of 3
    budget.recordDead("t", "x"); // 2 of 4: not more than half
    budget.recordGood(); // window: dead, dead, good, good... oldest good leaves
    assertThatThrownBy(() -> budget.recordDead("t", "x")) // window now: dead, dead, good, dead = 3 of 4
        .isInstanceOf(DeadLetterRateExceededException.class).hasMessageStartingWith("3 of the last 4 records");
  }

  @Test
  void shouldNeverStopWhenTheFractionIsOne() {
    DeadLetterBudget budget = DeadLetterBudget.of(1.0);
    for (int i = 0; i < 5_000; i++) {
      budget.recordDead("t", "x");
    }
    assertThatThrownBy(() -> DeadLetterBudget.of(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
