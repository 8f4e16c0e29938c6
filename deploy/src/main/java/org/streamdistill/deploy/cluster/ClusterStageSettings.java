package org.streamdistill.deploy.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * The stage settings a local cluster adds to its own ({@code cluster.teacher.config}, {@code
 * cluster.trainer.config}, {@code cluster.evaluator.config}): Java properties files of a stage's
 * keys, read and checked with the stage's own loader when the command starts, so that a wrong key
 * or value stops {@code up} before anything runs, not a stage after the cluster has started. The
 * cluster sets some keys from its own settings (the brokers, the registry, where a stage keeps its
 * state) and refuses them in a file.
 *
 * <p>The trainer and the evaluator read their file themselves ({@code --config FILE}), so secrets
 * may stay in it. The teacher job's settings go to {@code flink run} as flags, which anyone on the
 * machine can read in the process list, so secrets are refused there; its paths are made absolute
 * against the directory the command runs in, as the TaskManagers, which open the files, run with
 * their own.
 */
final class ClusterStageSettings {

  /** The teacher job settings the cluster derives from its own, with the setting (or fact) that decides each. */
  static final Map<String, String> TEACHER_OWNED = Map.of(
      TeacherJobConfig.BOOTSTRAP_SERVERS, "the cluster's brokers",
      TeacherJobConfig.REGISTRY_URL, "the cluster's registry",
      TeacherJobConfig.BUNDLE, LocalClusterConfig.TEACHER_BUNDLE,
      TeacherJobConfig.PARALLELISM, LocalClusterConfig.TEACHER_PARALLELISM,
      TeacherJobConfig.ONNX_THREADS, "one ONNX Runtime thread per subtask, one subtask per task slot",
      TeacherJobConfig.CHECKPOINT_INTERVAL_MS, LocalClusterConfig.CHECKPOINT_INTERVAL_MS);

  static final Map<String, String> TRAINER_OWNED = Map.of(
      TrainerConfig.BOOTSTRAP_SERVERS, "the cluster's brokers",
      TrainerConfig.REGISTRY_URL, "the cluster's registry",
      TrainerConfig.CHECKPOINT_DIR, "trainer/checkpoints in " + LocalClusterConfig.WORK_DIR);

  static final Map<String, String> EVALUATOR_OWNED = Map.of(
      EvaluatorConfig.BOOTSTRAP_SERVERS, "the cluster's brokers",
      EvaluatorConfig.SCHEMA_REGISTRY_URL, "the cluster's registry",
      EvaluatorConfig.STATE_DIR, "evaluator/state in " + LocalClusterConfig.WORK_DIR,
      EvaluatorConfig.STREAMS_PREFIX + "replication.factor", "3, the cluster's brokers");

  /** Teacher settings naming a file or directory that the job's tasks open. */
  static final List<String> TEACHER_PATHS = List.of(TeacherJobConfig.FALLBACK_BUNDLE, TeacherJobConfig.ONNX_MODEL,
      TeacherJobConfig.ONNX_TOKENIZER, TeacherJobConfig.ONNX_LABELS, TeacherJobConfig.CHECKPOINT_DIR);

  /** Stands in for the cluster's brokers while a file is checked. */
  private static final String SOME_BROKER = "127.0.0.1:9092";

  private ClusterStageSettings() {}

  /**
   * The teacher job settings of {@code file}, in key order, paths absolute; none when {@code file} is blank.
   *
   * @param setting the cluster's setting that named the file, for the messages
   * @throws ConfigException naming {@code setting}, the file and the key, when the file cannot be read,
   *     names an unknown key, one of {@link #TEACHER_OWNED} or a secret, or a value the job would refuse
   */
  static Map<String, String> teacher(String setting, String file) {
    if (file == null || file.isBlank()) {
      return Map.of();
    }
    String where = where(setting, file);
    Map<String, String> settings = new TreeMap<>(collect(where, file, TeacherJobConfig.LOADER, TEACHER_OWNED));
    for (String key : settings.keySet()) {
      if (TeacherJobConfig.LOADER.isSecret(key)) {
        throw new ConfigException(where + key + " is a secret, and the cluster passes these settings to `flink "
            + "run` on its command line, which the process list shows: leave it out of the file");
      }
    }
    for (String key : TEACHER_PATHS) {
      String value = settings.get(key);
      if (value != null && !value.isBlank()) {
        settings.put(key, Path.of(value.strip()).toAbsolutePath().normalize().toString());
      }
    }
    Map<String, String> whole = new LinkedHashMap<>(settings);
    whole.put(TeacherJobConfig.BOOTSTRAP_SERVERS, SOME_BROKER); // the cluster's own, filled in at submission
    try {
      TeacherJobConfig.of(whole);
    } catch (ConfigException e) {
      throw new ConfigException(where + e.getMessage());
    }
    return java.util.Collections.unmodifiableMap(settings);
  }

  /** The trainer's settings file, checked and made absolute; null when {@code file} is blank. */
  static Path trainer(String setting, String file) {
    return stageFile(setting, file, TrainerConfig.LOADER, TRAINER_OWNED, TrainerConfig.BOOTSTRAP_SERVERS,
        TrainerConfig::of);
  }

  /** The evaluator's settings file, checked and made absolute; null when {@code file} is blank. */
  static Path evaluator(String setting, String file) {
    return stageFile(setting, file, EvaluatorConfig.LOADER, EVALUATOR_OWNED, EvaluatorConfig.BOOTSTRAP_SERVERS,
        EvaluatorConfig::new);
  }

  /**
   * A stage's file that the stage reads itself: checked with {@code loader}, then as a whole by
   * {@code validate} (the stage's typed settings, with a stand-in for the brokers at {@code brokersKey}).
   */
  private static Path stageFile(String setting, String file, ConfigLoader loader, Map<String, String> owned,
                                String brokersKey, java.util.function.Consumer<Map<String, String>> validate) {
    if (file == null || file.isBlank()) {
      return null;
    }
    String where = where(setting, file);
    Map<String, String> whole = new LinkedHashMap<>(collect(where, file, loader, owned));
    whole.put(brokersKey, SOME_BROKER);
    try {
      validate.accept(whole);
    } catch (ConfigException e) {
      throw new ConfigException(where + e.getMessage());
    }
    return Path.of(file.strip()).toAbsolutePath().normalize();
  }

  /** The settings as {@code flink run} hands them to the job's main: {@code --key value}, in key order. */
  static List<String> flags(Map<String, String> settings) {
    List<String> flags = new ArrayList<>();
    new TreeMap<>(settings).forEach((key, value) -> {
      flags.add("--" + key);
      flags.add(value);
    });
    return flags;
  }

  private static String where(String setting, String file) {
    return setting + " (" + file.strip() + "): ";
  }

  /** The file's settings as {@code loader} reads them; refuses unknown keys and those of {@code owned}. */
  private static Map<String, String> collect(String where, String file, ConfigLoader loader,
                                             Map<String, String> owned) {
    Map<String, String> settings;
    try {
      settings = loader.collect(List.of("--config", file.strip()), Map.of());
    } catch (ConfigException e) {
      throw new ConfigException(where + e.getMessage());
    }
    for (String key : settings.keySet()) {
      String owner = owned.get(key);
      if (owner != null) {
        throw new ConfigException(where + key + " is set by the cluster (" + owner + "); leave it out of the file");
      }
    }
    return settings;
  }
}
