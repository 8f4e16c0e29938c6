package org.streamdistill.evaluator.compare;

import java.util.Map;
import org.streamdistill.evaluator.promotion.McNemarExactTest;

/**
 * A variant against the baseline on one metric and one split, over the turns both predicted.
 *
 * @param split which turns
 * @param metric what is counted right
 * @param pairs turns both namespaces predicted (and where the metric applies)
 * @param baselineRate the baseline's share right
 * @param variantRate the variant's share right
 * @param onlyBaseline pairs only the baseline got right
 * @param onlyVariant pairs only the variant got right
 * @param interval bootstrap interval of {@code variantRate - baselineRate}
 * @param pValue exact two-sided McNemar p-value on the discordant pairs
 */
public record PairedDifference(PredictedTurn.Split split, PredictedTurn.Metric metric, long pairs,
                               double baselineRate, double variantRate, long onlyBaseline, long onlyVariant,
                               PairedBootstrap.Interval interval, double pValue) {

  /** How the figures are computed. */
  public record Method(int bootstrapSamples, double confidence, long seed) {}

  public double difference() {
    return variantRate - baselineRate;
  }

  /** Whether the interval leaves out 0 and the p-value is below {@code 1 - confidence}. */
  public boolean significant(double confidence) {
    return pairs > 0 && pValue < 1.0 - confidence && (interval.low() > 0 || interval.high() < 0);
  }

  /**
   * Pairs the turns of {@code split} that both maps hold and where {@code metric} applies.
   *
   * @param baseline turn id to the baseline's prediction
   * @param variant turn id to the variant's prediction
   */
  public static PairedDifference of(Map<String, PredictedTurn> baseline, Map<String, PredictedTurn> variant,
      PredictedTurn.Split split, PredictedTurn.Metric metric, Method method) {
    long pairs = 0;
    long baselineRight = 0;
    long variantRight = 0;
    long onlyBaseline = 0;
    long onlyVariant = 0;
    for (Map.Entry<String, PredictedTurn> entry : baseline.entrySet()) {
      PredictedTurn other = variant.get(entry.getKey());
      PredictedTurn mine = entry.getValue();
      if (other == null || !split.contains(mine)) {
        continue;
      }
      Boolean a = metric.of(mine);
      Boolean b = metric.of(other);
      if (a == null || b == null) {
        continue;
      }
      pairs++;
      baselineRight += a ? 1 : 0;
      variantRight += b ? 1 : 0;
      onlyBaseline += a && !b ? 1 : 0;
      onlyVariant += b && !a ? 1 : 0;
    }
    double baselineRate = pairs == 0 ? Double.NaN : (double) baselineRight / pairs;
    double variantRate = pairs == 0 ? Double.NaN : (double) variantRight / pairs;
    // One seed per split and metric, so adding a metric does not change another's interval.
    long seed = method.seed() * 31 + split.ordinal() * 7L + metric.ordinal();
    return new PairedDifference(split, metric, pairs, baselineRate, variantRate, onlyBaseline, onlyVariant,
        PairedBootstrap.interval(pairs, onlyBaseline, onlyVariant, method.bootstrapSamples(), method.confidence(),
            seed),
        McNemarExactTest.twoSidedPValue(onlyVariant, onlyBaseline));
  }
}
