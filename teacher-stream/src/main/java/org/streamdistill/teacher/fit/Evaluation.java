package org.streamdistill.teacher.fit;

import org.streamdistill.teacher.model.SoftLabels;
import org.streamdistill.teacher.model.SoftmaxHead;

/**
 * How a head does on a labelled test set, in the two senses that matter here: as a classifier
 * (in-scope accuracy, out-of-scope recall) and as a source of soft labels (their mean entropy
 * and mean top-label probability at the distillation temperature).
 *
 * @param inScopeExamples test examples with an in-scope label
 * @param oosExamples test examples labelled out-of-scope
 * @param inScopeAccuracy share of in-scope examples whose top label is right (NaN if none)
 * @param oosRecall share of out-of-scope examples whose top label is out-of-scope (NaN if none)
 * @param meanEntropyNats mean entropy of {@code softmax(logits / T)} over all examples
 * @param meanTopProbability mean largest probability of {@code softmax(logits / T)}
 */
public record Evaluation(
    int inScopeExamples,
    int oosExamples,
    double inScopeAccuracy,
    double oosRecall,
    double meanEntropyNats,
    double meanTopProbability) {

  /**
   * Evaluates {@code head} on embeddings {@code x} with labels {@code y}.
   *
   * @param oosIndex the out-of-scope label's index, or -1 if the label set has none
   * @param temperature the distillation temperature
   */
  public static Evaluation of(SoftmaxHead head, float[][] x, int[] y, int oosIndex, double temperature) {
    float[][] logits = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      logits[i] = head.logits(x[i]);
    }
    return ofLogits(logits, y, oosIndex, temperature);
  }

  /**
   * Evaluates a teacher's {@code logits} (one vector per example) against labels {@code y}: the
   * same measures as {@link #of}, for teachers that are not a single head, such as an ensemble.
   */
  public static Evaluation ofLogits(float[][] logits, int[] y, int oosIndex, double temperature) {
    if (logits.length != y.length || logits.length == 0) {
      throw new IllegalArgumentException("need as many labels as logit vectors (and at least one), got "
          + logits.length + " logit vectors and " + y.length + " labels");
    }
    int inScope = 0;
    int inScopeRight = 0;
    int oos = 0;
    int oosRight = 0;
    double entropy = 0;
    double top = 0;
    for (int i = 0; i < logits.length; i++) {
      int predicted = SoftmaxHead.argMax(logits[i]);
      if (y[i] == oosIndex) {
        oos++;
        oosRight += predicted == oosIndex ? 1 : 0;
      } else {
        inScope++;
        inScopeRight += predicted == y[i] ? 1 : 0;
      }
      float[] soft = SoftLabels.softmax(logits[i], temperature);
      entropy += SoftLabels.entropy(soft);
      top += soft[SoftmaxHead.argMax(soft)];
    }
    return new Evaluation(inScope, oos, ratio(inScopeRight, inScope), ratio(oosRight, oos),
        entropy / logits.length, top / logits.length);
  }

  private static double ratio(int numerator, int denominator) {
    return denominator == 0 ? Double.NaN : (double) numerator / denominator;
  }
}
