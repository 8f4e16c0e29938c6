package org.streamdistill.teacher.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class UncertaintyPolicyTest {

  @Test
  void shouldSendTurnsUnderTheTopProbabilityThresholdAndSkipTheConfidentOnes() {
    // Given a threshold of 0.6 on the top probability and no audit
    UncertaintyPolicy policy = new UncertaintyPolicy(UncertaintyMeasure.TOP_PROBABILITY, 0.6, 0.0, new TurnDraw(3));

    // When the student is sure of one turn, unsure of another, and there is no champion for a third
    List<Selection> decisions = policy.decide(List.of(
        new Candidate("sure", new float[] {0.9f, 0.05f, 0.05f}),
        new Candidate("unsure", new float[] {0.5f, 0.3f, 0.2f}),
        new Candidate("no-champion", null)), 0);

    // Then
    assertThat(decisions).containsExactly(
        new Selection(false, SelectionReason.CONFIDENT, 0),
        new Selection(true, SelectionReason.UNCERTAIN, 1.0),
        new Selection(true, SelectionReason.ALL, 1.0));
  }

  @Test
  void shouldMeasureTheMarginBetweenTheTwoTopClassesWhenAsked() {
    // Given a threshold of 0.2 on the margin
    UncertaintyPolicy policy = new UncertaintyPolicy(UncertaintyMeasure.MARGIN, 0.2, 0.0, new TurnDraw(3));

    // When the top probability is low but far ahead, or high but close to the second
    List<Selection> decisions = policy.decide(List.of(
        new Candidate("far-ahead", new float[] {0.4f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f}),
        new Candidate("close-call", new float[] {0.55f, 0.45f})), 0);

    // Then only the close call goes to the teacher
    assertThat(decisions).extracting(Selection::reason)
        .containsExactly(SelectionReason.CONFIDENT, SelectionReason.UNCERTAIN);
  }

  @Test
  void shouldAuditTheShareOfConfidentTurnsWithThatShareAsTheirProbability() {
    // Given an audit share of 0.2 and a student sure of every turn
    UncertaintyPolicy policy = new UncertaintyPolicy(UncertaintyMeasure.TOP_PROBABILITY, 0.6, 0.2, new TurnDraw(5));

    // When it decides on 10,000 turns
    List<Selection> decisions = policy.decide(Windows.sure("t", 10_000, 0.95f), 0);

    // Then about a fifth are audited, at probability 0.2, and the rest skipped as confident
    assertThat(Windows.count(decisions, SelectionReason.AUDIT) / 10_000.0).isCloseTo(0.2, within(0.015));
    assertThat(decisions).filteredOn(Selection::toTeacher).extracting(Selection::probability).containsOnly(0.2);
    assertThat(Windows.count(decisions, SelectionReason.AUDIT) + Windows.count(decisions, SelectionReason.CONFIDENT))
        .isEqualTo(10_000);
  }
}
