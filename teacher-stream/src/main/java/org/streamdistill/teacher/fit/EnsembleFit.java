package org.streamdistill.teacher.fit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.teacher.model.EnsembleBundle;
import org.streamdistill.teacher.model.EnsembleLogits;
import org.streamdistill.teacher.model.FitReport;
import org.streamdistill.teacher.model.TeacherBundle;

/**
 * Builds an ensemble teacher from members that {@link TeacherFit} has fitted on the same splits:
 * combines their calibrated logits with the given weights ({@link EnsembleLogits}), fits the
 * ensemble's own calibration temperature on the calibration (validation) split, and measures
 * it on the test split. Nothing is embedded again: each member's {@link TeacherFit.Result}
 * carries its logits on both splits.
 */
public final class EnsembleFit {

  /**
   * What an ensemble fit produced.
   *
   * @param bundle the ensemble, not yet saved (its scoring cost not yet measured)
   * @param test the ensemble on the test split, at the bundle's temperature
   * @param validation the ensemble on the calibration (validation) split, where weights are chosen
   * @param weights the weight of every candidate member, in the order given, summing to 1; a
   *     candidate the validation split gave weight 0 is not in the bundle
   */
  public record Result(EnsembleBundle bundle, Evaluation test, Evaluation validation, double[] weights) {}

  /** Grid step of {@link #searchWeights}. */
  static final double WEIGHT_STEP = 0.1;

  private EnsembleFit() {}

  /**
   * Combines {@code members} (in this order; the first one tokenizes for all).
   *
   * @param members the member bundles (with their final fit reports) and their logits
   * @param logits each member's fit result, for its calibration and test logits
   * @param weights one per member, &gt;= 0, not all zero; null to choose them on the validation
   *     split ({@link #searchWeights})
   * @param temperature the ensemble's distillation temperature
   * @param settings recorded in the ensemble's fit report
   */
  public static Result fit(List<TeacherBundle> members, List<TeacherFit.Result> logits, double[] weights,
      TeacherFit.Splits splits, double temperature, Map<String, String> settings, Instant createdAt,
      Consumer<String> status) {
    if (members.size() != logits.size() || (weights != null && members.size() != weights.length)) {
      throw new IllegalArgumentException(members.size() + " members, " + logits.size() + " fit results and "
          + (weights == null ? "searched" : weights.length) + " weights");
    }
    Map<String, Integer> labelIndex = new HashMap<>();
    for (int i = 0; i < splits.labels().size(); i++) {
      labelIndex.put(splits.labels().get(i), i);
    }
    int oosIndex = labelIndex.getOrDefault(Clinc150.OUT_OF_SCOPE, -1);
    int[] yCalibration = TeacherFit.indices(splits.calibration(), labelIndex, "calibration");
    int[] yTest = TeacherFit.indices(splits.test(), labelIndex, "test");
    if (weights == null) {
      weights = searchWeights(logits, yCalibration, oosIndex);
      status.accept("ensemble weights chosen on the validation split: " + Arrays.stream(weights)
          .mapToObj(w -> String.format(java.util.Locale.ROOT, "%.2f", w))
          .collect(java.util.stream.Collectors.joining(", ")));
    }
    double[] all = normalise(weights);
    // A member weighted 0 would cost a full encoder call per turn for nothing: leave it out.
    List<TeacherBundle> kept = new ArrayList<>();
    List<TeacherFit.Result> keptLogits = new ArrayList<>();
    for (int m = 0; m < members.size(); m++) {
      if (all[m] > 0) {
        kept.add(members.get(m));
        keptLogits.add(logits.get(m));
      }
    }
    members = kept;
    logits = keptLogits;
    double[] normalised = Arrays.stream(all).filter(w -> w > 0).toArray();

    float[][] calibrationPool = pool(logits, true, normalised);
    double calibrationTemperature = 1.0;
    if (calibrationPool.length > 0) {
      calibrationTemperature = TemperatureScaling.fit(calibrationPool, yCalibration);
      status.accept(String.format(Locale.ROOT,
          "ensemble calibration temperature %.3f (validation NLL %.4f -> %.4f nats)", calibrationTemperature,
          TemperatureScaling.negativeLogLikelihood(calibrationPool, yCalibration, 1.0),
          TemperatureScaling.negativeLogLikelihood(calibrationPool, yCalibration, calibrationTemperature)));
    }
    float[][] testLogits = pool(logits, false, normalised);
    for (float[] row : testLogits) {
      for (int c = 0; c < row.length; c++) {
        row[c] = (float) (row[c] / calibrationTemperature);
      }
    }
    Evaluation test = Evaluation.ofLogits(testLogits, yTest, oosIndex, temperature);
    Evaluation validation = calibrationPool.length == 0 ? null
        : Evaluation.ofLogits(calibrationPool, yCalibration, oosIndex, temperature);
    Map<String, String> recorded = new LinkedHashMap<>(settings);
    recorded.put("ensemble_weights", Arrays.toString(normalised));
    TeacherBundle primary = members.get(0);
    FitReport report = new FitReport(primary.fit().trainExamples(), yCalibration.length, yTest.length,
        test.inScopeAccuracy(), test.oosRecall(), test.meanEntropyNats(), test.meanTopProbability(),
        calibrationTemperature, recorded);
    EnsembleBundle bundle = EnsembleBundle.create(members, normalised, calibrationTemperature, temperature,
        report, createdAt);
    return new Result(bundle, test, validation, all);
  }

  /**
   * In-scope accuracy on the validation and the test split of the members pooled with
   * {@code weights} (before any calibration, which changes no prediction): what another weighting
   * would have given, for comparison.
   *
   * @return {validation, test}
   */
  public static double[] inScopeAccuracies(List<TeacherFit.Result> members, double[] weights, TeacherFit.Splits splits) {
    Map<String, Integer> labelIndex = new HashMap<>();
    for (int i = 0; i < splits.labels().size(); i++) {
      labelIndex.put(splits.labels().get(i), i);
    }
    int oosIndex = labelIndex.getOrDefault(Clinc150.OUT_OF_SCOPE, -1);
    double[] normalised = normalise(weights);
    int[] yCalibration = TeacherFit.indices(splits.calibration(), labelIndex, "calibration");
    int[] yTest = TeacherFit.indices(splits.test(), labelIndex, "test");
    double validation = yCalibration.length == 0 ? Double.NaN
        : Evaluation.ofLogits(pool(members, true, normalised), yCalibration, oosIndex, 1.0).inScopeAccuracy();
    double test = Evaluation.ofLogits(pool(members, false, normalised), yTest, oosIndex, 1.0).inScopeAccuracy();
    return new double[] {validation, test};
  }

  /**
   * The weights, on a grid of {@value #WEIGHT_STEP} (0 included, so this also chooses the members,
   * at least two), that give the best in-scope accuracy on the calibration (validation) split;
   * ties go to the lower validation negative log-likelihood, then to the first found (the most
   * weight on the first members). The test split is never looked at.
   */
  static double[] searchWeights(List<TeacherFit.Result> members, int[] y, int oosIndex) {
    int m = members.size();
    int n = y.length;
    if (n == 0) {
      throw new IllegalArgumentException("choosing weights on the validation split needs a validation split");
    }
    double[][][] logP = new double[m][n][];
    for (int k = 0; k < m; k++) {
      for (int i = 0; i < n; i++) {
        logP[k][i] = EnsembleLogits.logSoftmax(members.get(k).calibrationLogits()[i]);
      }
    }
    int steps = (int) Math.round(1 / WEIGHT_STEP);
    double[] best = null;
    double bestAccuracy = -1;
    double bestNll = Double.POSITIVE_INFINITY;
    for (int[] units : compositions(steps, m)) {
      double[] w = Arrays.stream(units).mapToDouble(u -> u * WEIGHT_STEP).toArray();
      int inScope = 0;
      int right = 0;
      double nll = 0;
      for (int i = 0; i < n; i++) {
        int labels = logP[0][i].length;
        double[] pooled = new double[labels];
        for (int k = 0; k < m; k++) {
          for (int c = 0; c < labels; c++) {
            pooled[c] += w[k] * logP[k][i][c];
          }
        }
        int top = 0;
        double max = pooled[0];
        for (int c = 1; c < labels; c++) {
          if (pooled[c] > max) {
            max = pooled[c];
            top = c;
          }
        }
        double sum = 0;
        for (double v : pooled) {
          sum += Math.exp(v - max);
        }
        nll += max + Math.log(sum) - pooled[y[i]];
        if (y[i] != oosIndex) {
          inScope++;
          right += top == y[i] ? 1 : 0;
        }
      }
      double accuracy = inScope == 0 ? 0 : (double) right / inScope;
      if (accuracy > bestAccuracy || (accuracy == bestAccuracy && nll < bestNll)) {
        best = w;
        bestAccuracy = accuracy;
        bestNll = nll;
      }
    }
    return best;
  }

  /**
   * Every way to write {@code total} as {@code parts} integers &gt;= 0 of which at least two are
   * positive, in lexicographically decreasing order.
   */
  static List<int[]> compositions(int total, int parts) {
    List<int[]> out = new ArrayList<>();
    compose(total, new int[parts], 0, out);
    return out;
  }

  private static void compose(int left, int[] current, int index, List<int[]> out) {
    if (index == current.length - 1) {
      current[index] = left;
      if (Arrays.stream(current).filter(v -> v > 0).count() >= 2) {
        out.add(current.clone());
      }
      return;
    }
    for (int v = left; v >= 0; v--) {
      current[index] = v;
      compose(left - v, current, index + 1, out);
    }
  }

  /** The weighted log-probability pool of every example of one split, before the ensemble's calibration. */
  private static float[][] pool(List<TeacherFit.Result> members, boolean calibration, double[] weights) {
    int n = (calibration ? members.get(0).calibrationLogits() : members.get(0).testLogits()).length;
    List<float[]> pooled = new ArrayList<>(n);
    float[][] perExample = new float[members.size()][];
    for (int i = 0; i < n; i++) {
      for (int m = 0; m < members.size(); m++) {
        perExample[m] = (calibration ? members.get(m).calibrationLogits() : members.get(m).testLogits())[i];
      }
      pooled.add(EnsembleLogits.combine(perExample, weights, 1.0));
    }
    return pooled.toArray(new float[0][]);
  }

  private static double[] normalise(double[] weights) {
    double sum = Arrays.stream(weights).sum();
    if (!(sum > 0) || Double.isInfinite(sum)) {
      throw new IllegalArgumentException("member weights must be >= 0 and not all 0, got " + Arrays.toString(weights));
    }
    return Arrays.stream(weights).map(w -> w / sum).toArray();
  }
}
