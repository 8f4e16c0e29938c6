package org.streamdistill.deploy.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * The teacher job settings a local cluster adds to its own ({@code cluster.teacher.config}): a
 * Java properties file of the job's keys (a selection policy, a fallback teacher, batching),
 * read and checked with the job's own loader when the command starts, so that a wrong key or
 * value stops {@code up} before anything runs, not the job after the cluster has started.
 *
 * <p>The cluster sets the keys of {@link #OWNED} from its own settings and refuses them here. It
 * passes the settings to {@code flink run} as flags, which anyone on the machine can read in the
 * process list, so secrets are refused too. Paths are made absolute against the directory the
 * command runs in: the TaskManagers, which open the files, run elsewhere.
 */
final class ClusterTeacherSettings {

  /** The job settings the cluster derives from its own, with the setting (or fact) that decides each. */
  static final Map<String, String> OWNED = Map.of(
      TeacherJobConfig.BOOTSTRAP_SERVERS, "the cluster's brokers",
      TeacherJobConfig.REGISTRY_URL, "the cluster's registry",
      TeacherJobConfig.BUNDLE, LocalClusterConfig.TEACHER_BUNDLE,
      TeacherJobConfig.PARALLELISM, LocalClusterConfig.TEACHER_PARALLELISM,
      TeacherJobConfig.ONNX_THREADS, "one ONNX Runtime thread per subtask, one subtask per task slot",
      TeacherJobConfig.CHECKPOINT_INTERVAL_MS, LocalClusterConfig.CHECKPOINT_INTERVAL_MS);

  /** Settings naming a file or directory that the job's tasks open. */
  static final List<String> PATHS = List.of(TeacherJobConfig.FALLBACK_BUNDLE, TeacherJobConfig.ONNX_MODEL,
      TeacherJobConfig.ONNX_TOKENIZER, TeacherJobConfig.ONNX_LABELS, TeacherJobConfig.CHECKPOINT_DIR);

  private ClusterTeacherSettings() {}

  /**
   * The settings of {@code file}, in key order, paths absolute; none when {@code file} is blank.
   *
   * @param setting the cluster's setting that named the file, for the messages
   * @throws ConfigException naming {@code setting}, the file and the key, when the file cannot be read,
   *     names an unknown key, one of {@link #OWNED} or a secret, or a value the job would refuse
   */
  static Map<String, String> read(String setting, String file) {
    if (file == null || file.isBlank()) {
      return Map.of();
    }
    String where = setting + " (" + file.strip() + "): ";
    Map<String, String> settings;
    try {
      settings = new TreeMap<>(TeacherJobConfig.LOADER.collect(List.of("--config", file.strip()), Map.of()));
    } catch (ConfigException e) {
      throw new ConfigException(where + e.getMessage());
    }
    for (String key : settings.keySet()) {
      String owner = OWNED.get(key);
      if (owner != null) {
        throw new ConfigException(where + key + " is set by the cluster (" + owner + "); leave it out of the file");
      }
      if (isSecret(key)) {
        throw new ConfigException(where + key + " is a secret, and the cluster passes these settings to `flink "
            + "run` on its command line, which the process list shows: leave it out of the file");
      }
    }
    for (String key : PATHS) {
      String value = settings.get(key);
      if (value != null && !value.isBlank()) {
        settings.put(key, Path.of(value.strip()).toAbsolutePath().normalize().toString());
      }
    }
    Map<String, String> whole = new LinkedHashMap<>(settings);
    whole.put(TeacherJobConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9092"); // the cluster's own, filled in at submission
    try {
      TeacherJobConfig.of(whole);
    } catch (ConfigException e) {
      throw new ConfigException(where + e.getMessage());
    }
    return java.util.Collections.unmodifiableMap(settings);
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

  private static boolean isSecret(String key) {
    ConfigDef.ConfigKey definition = TeacherJobConfig.DEFINITION.configKeys().get(key);
    if (definition != null) {
      return definition.type == ConfigDef.Type.PASSWORD;
    }
    return key.startsWith(KafkaClientSettings.PREFIX) && KafkaClientSettings.isSecret(key);
  }
}
