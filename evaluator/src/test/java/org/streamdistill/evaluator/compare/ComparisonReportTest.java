package org.streamdistill.evaluator.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamdistill.evaluator.compare.PredictedTurn.Metric;
import org.streamdistill.evaluator.compare.PredictedTurn.Split;

class ComparisonReportTest {

  private static final PairedDifference.Method METHOD = new PairedDifference.Method(2_000, 0.95, 1);

  @Test
  void shouldCallAClearlyBetterVariantBetterAndSayWhy() throws Exception {
    // 400 held-out turns: the baseline agrees on every 2nd, the variant on 3 of 4
    NamespacePredictions production = namespace("", 400, i -> i % 2 == 0, 0);
    NamespacePredictions exp = namespace("exp1", 400, i -> i % 4 != 3, 0);

    ComparisonReport report = ComparisonReport.of(List.of(production, exp), METHOD, 10);

    ComparisonReport.Variant variant = report.variants().get(0);
    assertThat(variant.paired()).isEqualTo(400);
    PairedDifference d = variant.difference(Split.HELD_OUT, Metric.TEACHER_AGREEMENT);
    assertThat(d.difference()).isEqualTo(0.25);
    assertThat(variant.verdict()).startsWith("exp1 is better than production in agreement with the teacher on "
        + "held-out turns (+25.0 points, 95% interval [");
    assertThat(variant.warnings()).isEmpty();
    // the same figures in the table and the JSON
    assertThat(CompareTable.format(report)).contains("held-out  agreement with the teacher").contains("+25.0")
        .contains("verdict: exp1 is better");
    JsonNode json = new ObjectMapper().readTree(CompareJson.format(report));
    JsonNode heldOut = json.path("variants").get(0).path("differences").get(0);
    assertThat(heldOut.path("turns").asText()).isEqualTo("held-out");
    assertThat(heldOut.path("metric").asText()).isEqualTo("teacher_agreement");
    assertThat(heldOut.path("difference").asDouble()).isEqualTo(0.25);
    assertThat(heldOut.path("p_value").asDouble()).isEqualTo(d.pValue());
    assertThat(json.path("baseline").path("namespace").asText()).isEqualTo("production");
    assertThat(json.path("baseline").path("learning_curve")).hasSize(10);
  }

  @Test
  void shouldSayPlainlyWhenTheNamespacesSawDifferentTurnsOrNoClearDifference() {
    NamespacePredictions production = namespace("", 300, i -> i % 2 == 0, 0);
    NamespacePredictions exp = namespace("exp1", 300, i -> i % 2 == 1, 200); // only 100 turns in common

    ComparisonReport.Variant variant = ComparisonReport.of(List.of(production, exp), METHOD, 10).variants().get(0);

    assertThat(variant.paired()).isEqualTo(100);
    assertThat(variant.onlyBaseline()).isEqualTo(200);
    assertThat(variant.onlyVariant()).isEqualTo(200);
    assertThat(variant.warnings()).anySatisfy(w -> assertThat(w).contains("did not see the same turns: 100 paired"));
    assertThat(variant.verdict()).startsWith("no clear difference: exp1 against production");
  }

  @Test
  void shouldJudgeOnTrainingTurnsWhenNoHeldOutTurnWasPairedAsInAnExperimentOnLiveTraffic() {
    // 400 training turns only (each predicted before it was learned): the variant agrees on fewer
    NamespacePredictions production = namespace("", 400, i -> i % 4 != 3, 0, false);
    NamespacePredictions exp = namespace("exp1", 400, i -> i % 2 == 0, 0, false);

    ComparisonReport.Variant variant = ComparisonReport.of(List.of(production, exp), METHOD, 10).variants().get(0);

    assertThat(variant.difference(Split.HELD_OUT, Metric.TEACHER_AGREEMENT).pairs()).isZero();
    assertThat(variant.difference(Split.TRAINING, Metric.TEACHER_AGREEMENT).difference()).isEqualTo(-0.25);
    assertThat(variant.verdict()).startsWith("exp1 is worse than production in agreement with the teacher on "
        + "training turns (no held-out turns; each predicted before it was learned) (-25.0 points, 95% interval [")
        .contains("400 paired turns");
    // and with nothing paired at all there is no verdict, said plainly
    assertThat(ComparisonReport.of(List.of(production, namespace("exp2", 10, i -> true, 1_000, false)), METHOD, 10)
        .variants().get(0).verdict()).isEqualTo("no verdict: no paired turns");
  }

  private interface Agrees {
    boolean at(int i);
  }

  private static NamespacePredictions namespace(String name, int turns, Agrees agrees, int idOffset) {
    return namespace(name, turns, agrees, idOffset, true);
  }

  private static NamespacePredictions namespace(String name, int turns, Agrees agrees, int idOffset, boolean heldOut) {
    NamespacePredictions.Builder builder = new NamespacePredictions.Builder(name, "student");
    for (int i = 0; i < turns; i++) {
      builder.add(Predictions.record("turn-" + (i + idOffset), i, heldOut, !heldOut, 3, agrees.at(i) ? 3 : 5, null,
          "student-v1"));
    }
    return builder.build();
  }
}
