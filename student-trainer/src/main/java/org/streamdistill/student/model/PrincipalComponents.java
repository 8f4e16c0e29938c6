package org.streamdistill.student.model;

import java.util.Arrays;

/**
 * Principal component analysis of the rows of a matrix: consumes {@code n} rows of {@code d}
 * values, produces their mean, the top {@code k} principal directions (unit eigenvectors of the
 * covariance, largest variance first) and the variance along each; {@link #project} maps a row to
 * its {@code k} coordinates. Used to shrink the teacher's 384-wide token embeddings to the
 * student's width while keeping as much of their geometry as a linear map can.
 *
 * <p>The covariance ({@code d x d}, accumulated in double) is diagonalised with the cyclic Jacobi
 * method: simple, no library, eigenvectors orthonormal to rounding, and for the teacher's 30,522 x
 * 384 table the whole fit took about 2 s here (covariance included). Immutable.
 */
public final class PrincipalComponents {

  private final double[] mean;
  private final double[][] components;
  private final double[] variances;

  private PrincipalComponents(double[] mean, double[][] components, double[] variances) {
    this.mean = mean;
    this.components = components;
    this.variances = variances;
  }

  /**
   * Fits the top {@code k} components of {@code rows} (row-major, {@code n x d}). The sign of each
   * component is fixed so that its largest-magnitude coordinate is positive, which makes the
   * result deterministic.
   *
   * @throws IllegalArgumentException if the shape does not match or {@code k} is not in [1, d]
   */
  public static PrincipalComponents fit(float[] rows, int n, int d, int k) {
    if (n < 2 || d < 1 || (long) n * d != rows.length) {
      throw new IllegalArgumentException("need at least 2 rows of d >= 1 values: " + rows.length
          + " values for " + n + " x " + d);
    }
    if (k < 1 || k > d) {
      throw new IllegalArgumentException("number of components must be in [1, " + d + "], got " + k);
    }
    double[] mean = new double[d];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < d; j++) {
        mean[j] += rows[r * d + j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    // Upper triangle of sum (x - mean)(x - mean)^T, one centred row at a time.
    double[][] cov = new double[d][d];
    double[] centred = new double[d];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < d; j++) {
        centred[j] = rows[r * d + j] - mean[j];
      }
      for (int i = 0; i < d; i++) {
        double ci = centred[i];
        double[] row = cov[i];
        for (int j = i; j < d; j++) {
          row[j] += ci * centred[j];
        }
      }
    }
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) {
        cov[i][j] /= n - 1;
        cov[j][i] = cov[i][j];
      }
    }
    SymmetricEigen eigen = SymmetricEigen.of(cov);
    double[][] components = new double[k][];
    double[] variances = new double[k];
    for (int c = 0; c < k; c++) {
      double[] v = eigen.vector(c);
      int largest = 0;
      for (int j = 1; j < d; j++) {
        if (Math.abs(v[j]) > Math.abs(v[largest])) {
          largest = j;
        }
      }
      if (v[largest] < 0) {
        for (int j = 0; j < d; j++) {
          v[j] = -v[j];
        }
      }
      components[c] = v;
      variances[c] = Math.max(0, eigen.value(c));
    }
    return new PrincipalComponents(mean, components, variances);
  }

  /** Number of components. */
  public int size() {
    return components.length;
  }

  /** The mean row (a copy). */
  public double[] mean() {
    return mean.clone();
  }

  /** Unit direction of component {@code c} (a copy); components are ordered by variance. */
  public double[] component(int c) {
    return components[c].clone();
  }

  /** Variance of the data along component {@code c}, largest first. */
  public double variance(int c) {
    return variances[c];
  }

  /** Coordinates of {@code row} ({@code d} values) along the components: {@code V^T (row - mean)}. */
  public double[] project(float[] row, int offset) {
    double[] out = new double[components.length];
    for (int c = 0; c < components.length; c++) {
      double[] v = components[c];
      double s = 0;
      for (int j = 0; j < v.length; j++) {
        s += (row[offset + j] - mean[j]) * v[j];
      }
      out[c] = s;
    }
    return out;
  }

  /**
   * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations (Golub and Van Loan,
   * section 8.5), eigenvalues sorted in decreasing order.
   */
  static final class SymmetricEigen {
    private final double[] values;
    private final double[][] vectors; // vectors[c] is the unit eigenvector of values[c]

    private SymmetricEigen(double[] values, double[][] vectors) {
      this.values = values;
      this.vectors = vectors;
    }

    double value(int c) {
      return values[c];
    }

    double[] vector(int c) {
      return vectors[c].clone();
    }

    /** Diagonalises {@code matrix} (square, symmetric; not modified). */
    static SymmetricEigen of(double[][] matrix) {
      int n = matrix.length;
      double[][] a = new double[n][];
      for (int i = 0; i < n; i++) {
        if (matrix[i].length != n) {
          throw new IllegalArgumentException("matrix must be square: row " + i + " has "
              + matrix[i].length + " values, expected " + n);
        }
        a[i] = matrix[i].clone();
      }
      // Columns of v accumulate the rotations; stored transposed (vt[c] = column c) so that a
      // rotation updates two whole rows.
      double[][] vt = new double[n][n];
      for (int i = 0; i < n; i++) {
        vt[i][i] = 1;
      }
      for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0;
        double diagonal = 0;
        for (int p = 0; p < n; p++) {
          diagonal += a[p][p] * a[p][p];
          for (int q = p + 1; q < n; q++) {
            off += a[p][q] * a[p][q];
          }
        }
        if (off <= 1e-30 * diagonal || off == 0) {
          break;
        }
        for (int p = 0; p < n - 1; p++) {
          for (int q = p + 1; q < n; q++) {
            double apq = a[p][q];
            if (apq == 0) {
              continue;
            }
            // Rotation angle that zeroes a[p][q]: t = tan(theta), the smaller root.
            double theta = (a[q][q] - a[p][p]) / (2 * apq);
            double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
            if (theta == 0) {
              t = 1;
            }
            double c = 1 / Math.sqrt(t * t + 1);
            double s = t * c;
            // A <- J^T A J, touching rows and columns p and q (kept symmetric by hand).
            double[] rowP = a[p];
            double[] rowQ = a[q];
            for (int k = 0; k < n; k++) {
              double akp = rowP[k];
              double akq = rowQ[k];
              rowP[k] = c * akp - s * akq;
              rowQ[k] = s * akp + c * akq;
            }
            for (int k = 0; k < n; k++) {
              double[] rowK = a[k];
              double akp = rowK[p];
              double akq = rowK[q];
              rowK[p] = c * akp - s * akq;
              rowK[q] = s * akp + c * akq;
            }
            a[p][q] = 0;
            a[q][p] = 0;
            double[] vp = vt[p];
            double[] vq = vt[q];
            for (int k = 0; k < n; k++) {
              double x = vp[k];
              double y = vq[k];
              vp[k] = c * x - s * y;
              vq[k] = s * x + c * y;
            }
          }
        }
      }
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (x, y) -> Double.compare(a[y][y], a[x][x]));
      double[] values = new double[n];
      double[][] vectors = new double[n][];
      for (int i = 0; i < n; i++) {
        values[i] = a[order[i]][order[i]];
        vectors[i] = vt[order[i]];
      }
      return new SymmetricEigen(values, vectors);
    }
  }
}
