package org.streamdistill.teacher.model;

import java.util.Map;
import java.util.TreeMap;

/**
 * How a teacher head was fitted and how well it did, as recorded in its bundle. Informational:
 * scoring does not depend on it, but operators and the evaluator compare teachers by it.
 *
 * @param trainExamples examples the head was trained on
 * @param calibrationExamples examples the logit scale was calibrated on (0 if not calibrated)
 * @param testExamples examples the metrics below were measured on (in-scope and out-of-scope)
 * @param inScopeTestAccuracy share of in-scope test examples whose top label is right
 * @param oosTestRecall share of out-of-scope test examples whose top label is {@code oos}
 * @param meanTestEntropyNats mean entropy of the soft labels at the bundle's temperature over
 *     all test examples
 * @param meanTestTopProbability mean probability of the top label in those soft labels
 * @param calibrationTemperature the temperature that minimised the calibration set's negative
 *     log-likelihood; it is already divided into the stored head, so it is 1 for the stored
 *     logits
 * @param settings the fit's settings (epochs, l2, seed...), as text
 * @param scoringTurnsPerSecond the teacher's scoring cost: turns per second through
 *     {@link TeacherModel#score} (tokenize, encode, head) over test turns in arrival order, as
 *     {@code fit} measured it on its machine; NaN if not measured (bundles from before this
 *     field)
 */
public record FitReport(
    int trainExamples,
    int calibrationExamples,
    int testExamples,
    double inScopeTestAccuracy,
    double oosTestRecall,
    double meanTestEntropyNats,
    double meanTestTopProbability,
    double calibrationTemperature,
    Map<String, String> settings,
    double scoringTurnsPerSecond) {

  public FitReport {
    settings = java.util.Collections.unmodifiableMap(new TreeMap<>(settings));
  }

  /** A report without a scoring-cost measurement. */
  public FitReport(int trainExamples, int calibrationExamples, int testExamples, double inScopeTestAccuracy,
      double oosTestRecall, double meanTestEntropyNats, double meanTestTopProbability,
      double calibrationTemperature, Map<String, String> settings) {
    this(trainExamples, calibrationExamples, testExamples, inScopeTestAccuracy, oosTestRecall,
        meanTestEntropyNats, meanTestTopProbability, calibrationTemperature, settings, Double.NaN);
  }

  /** This report with the scoring cost measured after the fit. */
  public FitReport withScoringTurnsPerSecond(double turnsPerSecond) {
    return new FitReport(trainExamples, calibrationExamples, testExamples, inScopeTestAccuracy, oosTestRecall,
        meanTestEntropyNats, meanTestTopProbability, calibrationTemperature, settings, turnsPerSecond);
  }
}
