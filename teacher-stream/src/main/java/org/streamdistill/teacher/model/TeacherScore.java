package org.streamdistill.teacher.model;

import java.util.Arrays;

/**
 * The teacher's verdict on one text.
 *
 * @param tokenIds the MiniLM WordPiece ids the teacher saw, {@code [CLS]} and {@code [SEP]}
 *     included (at most {@link MiniLmEncoder#MAX_TOKENS})
 * @param truncated whether the text was longer than {@link MiniLmEncoder#MAX_TOKENS} tokens
 *     and its tail was ignored
 * @param logits one per label, in the bundle's label order; soft labels are
 *     {@code softmax(logits / temperature)} ({@link Teacher#softLabels(TeacherScore)})
 * @param topIndex index of the largest logit: the teacher's predicted label
 */
public record TeacherScore(int[] tokenIds, boolean truncated, float[] logits, int topIndex) {

  /** What a teacher's tokenizer makes of one text, without the model's verdict ({@link TeacherModel#tokenize}). */
  public record Tokens(int[] ids, boolean truncated) {
    public Tokens {
      ids = ids.clone();
    }

    @Override
    public int[] ids() {
      return ids.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tokens other && truncated == other.truncated && Arrays.equals(ids, other.ids);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(ids) + Boolean.hashCode(truncated);
    }

    @Override
    public String toString() {
      return "Tokens[" + ids.length + " ids, truncated=" + truncated + "]";
    }
  }

  public TeacherScore {
    tokenIds = tokenIds.clone();
    logits = logits.clone();
    if (topIndex < 0 || topIndex >= logits.length) {
      throw new IllegalArgumentException("topIndex " + topIndex + " outside [0, " + logits.length + ")");
    }
  }

  @Override
  public int[] tokenIds() {
    return tokenIds.clone();
  }

  @Override
  public float[] logits() {
    return logits.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TeacherScore other && truncated == other.truncated && topIndex == other.topIndex
        && Arrays.equals(tokenIds, other.tokenIds) && Arrays.equals(logits, other.logits);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(new int[] {Arrays.hashCode(tokenIds), Boolean.hashCode(truncated),
        Arrays.hashCode(logits), topIndex});
  }

  @Override
  public String toString() {
    return "TeacherScore[tokens=" + tokenIds.length + ", truncated=" + truncated + ", topIndex="
        + topIndex + ", topLogit=" + logits[topIndex] + "]";
  }
}
