package org.streamdistill.teacher.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FallbackScorerTest {

  @Test
  void shouldGiveTheFallbacksLogitsWithTheTeachersIdsAndLabelSet() throws Exception {
    FallbackScorer scorer = FallbackScorer.of(new TeacherScoringOperatorHarnessTest.ScriptedScorer(),
        new SelectionGateHarnessTest.ScriptedFallback(List.of("balance", "greeting")));

    TurnScorer.Score score = scorer.score(List.of("hello")).get(0);

    assertThat(score.tokenIds()).containsExactly(101, "hello".length(), 102);
    assertThat(score.logits()).containsExactly(1f, (float) "hello".length());
    assertThat(List.of(scorer.version(), scorer.labelSetId())).containsExactly("cheap-v1", "two-labels");
  }

  @Test
  void shouldFailRatherThanHandOnTheFallbacksOwnIdsWhenTheTeachersTokenizerAnswersWrongly() {
    TeacherScoringOperatorHarnessTest.ScriptedScorer teacher = new TeacherScoringOperatorHarnessTest.ScriptedScorer();
    teacher.tokenizeNothing = true;
    FallbackScorer scorer = FallbackScorer.of(teacher,
        new SelectionGateHarnessTest.ScriptedFallback(List.of("balance", "greeting")));

    assertThatThrownBy(() -> scorer.score(List.of("a", "b")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("teacher scripted-v1 returned 0 tokenizations for a batch of 2 texts");
  }
}
