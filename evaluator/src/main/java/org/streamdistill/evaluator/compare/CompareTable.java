package org.streamdistill.evaluator.compare;

import java.util.Locale;

/** The report as text for a terminal: one block per variant, figures in percent. */
public final class CompareTable {

  private CompareTable() {}

  public static String format(ComparisonReport report) {
    StringBuilder out = new StringBuilder();
    ComparisonReport.Side base = report.baseline();
    out.append(String.format(Locale.ROOT, "baseline %s: %,d turns predicted%n", base.name(), base.turns()));
    for (ComparisonReport.Variant variant : report.variants()) {
      out.append(String.format(Locale.ROOT, "%n%s against %s: %,d turns paired (%,d only in %s, %,d only in %s)%n",
          variant.side().name(), base.name(), variant.paired(), variant.onlyBaseline(), base.name(),
          variant.onlyVariant(), variant.side().name()));
      out.append(String.format(Locale.ROOT, "  %-9s %-27s %8s %8s %8s %8s %19s %10s%n", "turns", "metric", "pairs",
          base.name().length() > 8 ? "baseline" : base.name(), "variant", "diff",
          Math.round(100 * report.method().confidence()) + "% interval", "McNemar p"));
      for (PairedDifference d : variant.differences()) {
        out.append(String.format(Locale.ROOT, "  %-9s %-27s %,8d %8s %8s %8s %19s %10s%n", d.split().label(),
            d.metric().label(), d.pairs(), percent(d.baselineRate()), percent(d.variantRate()),
            d.pairs() == 0 ? "-" : String.format(Locale.ROOT, "%+.1f", 100 * d.difference()),
            d.pairs() == 0 ? "-" : String.format(Locale.ROOT, "[%+.1f, %+.1f]", 100 * d.interval().low(),
                100 * d.interval().high()),
            d.pairs() == 0 ? "-" : ComparisonReport.formatP(d.pValue())));
      }
      for (String warning : variant.warnings()) {
        out.append("  warning: ").append(warning).append(System.lineSeparator());
      }
      out.append("  verdict: ").append(variant.verdict()).append(System.lineSeparator());
    }
    return out.toString();
  }

  private static String percent(double rate) {
    return Double.isNaN(rate) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * rate);
  }
}
