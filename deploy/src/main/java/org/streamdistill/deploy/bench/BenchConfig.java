package org.streamdistill.deploy.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.deploy.cluster.LocalClusterConfig;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * Settings of the {@code bench} command. {@code --quick} is a preset: it changes the defaults
 * of the sizes (fewer turns, one checkpoint interval, shorter windows) but never a value given
 * explicitly. The teacher job settings default to the job's own defaults, so the bench
 * measures the job as it ships.
 */
public record BenchConfig(boolean quick, Path data, Path teacherBundle, Path workDir, Path json, Path markdown,
                          Path demoSummary, int turns, int rounds, int warmupTurns, int servingTurns,
                          double trainingSeconds,
                          List<Long> checkpointIntervalsMillis, double e2eWarmupSeconds, double e2eSeconds,
                          double loadFraction, double rate, int qualityTestTurns, long brokerRecords,
                          int batchMaxSize, long batchMaxWaitMillis, long checkpointIntervalMillis, long seed,
                          long timeoutMinutes, boolean cluster, int clusterBasePort, String clusterJobJar,
                          String clusterJvmFlags) {

  public static final String DATA = "bench.data";
  public static final String TEACHER_BUNDLE = "bench.teacher-bundle";
  public static final String WORK_DIR = "bench.work-dir";
  public static final String JSON = "bench.json";
  public static final String MARKDOWN = "bench.markdown";
  public static final String DEMO_SUMMARY = "bench.demo-summary";
  public static final String TURNS = "bench.turns";
  public static final String ROUNDS = "bench.rounds";
  public static final String WARMUP_TURNS = "bench.warmup-turns";
  public static final String SERVING_TURNS = "bench.serving.turns";
  public static final String TRAINING_SECONDS = "bench.training.seconds";
  public static final String CHECKPOINT_INTERVALS_MS = "bench.e2e.checkpoint-intervals-ms";
  public static final String E2E_WARMUP_SECONDS = "bench.e2e.warmup-seconds";
  public static final String E2E_SECONDS = "bench.e2e.seconds";
  public static final String LOAD_FRACTION = "bench.e2e.load-fraction";
  public static final String RATE = "bench.e2e.rate";
  public static final String QUALITY_TEST_TURNS = "bench.quality.test-turns";
  public static final String BROKER_RECORDS = "bench.broker.records";
  public static final String BATCH_MAX_SIZE = "bench.teacher.batch.max-size";
  public static final String BATCH_MAX_WAIT_MS = "bench.teacher.batch.max-wait-ms";
  public static final String CHECKPOINT_INTERVAL_MS = "bench.teacher.checkpoint.interval-ms";
  public static final String SEED = "bench.seed";
  public static final String TIMEOUT_MINUTES = "bench.timeout-minutes";
  public static final String CLUSTER_BASE_PORT = "bench.cluster.base-port";
  public static final String CLUSTER_JOB_JAR = "bench.cluster.job-jar";
  public static final String CLUSTER_JVM_FLAGS = "bench.cluster.jvm-flags";

  private static final Map<String, Object> JOB_DEFAULTS = TeacherJobConfig.DEFINITION.defaultValues();

  public static final ConfigDef DEFINITION = new ConfigDef()
      .define(DATA, Type.STRING, Clinc150.DEFAULT_PATH.toString(), Importance.HIGH, "CLINC150 data_full.json.")
      .define(TEACHER_BUNDLE, Type.STRING, "target/teacher-bundle", Importance.HIGH,
          "Teacher bundle; fitted on CLINC150 first when the directory does not exist.")
      .define(WORK_DIR, Type.STRING, "target/bench", Importance.MEDIUM,
          "Broker data, checkpoints and the exported student; emptied at the start of every run.")
      .define(JSON, Type.STRING, "", Importance.MEDIUM, "Also write every figure as JSON to this file.")
      .define(MARKDOWN, Type.STRING, "BENCHMARKS.md", Importance.MEDIUM,
          "Append a dated section to this Markdown file (never rewrites what is there); empty to skip.")
      .define(DEMO_SUMMARY, Type.STRING, "", Importance.MEDIUM,
          "A demo --summary-json file: its teacher and student accuracy join the quality table.")
      .define(TURNS, Type.INT, 5_500, Range.between(50, 50_000), Importance.HIGH,
          "Turns of the throughput sections (the CLINC150 test split holds 5,500; more adds training turns). "
              + "Quick: 600.")
      .define(ROUNDS, Type.INT, 3, Range.between(1, 20), Importance.MEDIUM,
          "Rounds of raw teacher against job (sections 1 and 5), alternating which goes first; the medians are "
              + "reported. Quick: 1.")
      .define(WARMUP_TURNS, Type.INT, 300, Range.between(0, 50_000), Importance.LOW,
          "Turns scored before any timing starts (JIT, ONNX Runtime, Kafka clients). Quick: 100.")
      .define(SERVING_TURNS, Type.INT, 1_000, Range.between(10, 50_000), Importance.MEDIUM,
          "Turns classified one at a time by teacher and student. Quick: 150.")
      .define(TRAINING_SECONDS, Type.DOUBLE, 10.0, Range.between(0.5, 600), Importance.LOW,
          "Student training is timed for at least this long (and at least one pass). Quick: 2.")
      .define(CHECKPOINT_INTERVALS_MS, Type.LIST, "500,2000,5000", Importance.MEDIUM,
          "Teacher checkpoint intervals of the end-to-end runs. Quick: 1000.")
      .define(E2E_WARMUP_SECONDS, Type.DOUBLE, 10.0, Range.between(0, 600), Importance.LOW,
          "Turns written in the first seconds of each end-to-end run are left out of its latencies. Quick: 4.")
      .define(E2E_SECONDS, Type.DOUBLE, 60.0, Range.between(1, 3_600), Importance.MEDIUM,
          "Measured seconds of each end-to-end run. Quick: 12.")
      .define(LOAD_FRACTION, Type.DOUBLE, 0.5, Range.between(0.01, 1.0), Importance.MEDIUM,
          "End-to-end offered load as a share of the job throughput measured in section 1.")
      .define(RATE, Type.DOUBLE, 0.0, Range.atLeast(0), Importance.LOW,
          "End-to-end offered load in turns/s; 0 derives it from " + LOAD_FRACTION + ".")
      .define(QUALITY_TEST_TURNS, Type.INT, 5_500, Range.between(0, 5_500), Importance.MEDIUM,
          "Held-out test turns replayed after the last end-to-end run to measure teacher and student accuracy; "
              + "0 skips. Quick: 500.")
      .define(BROKER_RECORDS, Type.LONG, 50_000L, Range.between(100, 10_000_000), Importance.LOW,
          "Records produced and consumed per kind by the broker-alone measurement. Quick: 10000.")
      .define(BATCH_MAX_SIZE, Type.INT, (Integer) JOB_DEFAULTS.get(TeacherJobConfig.BATCH_MAX_SIZE),
          Range.between(1, 4096), Importance.MEDIUM,
          "Teacher job " + TeacherJobConfig.BATCH_MAX_SIZE + "; the raw teacher is timed at the same batch size.")
      .define(BATCH_MAX_WAIT_MS, Type.LONG, (Long) JOB_DEFAULTS.get(TeacherJobConfig.BATCH_MAX_WAIT_MS),
          Range.between(1, 60_000), Importance.LOW, "Teacher job " + TeacherJobConfig.BATCH_MAX_WAIT_MS + ".")
      .define(CHECKPOINT_INTERVAL_MS, Type.LONG, (Long) JOB_DEFAULTS.get(TeacherJobConfig.CHECKPOINT_INTERVAL_MS),
          Range.between(100, 600_000), Importance.LOW,
          "Teacher job checkpoint interval of the throughput runs (sections 1 and 5).")
      .define(SEED, Type.LONG, 42L, Importance.LOW, "Seed of turn order, conversations and gold labels.")
      .define(TIMEOUT_MINUTES, Type.LONG, 10L, Range.between(1, 600), Importance.LOW,
          "Give up a wait (for soft labels, predictions) after this long.")
      .define(CLUSTER_BASE_PORT, Type.INT, LocalClusterConfig.DEFINITION.defaultValues().get(
          LocalClusterConfig.BASE_PORT), Range.between(1024, 65_000), Importance.LOW,
          "With --cluster: base port of the local cluster (" + LocalClusterConfig.BASE_PORT + ").")
      .define(CLUSTER_JOB_JAR, Type.STRING, "", Importance.LOW,
          "With --cluster: the teacher job jar (" + LocalClusterConfig.JOB_JAR + "); empty: the one -Pcluster builds.")
      .define(CLUSTER_JVM_FLAGS, Type.STRING, "", org.streamdistill.deploy.cluster.JvmFlags.VALIDATOR, Importance.LOW,
          "With --cluster: extra JVM flags of the cluster's processes (" + LocalClusterConfig.JVM_FLAGS + "); they "
              + "change what is measured, and the report's command names them.");

  /** Values {@code --quick} puts in place of the defaults. */
  static final Map<String, String> QUICK = Map.of(
      TURNS, "600", ROUNDS, "1", WARMUP_TURNS, "100", SERVING_TURNS, "150", TRAINING_SECONDS, "2",
      CHECKPOINT_INTERVALS_MS, "1000", E2E_WARMUP_SECONDS, "4", E2E_SECONDS, "12", QUALITY_TEST_TURNS, "500",
      BROKER_RECORDS, "10000");

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL", Map.ofEntries(
      Map.entry("data", DATA), Map.entry("teacher-bundle", TEACHER_BUNDLE), Map.entry("work-dir", WORK_DIR),
      Map.entry("json", JSON), Map.entry("markdown", MARKDOWN), Map.entry("demo-summary", DEMO_SUMMARY),
      Map.entry("turns", TURNS), Map.entry("checkpoint-intervals-ms", CHECKPOINT_INTERVALS_MS),
      Map.entry("seed", SEED)));

  /** Parses flags ({@code --quick} takes no value) and {@code STREAMDISTILL_BENCH_*} variables. */
  public static BenchConfig parse(List<String> args, Map<String, String> env) {
    List<String> rest = new ArrayList<>(args);
    boolean quick = rest.remove("--quick");
    boolean cluster = rest.remove("--cluster");
    Map<String, String> raw = new java.util.HashMap<>(LOADER.collect(rest, env));
    if (quick) {
      QUICK.forEach(raw::putIfAbsent);
    }
    Map<String, Object> v = DEFINITION.parse(raw);
    List<Long> intervals = new ArrayList<>();
    for (Object item : (List<?>) v.get(CHECKPOINT_INTERVALS_MS)) {
      String text = item.toString().trim();
      long value;
      try {
        value = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new ConfigException(CHECKPOINT_INTERVALS_MS, text, "must be a comma-separated list of milliseconds");
      }
      if (value < 100 || value > 600_000) {
        throw new ConfigException(CHECKPOINT_INTERVALS_MS, text, "each interval must be within 100..600000 ms");
      }
      intervals.add(value);
    }
    if (intervals.isEmpty()) {
      throw new ConfigException(CHECKPOINT_INTERVALS_MS, "", "name at least one interval");
    }
    return new BenchConfig(quick, Path.of((String) v.get(DATA)), Path.of((String) v.get(TEACHER_BUNDLE)),
        Path.of((String) v.get(WORK_DIR)), path((String) v.get(JSON)), path((String) v.get(MARKDOWN)),
        path((String) v.get(DEMO_SUMMARY)), (Integer) v.get(TURNS), (Integer) v.get(ROUNDS),
        (Integer) v.get(WARMUP_TURNS),
        (Integer) v.get(SERVING_TURNS), (Double) v.get(TRAINING_SECONDS), List.copyOf(intervals),
        (Double) v.get(E2E_WARMUP_SECONDS), (Double) v.get(E2E_SECONDS), (Double) v.get(LOAD_FRACTION),
        (Double) v.get(RATE), (Integer) v.get(QUALITY_TEST_TURNS), (Long) v.get(BROKER_RECORDS),
        (Integer) v.get(BATCH_MAX_SIZE), (Long) v.get(BATCH_MAX_WAIT_MS), (Long) v.get(CHECKPOINT_INTERVAL_MS),
        (Long) v.get(SEED), (Long) v.get(TIMEOUT_MINUTES), cluster, (Integer) v.get(CLUSTER_BASE_PORT),
        (String) v.get(CLUSTER_JOB_JAR), (String) v.get(CLUSTER_JVM_FLAGS));
  }

  private static Path path(String value) {
    return value.isEmpty() ? null : Path.of(value);
  }

  /** {@code --help} text. */
  public static String help() {
    return "  --quick                    preset of smaller sizes (a few minutes); explicit settings still win\n"
        + "  --cluster                  only the scale-out on the local Flink cluster (cluster up without the stages):\n"
        + "                             the teacher job at parallelism 1, then 2 after a savepoint, one ONNX thread\n"
        + "                             per subtask, against raw teachers; uses the turns, rounds and warm-up settings\n"
        + LOADER.help();
  }
}
