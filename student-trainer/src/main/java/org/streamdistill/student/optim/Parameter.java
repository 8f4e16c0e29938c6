package org.streamdistill.student.optim;

import java.util.Arrays;

/**
 * One named parameter tensor of a model (values in a flat row-major {@code float[]}) with its
 * gradient buffer: what a model produces in its backward pass and an {@link Optimizer}
 * consumes.
 *
 * <p>A <em>dense</em> parameter's gradient has the same length and layout as its values. A
 * <em>row-sparse</em> parameter (an embedding table {@code [rows, rowLength]}) keeps gradients
 * only for the rows a batch touched: slot {@code i} of {@link #gradient()} (floats {@code
 * [i*rowLength, (i+1)*rowLength)}) belongs to row {@link #touchedRow(int) touchedRow(i)}. A
 * 30522 x 64 embedding would otherwise cost 2M floats to clear and to update per batch while
 * a batch of 32 short texts touches a few hundred rows.
 *
 * <p>{@link #version()} changes whenever the values change through {@link #markModified()};
 * models use it to know when derived data (transposed copies of weights) is stale. Anyone who
 * writes to {@link #values()} directly must call {@link #markModified()} afterwards.
 *
 * <p>Not thread-safe.
 */
public final class Parameter {

  private final String name;
  private final int[] shape;
  private final float[] values;
  private final boolean rowSparse;
  private final int rowLength;
  private float[] gradient;
  private long version;

  // Row-sparse bookkeeping: slotOfRow[row] is the gradient slot of a touched row, -1 otherwise.
  private final int[] slotOfRow;
  private int[] touchedRows;
  private int touchedCount;

  private Parameter(String name, float[] values, boolean rowSparse, int[] shape) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("parameter name must be non-empty");
    }
    long size = 1;
    for (int d : shape) {
      if (d <= 0) {
        throw new IllegalArgumentException(
            "parameter " + name + ": every dimension must be > 0, got " + Arrays.toString(shape));
      }
      size *= d;
    }
    if (size != values.length) {
      throw new IllegalArgumentException("parameter " + name + ": shape " + Arrays.toString(shape)
          + " needs " + size + " values, got " + values.length);
    }
    this.name = name;
    this.shape = shape.clone();
    this.values = values;
    this.rowSparse = rowSparse;
    if (rowSparse) {
      if (shape.length != 2) {
        throw new IllegalArgumentException(
            "row-sparse parameter " + name + " must have rank 2, got " + Arrays.toString(shape));
      }
      this.rowLength = shape[1];
      this.slotOfRow = new int[shape[0]];
      Arrays.fill(slotOfRow, -1);
      int initialSlots = Math.min(shape[0], 256);
      this.touchedRows = new int[initialSlots];
      this.gradient = new float[initialSlots * rowLength];
    } else {
      this.rowLength = shape.length == 0 ? 1 : shape[shape.length - 1];
      this.slotOfRow = null;
      this.touchedRows = null;
      this.gradient = new float[values.length];
    }
  }

  /** A dense parameter over {@code values} (not copied) with the given row-major shape. */
  public static Parameter dense(String name, float[] values, int... shape) {
    return new Parameter(name, values, false, shape);
  }

  /** A row-sparse parameter {@code [rows, rowLength]} over {@code values} (not copied). */
  public static Parameter rowSparse(String name, float[] values, int rows, int rowLength) {
    return new Parameter(name, values, true, new int[] {rows, rowLength});
  }

  public String name() {
    return name;
  }

  /** The shape, outermost dimension first (a copy). */
  public int[] shape() {
    return shape.clone();
  }

  /** Number of values. */
  public int size() {
    return values.length;
  }

  /** The live values, row-major. Call {@link #markModified()} after writing to them. */
  public float[] values() {
    return values;
  }

  /**
   * The live gradient buffer: same layout as {@link #values()} for a dense parameter, slots of
   * touched rows for a row-sparse one. The array may be replaced when {@link #touchRow} grows
   * it, so fetch it again after touching rows.
   */
  public float[] gradient() {
    return gradient;
  }

  public boolean isRowSparse() {
    return rowSparse;
  }

  /** Length of the innermost dimension (the embedding width for a row-sparse parameter). */
  public int rowLength() {
    return rowLength;
  }

  /** Number of rows with a gradient slot (row-sparse only; 0 for dense). */
  public int touchedRowCount() {
    return touchedCount;
  }

  /** The row whose gradient is in slot {@code slot} (row-sparse only). */
  public int touchedRow(int slot) {
    if (slot < 0 || slot >= touchedCount) {
      throw new IndexOutOfBoundsException("slot " + slot + " of " + touchedCount);
    }
    return touchedRows[slot];
  }

  /**
   * Returns the gradient slot of {@code row}, giving it a zeroed slot on first touch
   * (row-sparse only).
   */
  public int touchRow(int row) {
    int slot = slotOfRow[row];
    if (slot >= 0) {
      return slot;
    }
    if (touchedCount == touchedRows.length) {
      int grown = Math.min(slotOfRow.length, Math.max(16, touchedRows.length * 2));
      touchedRows = Arrays.copyOf(touchedRows, grown);
      gradient = Arrays.copyOf(gradient, grown * rowLength);
    }
    slot = touchedCount++;
    touchedRows[slot] = row;
    slotOfRow[row] = slot;
    return slot;
  }

  /** Clears the gradient (and, for a row-sparse parameter, forgets the touched rows). */
  public void zeroGradient() {
    if (rowSparse) {
      for (int i = 0; i < touchedCount; i++) {
        slotOfRow[touchedRows[i]] = -1;
      }
      Arrays.fill(gradient, 0, touchedCount * rowLength, 0f);
      touchedCount = 0;
    } else {
      Arrays.fill(gradient, 0f);
    }
  }

  /**
   * The gradient as a dense array shaped like the values (untouched rows are zero). Allocates;
   * meant for tests, gradient checks and debugging, not for the training loop.
   */
  public float[] gradientAsDense() {
    if (!rowSparse) {
      return gradient.clone();
    }
    float[] dense = new float[values.length];
    for (int slot = 0; slot < touchedCount; slot++) {
      System.arraycopy(gradient, slot * rowLength, dense, touchedRows[slot] * rowLength, rowLength);
    }
    return dense;
  }

  /** Changes whenever the values were modified through {@link #markModified()}. */
  public long version() {
    return version;
  }

  /** Records that {@link #values()} changed, so that derived caches get rebuilt. */
  public void markModified() {
    version++;
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + (rowSparse ? " row-sparse" : "");
  }
}
