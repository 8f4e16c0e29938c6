package org.streamdistill.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.teacher.SmallTeacherBundle;
import org.streamdistill.teacher.model.TeacherScore;

class TeacherOptionsCommandTest {

  private static TeacherScore top(int index) {
    return new TeacherScore(new int[] {101, 102}, false, new float[] {0f, 0f, 0f}, index);
  }

  @Test
  void shouldCountTheTurnsWhoseTopLabelsDifferByNameNotByIndex() {
    // Given two teachers that list the same labels in another order
    List<String> labels = List.of("balance", "transfer", "weather");
    List<String> reordered = List.of("weather", "balance", "transfer");
    // balance/balance, transfer/transfer, weather/balance, weather/weather
    List<TeacherScore> scores = List.of(top(0), top(1), top(2), top(2));
    List<TeacherScore> other = List.of(top(1), top(2), top(1), top(0));

    // Then only the third turn differs, and a teacher never differs from itself
    assertThat(TeacherOptionsCommand.differs(labels, scores, reordered, other)).isEqualTo(1);
    assertThat(TeacherOptionsCommand.differs(labels, scores, labels, scores)).isZero();
    assertThat(TeacherOptionsCommand.differs(labels, scores, labels, other)).isEqualTo(4);
  }

  @Test
  void shouldStreamOnlyThePartOfTheTrainingSplitNoHeadFittedBelowItSaw() throws Exception {
    Clinc150 data = Clinc150.read(SmallTeacherBundle.clinc150Path());

    List<Clinc150.Example> rest = ScoredClinc.train(data, 0.5, 42, 0);

    // the turns at or above 0.5 by text hash, shuffled by the seed; none of the part a head is fitted on
    assertThat(rest).containsExactlyInAnyOrderElementsOf(data.trainWithOos(0.5, 1))
        .doesNotContainAnyElementsOf(data.trainWithOos(0, 0.5)).isNotEqualTo(data.trainWithOos(0.5, 1));
    assertThat(ScoredClinc.train(data, 0.5, 42, 100)).isEqualTo(rest.subList(0, 100));
    assertThat(ScoredClinc.train(data, 0, 42, 0)).isEqualTo(ScoredClinc.train(data, 42, 0)).hasSize(15_100);
  }
}
