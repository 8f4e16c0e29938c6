package org.streamdistill.teacher.job;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.streamdistill.schemas.config.ConfigLoader;

/** Settings of the teacher job. */
public record TeacherJobConfig(
    String bootstrapServers, String registryUrl, String namespace, String bundle, int maxBatchSize,
    long maxWaitMillis, int maxTextChars, int parallelism, int onnxThreads, long checkpointIntervalMillis,
    String groupId, String transactionalIdPrefix) implements Serializable {

  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String REGISTRY_URL = "schema.registry.url";
  public static final String NAMESPACE = "topic.namespace";
  public static final String BUNDLE = "teacher.bundle";
  public static final String BATCH_MAX_SIZE = "teacher.batch.max-size";
  public static final String BATCH_MAX_WAIT_MS = "teacher.batch.max-wait-ms";
  public static final String TEXT_MAX_CHARS = "teacher.text.max-chars";
  public static final String PARALLELISM = "teacher.parallelism";
  public static final String ONNX_THREADS = "teacher.onnx.intra-op-threads";
  public static final String CHECKPOINT_INTERVAL_MS = "teacher.checkpoint.interval-ms";
  public static final String GROUP_ID = "teacher.group-id";
  public static final String TRANSACTIONAL_ID_PREFIX = "teacher.transactional-id-prefix";

  public static final ConfigDef DEFINITION = new ConfigDef()
      .define(BOOTSTRAP_SERVERS, Type.STRING, "127.0.0.1:9092", Importance.HIGH, "Kafka bootstrap servers.")
      .define(REGISTRY_URL, Type.STRING, "http://127.0.0.1:8081", Importance.HIGH, "Schema registry URL.")
      .define(NAMESPACE, Type.STRING, "", Importance.LOW, "Prefix of every topic (experiments); empty for production.")
      .define(BUNDLE, Type.STRING, "target/teacher-bundle", Importance.HIGH,
          "Directory of the teacher bundle written by the fit command.")
      .define(BATCH_MAX_SIZE, Type.INT, 32, Range.between(1, 4096), Importance.MEDIUM,
          "A batch is scored when it holds this many turns...")
      .define(BATCH_MAX_WAIT_MS, Type.LONG, 50L, Range.between(1, 60_000), Importance.MEDIUM,
          "...or when its first turn has waited this long.")
      .define(TEXT_MAX_CHARS, Type.INT, 10_000, Range.between(16, 1_000_000), Importance.LOW,
          "Longer texts are cut before tokenizing and their soft label is flagged truncated.")
      .define(PARALLELISM, Type.INT, 1, Range.between(1, 1024), Importance.MEDIUM,
          "Parallel scoring subtasks, each with its own ONNX Runtime session.")
      .define(ONNX_THREADS, Type.INT, 0, Range.between(0, 256), Importance.LOW,
          "ONNX Runtime intra-op threads per subtask; 0 lets ONNX Runtime choose.")
      .define(CHECKPOINT_INTERVAL_MS, Type.LONG, 2_000L, Range.between(100, 3_600_000), Importance.MEDIUM,
          "Checkpoint interval; soft labels become visible to read_committed consumers at each checkpoint.")
      .define(GROUP_ID, Type.STRING, "teacher-stream", Importance.LOW, "Consumer group of the turns source.")
      .define(TRANSACTIONAL_ID_PREFIX, Type.STRING, "teacher-stream", Importance.LOW,
          "Prefix of the exactly-once sink's transactional ids; unique per job on a cluster.");

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL",
      Map.of("bundle", BUNDLE, "parallelism", PARALLELISM, "bootstrap-servers", BOOTSTRAP_SERVERS,
          "registry", REGISTRY_URL));

  public static TeacherJobConfig from(Map<String, Object> v) {
    return new TeacherJobConfig((String) v.get(BOOTSTRAP_SERVERS), (String) v.get(REGISTRY_URL),
        (String) v.get(NAMESPACE), (String) v.get(BUNDLE), (Integer) v.get(BATCH_MAX_SIZE),
        (Long) v.get(BATCH_MAX_WAIT_MS), (Integer) v.get(TEXT_MAX_CHARS), (Integer) v.get(PARALLELISM),
        (Integer) v.get(ONNX_THREADS), (Long) v.get(CHECKPOINT_INTERVAL_MS), (String) v.get(GROUP_ID),
        (String) v.get(TRANSACTIONAL_ID_PREFIX));
  }

  public static TeacherJobConfig parse(List<String> args, Map<String, String> env) {
    return from(LOADER.load(args, env));
  }

  /** Settings from a plain map of strings (as the embedded demo passes them), validated. */
  public static TeacherJobConfig of(Map<String, String> settings) {
    return from(DEFINITION.parse(settings));
  }
}
