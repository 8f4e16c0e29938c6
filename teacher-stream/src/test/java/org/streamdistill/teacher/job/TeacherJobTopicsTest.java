package org.streamdistill.teacher.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TeacherJobTopicsTest {

  private static final TurnScorer.Factory NO_SCORER = () -> {
    throw new UnsupportedOperationException("not opened in this test");
  };

  @Test
  void shouldCheckTheModelTopicsOnlyWhenThePolicyAsksTheChampion() {
    TeacherJob all = new TeacherJob(TeacherJobConfig.of(Map.of(TeacherJobConfig.NAMESPACE, "exp1")), NO_SCORER);
    TeacherJob uncertainty = new TeacherJob(TeacherJobConfig.of(Map.of(TeacherJobConfig.NAMESPACE, "exp1",
        TeacherJobConfig.SELECTION_POLICY, "uncertainty")), NO_SCORER);

    assertThat(all.topicsUsed()).containsExactly("exp1.dialogue.turns", "exp1.teacher.soft-labels",
        "exp1.dialogue.turns.dlq");
    assertThat(uncertainty.topicsUsed()).containsExactly("exp1.dialogue.turns", "exp1.teacher.soft-labels",
        "exp1.dialogue.turns.dlq", "exp1.student.checkpoints", "exp1.model.promotions");
  }
}
