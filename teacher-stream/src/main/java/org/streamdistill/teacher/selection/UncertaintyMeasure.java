package org.streamdistill.teacher.selection;

/**
 * How sure the student is of a turn, from its class probabilities: low means uncertain. {@link
 * #TOP_PROBABILITY} is the largest probability, {@link #MARGIN} the largest minus the second.
 */
public enum UncertaintyMeasure {
  TOP_PROBABILITY("top-probability"),
  MARGIN("margin");

  private final String key;

  UncertaintyMeasure(String key) {
    this.key = key;
  }

  /** The setting's spelling: {@code top-probability} or {@code margin}. */
  public String key() {
    return key;
  }

  /** The measure spelled {@code key}. */
  public static UncertaintyMeasure of(String key) {
    for (UncertaintyMeasure m : values()) {
      if (m.key.equals(key)) {
        return m;
      }
    }
    throw new IllegalArgumentException("uncertainty measure must be top-probability or margin, got '" + key + "'");
  }

  /** The student's confidence in [0, 1]: the smaller, the more the teacher can teach it. */
  public double confidence(float[] probabilities) {
    float first = Float.NEGATIVE_INFINITY;
    float second = Float.NEGATIVE_INFINITY;
    for (float p : probabilities) {
      if (p > first) {
        second = first;
        first = p;
      } else if (p > second) {
        second = p;
      }
    }
    if (this == TOP_PROBABILITY || probabilities.length < 2) {
      return first;
    }
    return first - second;
  }
}
