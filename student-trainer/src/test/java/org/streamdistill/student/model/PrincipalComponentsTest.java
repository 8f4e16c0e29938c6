package org.streamdistill.student.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PrincipalComponentsTest {

  private static final double R = 1 / Math.sqrt(2);

  @Test
  void shouldFindHandComputedComponentsOfSixPoints() {
    // Given (-2,-2), (-1,-1), (1,1), (2,2), (1,-1), (-1,1): mean (0, 0);
    // sum x1^2 = sum x2^2 = 12, sum x1 x2 = 4+1+1+4-1-1 = 8; over n-1 = 5 the covariance is
    // [[2.4, 1.6], [1.6, 2.4]], with eigenvalues 2.4 + 1.6 = 4.0 along (1, 1)/sqrt 2 and
    // 2.4 - 1.6 = 0.8 along (1, -1)/sqrt 2 (sign: first largest coordinate positive).
    float[] rows = {-2, -2, -1, -1, 1, 1, 2, 2, 1, -1, -1, 1};

    // When
    PrincipalComponents pca = PrincipalComponents.fit(rows, 6, 2, 2);

    // Then
    assertThat(pca.mean()).containsExactly(new double[] {0, 0}, within(1e-12));
    assertThat(pca.variance(0)).isCloseTo(4.0, within(1e-12));
    assertThat(pca.variance(1)).isCloseTo(0.8, within(1e-12));
    assertThat(pca.component(0)).containsExactly(new double[] {R, R}, within(1e-12));
    assertThat(pca.component(1)).containsExactly(new double[] {R, -R}, within(1e-12));
    // (2, 2) lies 2 sqrt 2 along the first component and 0 along the second.
    assertThat(pca.project(new float[] {2, 2}, 0)).containsExactly(new double[] {2 * Math.sqrt(2), 0}, within(1e-12));
    assertThat(pca.project(new float[] {9, 1, -1}, 1)).containsExactly(new double[] {0, Math.sqrt(2)}, within(1e-12));
  }

  @Test
  void shouldKeepOnlyTheLargestComponentsAndCentreTheData() {
    // Given points spread 3 along x, 2 along z, 1 along y around (10, 20, 30):
    // x = 10 +- 3, y = 20 +- 1, z = 30 +- 2, each axis on its own pair of points.
    float[] rows = {13, 20, 30, 7, 20, 30, 10, 21, 30, 10, 19, 30, 10, 20, 32, 10, 20, 28};

    // When
    PrincipalComponents pca = PrincipalComponents.fit(rows, 6, 3, 2);

    // Then: variances 2*9/5, 2*4/5; components the x and z axes; y is dropped.
    assertThat(pca.size()).isEqualTo(2);
    assertThat(pca.mean()).containsExactly(new double[] {10, 20, 30}, within(1e-12));
    assertThat(pca.variance(0)).isCloseTo(3.6, within(1e-12));
    assertThat(pca.variance(1)).isCloseTo(1.6, within(1e-12));
    assertThat(pca.component(0)).containsExactly(new double[] {1, 0, 0}, within(1e-12));
    assertThat(pca.component(1)).containsExactly(new double[] {0, 0, 1}, within(1e-12));
    assertThat(pca.project(new float[] {12, 25, 29}, 0)).containsExactly(new double[] {2, -1}, within(1e-12));
  }

  @Test
  void shouldDiagonaliseARandomSymmetricMatrix() {
    // Given a random symmetric 40 x 40 matrix.
    SplittableRandom random = new SplittableRandom(3);
    int n = 40;
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        a[i][j] = random.nextDouble(-1, 1);
        a[j][i] = a[i][j];
      }
    }

    // When
    PrincipalComponents.SymmetricEigen eigen = PrincipalComponents.SymmetricEigen.of(a);

    // Then: A v = lambda v for every pair, eigenvalues decrease, eigenvectors are orthonormal,
    // and the eigenvalues sum to the trace.
    double trace = 0;
    double sum = 0;
    for (int c = 0; c < n; c++) {
      trace += a[c][c];
      sum += eigen.value(c);
      double[] v = eigen.vector(c);
      for (int i = 0; i < n; i++) {
        double av = 0;
        for (int j = 0; j < n; j++) {
          av += a[i][j] * v[j];
        }
        assertThat(av).isCloseTo(eigen.value(c) * v[i], within(1e-10));
      }
      if (c > 0) {
        assertThat(eigen.value(c)).isLessThanOrEqualTo(eigen.value(c - 1));
      }
      for (int d = 0; d <= c; d++) {
        double[] w = eigen.vector(d);
        double dot = 0;
        for (int i = 0; i < n; i++) {
          dot += v[i] * w[i];
        }
        assertThat(dot).isCloseTo(c == d ? 1 : 0, within(1e-10));
      }
    }
    assertThat(sum).isCloseTo(trace, within(1e-10));
  }

  @Test
  void shouldRejectAShapeThatDoesNotMatchOrTooManyComponents() {
    assertThatThrownBy(() -> PrincipalComponents.fit(new float[5], 2, 3, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 values for 2 x 3");
    assertThatThrownBy(() -> PrincipalComponents.fit(new float[6], 2, 3, 4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 3], got 4");
  }
}
