package org.streamdistill.evaluator.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The report as JSON, for scripts: rates as fractions, NaN (no pairs) as null. */
public final class CompareJson {

  private static final ObjectMapper JSON = new ObjectMapper();

  private CompareJson() {}

  public static ObjectNode of(ComparisonReport report) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode method = root.putObject("method");
    method.put("bootstrap_samples", report.method().bootstrapSamples());
    method.put("confidence", report.method().confidence());
    method.put("seed", report.method().seed());
    method.put("p_value", "exact two-sided McNemar on the discordant pairs");
    root.set("baseline", side(report.baseline()));
    ArrayNode variants = root.putArray("variants");
    for (ComparisonReport.Variant v : report.variants()) {
      ObjectNode node = side(v.side());
      node.put("paired", v.paired());
      node.put("only_baseline", v.onlyBaseline());
      node.put("only_variant", v.onlyVariant());
      ArrayNode differences = node.putArray("differences");
      for (PairedDifference d : v.differences()) {
        ObjectNode diff = differences.addObject();
        diff.put("turns", d.split().label());
        diff.put("metric", d.metric().name().toLowerCase(java.util.Locale.ROOT));
        diff.put("pairs", d.pairs());
        number(diff, "baseline", d.baselineRate());
        number(diff, "variant", d.variantRate());
        number(diff, "difference", d.difference());
        number(diff, "interval_low", d.interval().low());
        number(diff, "interval_high", d.interval().high());
        diff.put("only_baseline_right", d.onlyBaseline());
        diff.put("only_variant_right", d.onlyVariant());
        number(diff, "p_value", d.pValue());
      }
      node.put("verdict", v.verdict());
      ArrayNode warnings = node.putArray("warnings");
      v.warnings().forEach(warnings::add);
      variants.add(node);
    }
    return root;
  }

  public static String format(ComparisonReport report) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(of(report));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode side(ComparisonReport.Side side) {
    ObjectNode node = JSON.createObjectNode();
    node.put("namespace", side.name());
    node.put("turns", side.turns());
    node.put("duplicates", side.duplicates());
    ArrayNode curve = node.putArray("learning_curve");
    for (LearningCurve.Point p : side.curve()) {
      ObjectNode point = curve.addObject();
      point.put("turns_learned", p.turnsLearned());
      number(point, "agreement", p.agreement());
      number(point, "gold_accuracy", p.goldAccuracy());
      point.put("turns", p.turns());
    }
    return node;
  }

  private static void number(ObjectNode node, String field, double value) {
    if (Double.isNaN(value)) {
      node.putNull(field);
    } else {
      node.put(field, value);
    }
  }
}
