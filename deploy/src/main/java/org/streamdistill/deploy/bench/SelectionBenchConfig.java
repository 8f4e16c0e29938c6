package org.streamdistill.deploy.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * Settings of {@code bench selection}: the learning curve of the selection policies against
 * teacher calls, and the peak with and without a budget. The data, teacher bundle, work
 * directory, Markdown file and seed are {@code bench}'s own settings, reused. {@code --quick}
 * changes the defaults of the sizes, never a value given explicitly.
 */
public record SelectionBenchConfig(boolean quick, Path data, Path teacherBundle, Path workDir, Path markdown,
                                   long seed, int passes, int trainTurns, int testTurns, int evalEvery,
                                   double goldFraction, double uniformRate, double threshold, double auditShare,
                                   double peakFactor, double peakSeconds, double drainSeconds, double budgetFraction,
                                   boolean peak, double fallbackFraction, int peakWarmupTurns) {

  public static final String PASSES = "bench.selection.passes";
  public static final String TRAIN_TURNS = "bench.selection.train-turns";
  public static final String TEST_TURNS = "bench.selection.test-turns";
  public static final String EVAL_EVERY = "bench.selection.eval-every";
  public static final String GOLD_FRACTION = "bench.selection.gold-fraction";
  public static final String UNIFORM_RATE = "bench.selection.uniform.rate";
  public static final String THRESHOLD = "bench.selection.uncertainty.threshold";
  public static final String AUDIT_SHARE = "bench.selection.audit.share";
  public static final String PEAK_FACTOR = "bench.selection.peak.factor";
  public static final String PEAK_SECONDS = "bench.selection.peak.seconds";
  public static final String DRAIN_SECONDS = "bench.selection.peak.drain-seconds";
  public static final String BUDGET_FRACTION = "bench.selection.peak.budget-fraction";
  public static final String PEAK = "bench.selection.peak";
  public static final String FALLBACK_FRACTION = "bench.selection.peak.fallback-fraction";
  public static final String PEAK_WARMUP_TURNS = "bench.selection.peak.warmup-turns";

  private static final Map<String, Object> JOB_DEFAULTS = TeacherJobConfig.DEFINITION.defaultValues();

  public static final ConfigDef DEFINITION = new ConfigDef()
      .define(BenchConfig.DEFINITION.configKeys().get(BenchConfig.DATA))
      .define(BenchConfig.DEFINITION.configKeys().get(BenchConfig.TEACHER_BUNDLE))
      .define(BenchConfig.DEFINITION.configKeys().get(BenchConfig.WORK_DIR))
      .define(BenchConfig.DEFINITION.configKeys().get(BenchConfig.MARKDOWN))
      .define(BenchConfig.DEFINITION.configKeys().get(BenchConfig.SEED))
      .define(PASSES, Type.INT, 2, Range.between(1, 20), Importance.MEDIUM,
          "Passes over the CLINC150 training turns (reshuffled each pass) in the learning curve.")
      .define(TRAIN_TURNS, Type.INT, 0, Range.atLeast(0), Importance.LOW,
          "Training turns per pass; 0 takes the whole training split (15,100). Quick: 1500.")
      .define(TEST_TURNS, Type.INT, 4_500, Range.between(10, 4_500), Importance.MEDIUM,
          "In-scope CLINC150 test turns the student's held-out accuracy is measured on. Quick: 300.")
      .define(EVAL_EVERY, Type.INT, 2_000, Range.between(32, 1_000_000), Importance.LOW,
          "Training turns seen between two accuracy measurements. Quick: 500.")
      .define(GOLD_FRACTION, Type.DOUBLE, 0.1, Range.between(0.0, 1.0), Importance.LOW,
          "Share of training turns that carry a gold label (as the demo replays them).")
      .define(UNIFORM_RATE, Type.DOUBLE, (Double) JOB_DEFAULTS.get(TeacherJobConfig.SELECTION_UNIFORM_RATE),
          Range.between(1e-6, 1.0), Importance.MEDIUM, "Rate of policy uniform (" + TeacherJobConfig.SELECTION_UNIFORM_RATE
              + ").")
      .define(THRESHOLD, Type.DOUBLE, (Double) JOB_DEFAULTS.get(TeacherJobConfig.SELECTION_THRESHOLD),
          Range.between(1e-6, 1.0), Importance.MEDIUM, "Top-probability threshold of policy uncertainty ("
              + TeacherJobConfig.SELECTION_THRESHOLD + ").")
      .define(AUDIT_SHARE, Type.DOUBLE, (Double) JOB_DEFAULTS.get(TeacherJobConfig.SELECTION_AUDIT_SHARE),
          Range.between(0.0, 1.0), Importance.LOW, "Audit share of every policy but all ("
              + TeacherJobConfig.SELECTION_AUDIT_SHARE + ").")
      .define(PEAK_FACTOR, Type.DOUBLE, 3.0, Range.between(1.0, 20.0), Importance.MEDIUM,
          "The peak offers this many times the teacher's measured rate.")
      .define(PEAK_SECONDS, Type.DOUBLE, 120.0, Range.between(1, 3_600), Importance.MEDIUM,
          "How long the peak lasts. Quick: 8.")
      .define(DRAIN_SECONDS, Type.DOUBLE, 30.0, Range.between(0, 3_600), Importance.LOW,
          "After the peak, lag is still sampled this long (no load). Quick: 5.")
      .define(BUDGET_FRACTION, Type.DOUBLE, 0.7, Range.between(0.01, 1.0), Importance.MEDIUM,
          "Policy budget's turns per second, as a share of the teacher's measured rate (the audit share comes on "
              + "top).")
      .define(PEAK, Type.BOOLEAN, true, Importance.LOW, "Run the peak (false: the learning curve only).")
      .define(FALLBACK_FRACTION, Type.DOUBLE, 0.0, Range.between(0.0, 1.0), Importance.LOW,
          "Above 0, a third peak: policy budget with a fallback teacher (" + TeacherJobConfig.FALLBACK_BUNDLE
              + ", the teacher's own bundle, so a fallback turn costs what a teacher turn does: the worst case) "
              + "capped at this share of the teacher's measured rate (" + TeacherJobConfig.FALLBACK_MAX_TURNS_PER_SECOND
              + "). 0: no such peak.")
      .define(PEAK_WARMUP_TURNS, Type.INT, 4_000, Range.between(1, 1_000_000), Importance.LOW,
          "Turns each peak's job catches up with, offered at once, before the peak's clock starts: a peak meets a "
              + "job that has been running (its hot paths compiled), not one that has just started. Quick: 200.");

  static final Map<String, String> QUICK = Map.of(TRAIN_TURNS, "1500", TEST_TURNS, "300", EVAL_EVERY, "500",
      PEAK_SECONDS, "8", DRAIN_SECONDS, "5", PEAK_WARMUP_TURNS, "200");

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL", Map.of(
      "data", BenchConfig.DATA, "teacher-bundle", BenchConfig.TEACHER_BUNDLE, "work-dir", BenchConfig.WORK_DIR,
      "markdown", BenchConfig.MARKDOWN, "seed", BenchConfig.SEED));

  /** Parses flags ({@code --quick} takes no value) and {@code STREAMDISTILL_BENCH_*} variables. */
  public static SelectionBenchConfig parse(List<String> args, Map<String, String> env) {
    List<String> rest = new ArrayList<>(args);
    boolean quick = rest.remove("--quick");
    Map<String, String> raw = new HashMap<>(LOADER.collect(rest, env));
    if (quick) {
      QUICK.forEach(raw::putIfAbsent);
    }
    Map<String, Object> v = DEFINITION.parse(raw);
    String markdown = (String) v.get(BenchConfig.MARKDOWN);
    return new SelectionBenchConfig(quick, Path.of((String) v.get(BenchConfig.DATA)),
        Path.of((String) v.get(BenchConfig.TEACHER_BUNDLE)), Path.of((String) v.get(BenchConfig.WORK_DIR)),
        markdown.isBlank() ? null : Path.of(markdown), (Long) v.get(BenchConfig.SEED), (Integer) v.get(PASSES),
        (Integer) v.get(TRAIN_TURNS), (Integer) v.get(TEST_TURNS), (Integer) v.get(EVAL_EVERY),
        (Double) v.get(GOLD_FRACTION), (Double) v.get(UNIFORM_RATE), (Double) v.get(THRESHOLD),
        (Double) v.get(AUDIT_SHARE), (Double) v.get(PEAK_FACTOR), (Double) v.get(PEAK_SECONDS),
        (Double) v.get(DRAIN_SECONDS), (Double) v.get(BUDGET_FRACTION), (Boolean) v.get(PEAK),
        (Double) v.get(FALLBACK_FRACTION), (Integer) v.get(PEAK_WARMUP_TURNS));
  }

  /** Every setting with its default and doc, for {@code --help}. */
  public static String help() {
    return LOADER.help();
  }
}
