package org.streamdistill.teacher.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class EnsembleFitTest {

  @Test
  void shouldListEveryGridPointWithAtLeastTwoMembers() {
    assertThat(EnsembleFit.compositions(3, 2)).containsExactly(new int[] {2, 1}, new int[] {1, 2});
    assertThat(EnsembleFit.compositions(4, 3)).containsExactly(
        new int[] {3, 1, 0}, new int[] {3, 0, 1}, new int[] {2, 2, 0}, new int[] {2, 1, 1}, new int[] {2, 0, 2},
        new int[] {1, 3, 0}, new int[] {1, 2, 1}, new int[] {1, 1, 2}, new int[] {1, 0, 3},
        new int[] {0, 3, 1}, new int[] {0, 2, 2}, new int[] {0, 1, 3});
    // 10 steps over 3 members: C(12, 2) points, less the 3 that give one member everything
    assertThat(EnsembleFit.compositions(10, 3)).hasSize(63).allSatisfy(p -> assertThat(p[0] + p[1] + p[2]).isEqualTo(10));
  }

  @Test
  void shouldChooseTheWeightsThatAreRightOnTheValidationSplitThenTheLowestLogLoss() {
    // Given member A, sure of label 0 on every validation example, and member B, sure of the right label
    float[][] a = {{5, 0, 0}, {5, 0, 0}, {5, 0, 0}};
    float[][] b = {{0, 5, 0}, {0, 0, 5}, {0, 5, 0}};
    int[] y = {1, 2, 1};

    // When
    double[] weights = EnsembleFit.searchWeights(List.of(result(a), result(b)), y, -1);

    // Then every grid point with B above A is right on all three (at 0.5 / 0.5 the tie goes to label 0),
    // and of those the log loss is lowest with the most weight on B
    assertThat(weights).containsExactly(new double[] {0.1, 0.9}, within(1e-12));
  }

  @Test
  void shouldLeaveOutAMemberThatOnlyHurtsOnTheValidationSplit() {
    // Given A, always wrong, and B and C, right, B more sure than C
    float[][] a = {{5, 0, 0}, {5, 0, 0}, {5, 0, 0}};
    float[][] b = {{0, 5, 0}, {0, 0, 5}, {0, 5, 0}};
    float[][] c = {{0, 4, 0}, {0, 0, 4}, {0, 4, 0}};

    double[] weights = EnsembleFit.searchWeights(List.of(result(a), result(b), result(c)), new int[] {1, 2, 1}, -1);

    assertThat(weights).containsExactly(new double[] {0.0, 0.9, 0.1}, within(1e-12));
  }

  private static TeacherFit.Result result(float[][] calibrationLogits) {
    return new TeacherFit.Result(null, null, 0, calibrationLogits, new float[0][], null);
  }
}
