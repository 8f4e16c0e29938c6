package org.streamdistill.deploy.demo;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.job.TeacherJobConfig;

/** Settings of the {@code demo} command. */
public record DemoConfig(Path data, int passes, double goldFraction, long seed, long limit, double rate,
                         Path workDir, Path teacherBundle, Path summaryJson, long timeoutMinutes,
                         int teacherParallelism, long checkpointIntervalMillis, long progressEveryMillis,
                         Map<String, String> teacherSelection, Map<String, String> trainer, double streamFrom) {

  /**
   * The teacher job's selection settings ({@code teacher.selection.*}, and the fallback teacher's,
   * {@code teacher.fallback.*}), which the demo takes as they
   * are and hands to its teacher job: defined once, in {@link TeacherJobConfig}, and reused here.
   */
  static final List<String> TEACHER_SELECTION_KEYS = List.of(TeacherJobConfig.SELECTION_POLICY,
      TeacherJobConfig.SELECTION_UNIFORM_RATE, TeacherJobConfig.SELECTION_MEASURE, TeacherJobConfig.SELECTION_THRESHOLD,
      TeacherJobConfig.SELECTION_BUDGET, TeacherJobConfig.SELECTION_BUDGET_WINDOW_MS,
      TeacherJobConfig.SELECTION_AUDIT_SHARE, TeacherJobConfig.SELECTION_SEED,
      TeacherJobConfig.SELECTION_CHAMPION_REFRESH_MS, TeacherJobConfig.SELECTION_CHAMPION_FOLLOW,
      TeacherJobConfig.FALLBACK_BUNDLE, TeacherJobConfig.FALLBACK_MAX_TURNS_PER_SECOND,
      TeacherJobConfig.FALLBACK_ONNX_THREADS);

  /**
   * The trainer's learning settings the demo hands on ({@code trainer.*}), so that a setting a
   * benchmark chose (more replay behind a gate, say) can be tried through the whole pipeline;
   * defined once, in {@link TrainerConfig}. Where the trainer keeps its files and which group it
   * uses stay the demo's.
   */
  static final List<String> TRAINER_KEYS = List.of(TrainerConfig.BATCH_SIZE, TrainerConfig.LEARNING_RATE,
      TrainerConfig.ALPHA, TrainerConfig.REPLAY_BATCHES, TrainerConfig.REPLAY_CAPACITY,
      TrainerConfig.WEIGHT_AVERAGE_DECAY, TrainerConfig.LEARNING_RATE_DECAY_AFTER, TrainerConfig.CHECKPOINT_FIRST_SAMPLES,
      TrainerConfig.CHECKPOINT_EVERY_SAMPLES,
      TrainerConfig.CHECKPOINT_EVERY_MS, TrainerConfig.SEED);

  public static final String DATA = "demo.data";
  public static final String PASSES = "demo.passes";
  public static final String GOLD_FRACTION = "demo.gold-fraction";
  public static final String SEED = "demo.seed";
  public static final String LIMIT = "demo.limit";
  public static final String RATE = "demo.rate";
  public static final String WORK_DIR = "demo.work-dir";
  public static final String TEACHER_BUNDLE = "demo.teacher-bundle";
  public static final String SUMMARY_JSON = "demo.summary-json";
  public static final String TIMEOUT_MINUTES = "demo.timeout-minutes";
  public static final String TEACHER_PARALLELISM = "demo.teacher.parallelism";
  public static final String CHECKPOINT_INTERVAL_MS = "demo.teacher.checkpoint-interval-ms";
  public static final String PROGRESS_EVERY_MS = "demo.progress-every-ms";
  public static final String STREAM_FROM = "demo.stream-from";

  public static final ConfigDef DEFINITION = new ConfigDef()
      .define(DATA, Type.STRING, Clinc150.DEFAULT_PATH.toString(), Importance.HIGH, "CLINC150 data_full.json to replay.")
      .define(PASSES, Type.INT, 1, Range.between(0, 100), Importance.HIGH,
          "Passes over the training split before the held-out test split (one is enough: the trainer replays "
              + "what it learned, trainer.replay.batches).")
      .define(GOLD_FRACTION, Type.DOUBLE, 0.1, Range.between(0, 1), Importance.MEDIUM,
          "Share of training turns that carry their gold label.")
      .define(SEED, Type.LONG, 42L, Importance.LOW, "Seed of the replay (order, conversations, gold labels).")
      .define(LIMIT, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM, "Replay at most this many turns; 0 for all.")
      .define(RATE, Type.DOUBLE, 0.0, Range.atLeast(0), Importance.MEDIUM, "Turns per second offered; 0 for unlimited.")
      .define(WORK_DIR, Type.STRING, "target/demo", Importance.MEDIUM,
          "Broker data, checkpoints and Streams state; emptied at the start of every run.")
      .define(TEACHER_BUNDLE, Type.STRING, "target/teacher-bundle", Importance.MEDIUM,
          "Teacher bundle to score with; fitted on CLINC150 first when the directory does not exist.")
      .define(SUMMARY_JSON, Type.STRING, "", Importance.MEDIUM, "Also write the summary as JSON to this file.")
      .define(TIMEOUT_MINUTES, Type.LONG, 30L, Range.between(1, 24 * 60), Importance.LOW,
          "Give up when the pipeline has not caught up after this long.")
      .define(TEACHER_PARALLELISM, Type.INT, 0, Range.between(0, 64), Importance.MEDIUM, "Teacher job parallelism; "
          + "0: the teacher job's default (one subtask of one ONNX thread per processor, up to the turns topic's "
          + "partitions; each subtask loads its own model).")
      .define(CHECKPOINT_INTERVAL_MS, Type.LONG, 2_000L, Range.between(100, 600_000), Importance.MEDIUM,
          "Teacher job checkpoint interval (soft labels become visible at checkpoints).")
      .define(PROGRESS_EVERY_MS, Type.LONG, 5_000L, Range.between(100, 600_000), Importance.LOW,
          "How often the progress line is printed.")
      .define(STREAM_FROM, Type.DOUBLE, 0.0, Range.between(0.0, 0.99), Importance.LOW,
          "Replay only the training turns whose text hash falls at or above this share of the split: with "
              + "teachers fitted by fit --fit.train-share S, S streams turns no head was fitted on (as live traffic "
              + "is to a teacher). 0: every training turn.");

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL", Map.ofEntries(
      Map.entry("data", DATA), Map.entry("passes", PASSES), Map.entry("gold-fraction", GOLD_FRACTION),
      Map.entry("seed", SEED), Map.entry("limit", LIMIT), Map.entry("rate", RATE), Map.entry("work-dir", WORK_DIR),
      Map.entry("teacher-bundle", TEACHER_BUNDLE), Map.entry("summary-json", SUMMARY_JSON),
      Map.entry("timeout-minutes", TIMEOUT_MINUTES), Map.entry("teacher-parallelism", TEACHER_PARALLELISM),
      Map.entry("stream-from", STREAM_FROM)));

  public static final String CONSOLE_PORT = "demo.console.port";
  public static final String CONSOLE_HOST = "demo.console.host";

  static {
    for (String key : TEACHER_SELECTION_KEYS) {
      DEFINITION.define(TeacherJobConfig.DEFINITION.configKeys().get(key));
    }
    for (String key : TRAINER_KEYS) {
      DEFINITION.define(TrainerConfig.DEFINITION.configKeys().get(key));
    }
    DEFINITION
        .define(CONSOLE_PORT, Type.INT, 8070, Range.between(-1, 65_535), Importance.MEDIUM,
            "Port of the live web console the demo serves until its summary (bin/streamdistill console); 0 picks"
                + " a free one, -1 serves none.")
        .define(CONSOLE_HOST, Type.STRING, "127.0.0.1", Importance.LOW,
            "Address the demo's console binds; 0.0.0.0 for every interface (no authentication).");
  }

  /** The console's settings for a pipeline at {@code bootstrapServers} and {@code registryUrl}; null when off. */
  public static org.streamdistill.evaluator.console.ConsoleConfig console(List<String> args, Map<String, String> env,
                                                                         String bootstrapServers, String registryUrl) {
    Map<String, Object> v = LOADER.load(args, env);
    int port = (Integer) v.get(CONSOLE_PORT);
    if (port < 0) {
      return null;
    }
    return org.streamdistill.evaluator.console.ConsoleConfig.of(Map.of(
        org.streamdistill.evaluator.console.ConsoleConfig.BOOTSTRAP_SERVERS, bootstrapServers,
        org.streamdistill.evaluator.console.ConsoleConfig.REGISTRY_URL, registryUrl,
        org.streamdistill.evaluator.console.ConsoleConfig.HTTP_PORT, Integer.toString(port),
        org.streamdistill.evaluator.console.ConsoleConfig.HTTP_HOST, (String) v.get(CONSOLE_HOST)));
  }

  public static DemoConfig parse(List<String> args, Map<String, String> env) {
    Map<String, Object> v = LOADER.load(args, env);
    String summary = (String) v.get(SUMMARY_JSON);
    // Checked together now (a fallback teacher needs a gate), not when the pipeline has started.
    TeacherJobConfig.of(teacherSelection(v));
    return new DemoConfig(Path.of((String) v.get(DATA)), (Integer) v.get(PASSES), (Double) v.get(GOLD_FRACTION),
        (Long) v.get(SEED), (Long) v.get(LIMIT), (Double) v.get(RATE), Path.of((String) v.get(WORK_DIR)),
        Path.of((String) v.get(TEACHER_BUNDLE)), summary.isEmpty() ? null : Path.of(summary),
        (Long) v.get(TIMEOUT_MINUTES), (Integer) v.get(TEACHER_PARALLELISM), (Long) v.get(CHECKPOINT_INTERVAL_MS),
        (Long) v.get(PROGRESS_EVERY_MS), teacherSelection(v), trainer(v), (Double) v.get(STREAM_FROM));
  }

  /**
   * Checks that the fallback teacher's bundle, if one is named, is there: the demo's teacher job runs
   * in this process, and a missing bundle would fail each of its restarts the same way.
   *
   * @throws ConfigException naming the setting when it is not
   */
  void checkFallbackBundle() {
    var fallback = TeacherJobConfig.of(teacherSelection).fallback();
    if (fallback.present() && !java.nio.file.Files.isRegularFile(Path.of(fallback.bundle()).resolve("bundle.json"))) {
      throw new ConfigException(TeacherJobConfig.FALLBACK_BUNDLE, fallback.bundle(),
          "no teacher bundle there (no bundle.json); bin/streamdistill fit --out DIR writes one");
    }
  }

  /** The selection policy with its settings, in the words of the teacher job's log. */
  String describeSelection() {
    TeacherJobConfig teacher = TeacherJobConfig.of(teacherSelection);
    return teacher.selection().describe() + (teacher.fallback().present()
        ? "; the turns it skips scored by fallback teacher " + teacher.fallback().describe() : "");
  }

  /** The trainer settings given that differ from the trainer's defaults, in key order. */
  private static Map<String, String> trainer(Map<String, Object> v) {
    Map<String, String> trainer = new java.util.TreeMap<>();
    for (String key : TRAINER_KEYS) {
      Object value = v.get(key);
      if (!java.util.Objects.equals(value, TrainerConfig.DEFINITION.configKeys().get(key).defaultValue)) {
        trainer.put(key, String.valueOf(value));
      }
    }
    return java.util.Collections.unmodifiableMap(trainer);
  }

  private static Map<String, String> teacherSelection(Map<String, Object> v) {
    Map<String, String> selection = new java.util.TreeMap<>();
    for (String key : TEACHER_SELECTION_KEYS) {
      selection.put(key, String.valueOf(v.get(key)));
    }
    return Map.copyOf(selection);
  }
}
