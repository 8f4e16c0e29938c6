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
    TurnScorer teacher = new TeacherScoringOperatorHarnessTest.ScriptedScorer();
    TurnScorer noTokens = new TurnScorer() {
      @Override
      public List<Score> score(List<String> texts) throws Exception {
        return teacher.score(texts);
      }

      @Override
      public List<Tokens> tokenize(List<String> texts) {
        return List.of();
      }

      @Override
      public List<String> labels() {
        return teacher.labels();
      }

      @Override
      public String version() {
        return "broken-tokenizer";
      }

      @Override
      public float temperature() {
        return teacher.temperature();
      }

      @Override
      public String labelSetId() {
        return teacher.labelSetId();
      }

      @Override
      public void close() {}
    };
    FallbackScorer scorer = FallbackScorer.of(noTokens,
        new SelectionGateHarnessTest.ScriptedFallback(List.of("balance", "greeting")));

    assertThatThrownBy(() -> scorer.score(List.of("a", "b")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("teacher broken-tokenizer returned 0 tokenizations for a batch of 2 texts");
  }
}
