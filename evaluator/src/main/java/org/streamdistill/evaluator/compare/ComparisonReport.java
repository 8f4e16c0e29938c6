package org.streamdistill.evaluator.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every variant against the baseline (the first namespace): paired differences per split and
 * metric, learning curves, and a verdict a person can act on.
 *
 * @param baseline the first namespace's predictions, summarised
 * @param variants each other namespace against it
 * @param method how intervals and p-values were computed
 */
public record ComparisonReport(Side baseline, List<Variant> variants, PairedDifference.Method method) {

  /**
   * The verdict's decisive figure: agreement with the teacher on held-out turns, or, when no
   * held-out turn was paired (an experiment on live traffic has none), on training turns: each of
   * those was predicted before its model learned it, so it is unseen evidence too.
   */
  static final List<PredictedTurn.Split> DECISIVE_SPLITS = List.of(PredictedTurn.Split.HELD_OUT,
      PredictedTurn.Split.TRAINING);
  static final PredictedTurn.Metric DECISIVE_METRIC = PredictedTurn.Metric.TEACHER_AGREEMENT;
  /** Below this share of the smaller namespace's turns paired, the report warns that the runs saw different turns. */
  static final double LOW_OVERLAP = 0.9;

  /**
   * One namespace's own figures.
   *
   * @param name namespace, or "production"
   * @param turns turns predicted (first prediction of each)
   * @param duplicates records of turns predicted more than once
   * @param curve learning curve
   */
  public record Side(String name, long turns, long duplicates, List<LearningCurve.Point> curve) {}

  /**
   * A variant against the baseline.
   *
   * @param side the variant's own figures
   * @param paired turns both predicted
   * @param onlyBaseline turns only the baseline predicted
   * @param onlyVariant turns only the variant predicted
   * @param differences per split and metric
   * @param verdict one sentence
   * @param warnings what makes the comparison weaker (different turns, duplicates)
   */
  public record Variant(Side side, long paired, long onlyBaseline, long onlyVariant,
                        List<PairedDifference> differences, String verdict, List<String> warnings) {

    public PairedDifference difference(PredictedTurn.Split split, PredictedTurn.Metric metric) {
      return differences.stream().filter(d -> d.split() == split && d.metric() == metric).findFirst().orElseThrow();
    }
  }

  /**
   * @param namespaces the baseline first, then the variants
   * @param curvePoints points per learning curve at most
   */
  public static ComparisonReport of(List<NamespacePredictions> namespaces, PairedDifference.Method method,
      int curvePoints) {
    if (namespaces.size() < 2) {
      throw new IllegalArgumentException("compare needs two namespaces or more, got " + namespaces.size());
    }
    NamespacePredictions base = namespaces.get(0);
    List<Variant> variants = new ArrayList<>();
    for (NamespacePredictions other : namespaces.subList(1, namespaces.size())) {
      long paired = other.turns().keySet().stream().filter(base.turns()::containsKey).count();
      List<PairedDifference> differences = new ArrayList<>();
      for (PredictedTurn.Split split : PredictedTurn.Split.values()) {
        for (PredictedTurn.Metric metric : PredictedTurn.Metric.values()) {
          differences.add(PairedDifference.of(base.turns(), other.turns(), split, metric, method));
        }
      }
      List<String> warnings = warnings(base, other, paired);
      PairedDifference decisive = decisive(differences);
      variants.add(new Variant(side(other, curvePoints), paired, base.turns().size() - paired,
          other.turns().size() - paired, differences, verdict(base, other, decisive, method.confidence()), warnings));
    }
    return new ComparisonReport(side(base, curvePoints), variants, method);
  }

  private static PairedDifference decisive(List<PairedDifference> differences) {
    PairedDifference first = null;
    for (PredictedTurn.Split split : DECISIVE_SPLITS) {
      PairedDifference d = differences.stream().filter(x -> x.split() == split && x.metric() == DECISIVE_METRIC)
          .findFirst().orElseThrow();
      if (d.pairs() > 0) {
        return d;
      }
      first = first == null ? d : first;
    }
    return first;
  }

  private static Side side(NamespacePredictions predictions, int curvePoints) {
    return new Side(predictions.displayName(), predictions.turns().size(), predictions.duplicates(),
        LearningCurve.of(predictions.ordered(), curvePoints));
  }

  private static List<String> warnings(NamespacePredictions base, NamespacePredictions other, long paired) {
    List<String> warnings = new ArrayList<>();
    long smaller = Math.min(base.turns().size(), other.turns().size());
    if (paired == 0) {
      warnings.add(String.format(Locale.ROOT, "%s and %s predicted no turn in common: nothing to compare",
          base.displayName(), other.displayName()));
    } else if (paired < LOW_OVERLAP * smaller) {
      // Against the smaller side: an experiment that replayed a sample of production's turns is the
      // usual case and compares fine on that sample; turns of one side missing from the other are not.
      warnings.add(String.format(Locale.ROOT,
          "the namespaces did not see the same turns: %,d paired of %,d (%s) and %,d (%s); figures are on the "
              + "paired turns only", paired, base.turns().size(), base.displayName(), other.turns().size(),
          other.displayName()));
    }
    for (NamespacePredictions side : List.of(base, other)) {
      if (side.duplicates() > 0) {
        warnings.add(String.format(Locale.ROOT, "%s predicted %,d turns more than once (first kept)",
            side.displayName(), side.duplicates()));
      }
    }
    if (smaller > 0 && paired > 0 && paired < 100) {
      warnings.add(String.format(Locale.ROOT, "only %,d paired turns: differences of a few points cannot show",
          paired));
    }
    return warnings;
  }

  private static String verdict(NamespacePredictions base, NamespacePredictions other, PairedDifference decisive,
      double confidence) {
    String what = decisive.metric().label() + " on " + decisive.split().label() + " turns"
        + (decisive.split() == PredictedTurn.Split.TRAINING ? " (no held-out turns; each predicted before it was learned)"
            : "");
    if (decisive.pairs() == 0) {
      return "no verdict: no paired turns";
    }
    String figures = String.format(Locale.ROOT, "%+.1f points, %.0f%% interval [%+.1f, %+.1f], McNemar p = %s, "
            + "%,d paired turns", 100 * decisive.difference(), 100 * confidence, 100 * decisive.interval().low(),
        100 * decisive.interval().high(), formatP(decisive.pValue()), decisive.pairs());
    if (!decisive.significant(confidence)) {
      return String.format(Locale.ROOT, "no clear difference: %s against %s in %s (%s)", other.displayName(),
          base.displayName(), what, figures);
    }
    return String.format(Locale.ROOT, "%s is %s than %s in %s (%s)", other.displayName(),
        decisive.difference() > 0 ? "better" : "worse", base.displayName(), what, figures);
  }

  static String formatP(double p) {
    return p < 1e-4 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.4f", p);
  }
}
