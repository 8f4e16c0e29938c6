package org.streamdistill.student.model;

/**
 * A tiny seeded generator whose whole state is one {@code long}, so that a checkpoint can
 * store it and a resumed run draws exactly the dropout masks the original would have drawn
 * ({@link java.util.Random} and {@link java.util.SplittableRandom} hide their state).
 */
public final class SplitMix64 {

  private long state;

  public SplitMix64(long state) {
    this.state = state;
  }

  public long state() {
    return state;
  }

  public void setState(long state) {
    this.state = state;
  }

  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, 1). */
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  /** Uniform in [-bound, bound). */
  public float nextSymmetric(float bound) {
    return (2 * nextFloat() - 1) * bound;
  }
}
