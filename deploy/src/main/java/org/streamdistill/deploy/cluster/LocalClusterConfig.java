package org.streamdistill.deploy.cluster;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.streamdistill.schemas.config.ConfigLoader;

/**
 * Settings of {@code cluster up|status|down}, loaded like every other command's.
 *
 * @param workDir data, logs, generated configuration and the state file of the cluster
 * @param basePort the cluster's ports are this plus 1 to 10 ({@link ClusterPorts})
 * @param teacherBundle the fitted bundle the teacher job scores with (fitted when missing)
 * @param data CLINC150's data_full.json, to fit the teacher when the bundle is missing
 * @param jobJar the teacher job jar; empty: the one {@code -Pcluster} builds in teacher-stream/target
 * @param taskManagers Flink TaskManagers, one task slot each
 * @param teacherParallelism subtasks of the teacher job (at most the TaskManagers)
 * @param checkpointIntervalMillis the teacher job's checkpoint interval
 * @param graceMillis how long {@code down} waits after SIGTERM before kill -9
 * @param startTimeoutMillis how long {@code up} waits for each process to be ready
 * @param jvmFlags extra JVM flags for every process the cluster starts ({@link JvmFlags})
 * @param teacherSettings more teacher job settings ({@link ClusterStageSettings}), paths absolute
 * @param trainerConfig the trainer's settings file ({@link ClusterStageSettings}), absolute; null for none
 * @param evaluatorConfig the evaluator's settings file, absolute; null for none
 */
public record LocalClusterConfig(Path workDir, int basePort, Path teacherBundle, Path data, String jobJar,
                                 int taskManagers, int teacherParallelism, long checkpointIntervalMillis,
                                 long graceMillis, long startTimeoutMillis, List<String> jvmFlags,
                                 Map<String, String> teacherSettings, Path trainerConfig, Path evaluatorConfig) {

  public static final String WORK_DIR = "cluster.work-dir";
  public static final String BASE_PORT = "cluster.base-port";
  public static final String TEACHER_BUNDLE = "cluster.teacher-bundle";
  public static final String DATA = "cluster.data";
  public static final String JOB_JAR = "cluster.job-jar";
  public static final String TASK_MANAGERS = "cluster.taskmanagers";
  public static final String TEACHER_PARALLELISM = "cluster.teacher.parallelism";
  public static final String CHECKPOINT_INTERVAL_MS = "cluster.teacher.checkpoint.interval-ms";
  public static final String GRACE_MS = "cluster.stop.grace-ms";
  public static final String START_TIMEOUT_MS = "cluster.start.timeout-ms";
  public static final String JVM_FLAGS = "cluster.jvm.flags";
  public static final String TEACHER_CONFIG = "cluster.teacher.config";
  public static final String TRAINER_CONFIG = "cluster.trainer.config";
  public static final String EVALUATOR_CONFIG = "cluster.evaluator.config";

  public static final ConfigDef DEFINITION = new ConfigDef()
      .define(WORK_DIR, Type.STRING, "target/cluster", org.streamdistill.schemas.config.NotBlank.INSTANCE,
          Importance.HIGH, "Every process's data directory and log, the generated configuration and the state file "
              + "that status and down read. Kept by down: up again resumes on the same data.")
      .define(BASE_PORT, Type.INT, 29090, Range.between(1024, 65_000), Importance.HIGH,
          "Ports base+1..3 Kafka, +4..6 KRaft controllers, +7 registry, +8 Flink REST, +9 Flink RPC, +10 ingestion.")
      .define(TEACHER_BUNDLE, Type.STRING, "target/teacher-bundle", Importance.MEDIUM,
          "Fitted teacher bundle the job scores with (bin/streamdistill fit writes one; up fits it when missing).")
      .define(DATA, Type.STRING, "../shared/data/clinc150/data_full.json", Importance.LOW,
          "CLINC150's data_full.json, to fit the teacher when the bundle is missing.")
      .define(JOB_JAR, Type.STRING, "", Importance.MEDIUM,
          "The teacher job jar to submit; empty: teacher-stream/target/teacher-stream-<version>-job.jar, which "
              + "mvn -Pcluster -pl teacher-stream -am package builds.")
      .define(TASK_MANAGERS, Type.INT, 2, Range.between(1, 8), Importance.MEDIUM,
          "Flink TaskManager processes, one task slot each.")
      .define(TEACHER_PARALLELISM, Type.INT, 2, Range.between(1, 8), Importance.MEDIUM,
          "Subtasks of the teacher job, one ONNX Runtime thread each; at most cluster.taskmanagers.")
      .define(CHECKPOINT_INTERVAL_MS, Type.LONG, 2_000L, Range.between(100, 600_000), Importance.LOW,
          "The teacher job's checkpoint interval: soft labels become visible when their checkpoint completes.")
      .define(GRACE_MS, Type.LONG, 30_000L, Range.between(0, 600_000), Importance.LOW,
          "How long down waits for a process after SIGTERM before kill -9.")
      .define(START_TIMEOUT_MS, Type.LONG, 180_000L, Range.between(1_000, 3_600_000), Importance.LOW,
          "How long up waits for each process to be ready.")
      .define(JVM_FLAGS, Type.STRING, "", JvmFlags.VALIDATOR, Importance.LOW,
          "Extra JVM flags for every process up starts (Kafka nodes, registry, Flink, stages), separated by spaces, "
              + "after the cluster's own: GC or JIT settings, e.g. -XX:TieredStopAtLevel=1 (C1 only), which took a "
              + "3-minute test cluster on 2 cores from 356 s to 202 s. Heap, class path and main class are the cluster's.")
      .define(TEACHER_CONFIG, Type.STRING, "", Importance.MEDIUM,
          "A Java properties file of more teacher job settings (teacher-job --help lists them: a selection policy, "
              + "a fallback teacher, batching), checked with the job's rules before anything starts and passed to "
              + "flink run. Not the ones the cluster sets (the brokers, the registry, the bundle, the parallelism, "
              + "ONNX threads, the checkpoint interval) and no secrets; relative paths are taken from the current "
              + "directory.")
      .define(TRAINER_CONFIG, Type.STRING, "", Importance.MEDIUM,
          "A Java properties file of more trainer settings (trainer --help lists them), checked with the trainer's "
              + "rules before anything starts; the trainer reads it itself. Not the brokers, the registry or "
              + "trainer.checkpoint.dir, which the cluster sets.")
      .define(EVALUATOR_CONFIG, Type.STRING, "", Importance.MEDIUM,
          "A Java properties file of more evaluator settings (evaluator --help lists them), checked with the "
              + "evaluator's rules before anything starts; the evaluator reads it itself. Not the brokers, the "
              + "registry, evaluator.state.dir or the Streams replication factor, which the cluster sets.");

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL", Map.of(
      "work-dir", WORK_DIR, "base-port", BASE_PORT, "teacher-bundle", TEACHER_BUNDLE, "data", DATA,
      "job-jar", JOB_JAR, "taskmanagers", TASK_MANAGERS, "parallelism", TEACHER_PARALLELISM,
      "teacher-config", TEACHER_CONFIG, "trainer-config", TRAINER_CONFIG, "evaluator-config", EVALUATOR_CONFIG));

  public LocalClusterConfig {
    jvmFlags = List.copyOf(jvmFlags);
    teacherSettings = Map.copyOf(teacherSettings);
    if (teacherParallelism > taskManagers) {
      throw new org.apache.kafka.common.config.ConfigException(TEACHER_PARALLELISM + " (" + teacherParallelism
          + ") needs as many task slots, and each of the " + taskManagers + " TaskManager(s) has one: raise "
          + TASK_MANAGERS + " or lower the parallelism");
    }
  }

  public static LocalClusterConfig from(Map<String, Object> v) {
    return new LocalClusterConfig(Path.of((String) v.get(WORK_DIR)), (Integer) v.get(BASE_PORT),
        Path.of((String) v.get(TEACHER_BUNDLE)), Path.of((String) v.get(DATA)), (String) v.get(JOB_JAR),
        (Integer) v.get(TASK_MANAGERS), (Integer) v.get(TEACHER_PARALLELISM), (Long) v.get(CHECKPOINT_INTERVAL_MS),
        (Long) v.get(GRACE_MS), (Long) v.get(START_TIMEOUT_MS), JvmFlags.parse((String) v.get(JVM_FLAGS)),
        ClusterStageSettings.teacher(TEACHER_CONFIG, (String) v.get(TEACHER_CONFIG)),
        ClusterStageSettings.trainer(TRAINER_CONFIG, (String) v.get(TRAINER_CONFIG)),
        ClusterStageSettings.evaluator(EVALUATOR_CONFIG, (String) v.get(EVALUATOR_CONFIG)));
  }

  public static LocalClusterConfig parse(List<String> args, Map<String, String> env) {
    return from(LOADER.load(args, env));
  }
}
