package org.streamdistill.student.training;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.streamdistill.schemas.config.ConfigLoader;

/** Settings of the student trainer. */
public record TrainerConfig(
    String bootstrapServers, String registryUrl, String namespace, String groupId, String modelName,
    int batchSize, double learningRate, float alpha, Path checkpointDir, long checkpointEverySamples,
    long checkpointEveryMillis, long seed, int maxTokens, int embeddingDim, int filtersPerWidth,
    boolean checkpointOnnx) {

  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String REGISTRY_URL = "schema.registry.url";
  public static final String NAMESPACE = "topic.namespace";
  public static final String GROUP_ID = "trainer.group-id";
  public static final String MODEL_NAME = "trainer.model-name";
  public static final String BATCH_SIZE = "trainer.batch-size";
  public static final String LEARNING_RATE = "trainer.learning-rate";
  public static final String ALPHA = "trainer.loss.alpha";
  public static final String CHECKPOINT_DIR = "trainer.checkpoint.dir";
  public static final String CHECKPOINT_EVERY_SAMPLES = "trainer.checkpoint.every-samples";
  public static final String CHECKPOINT_EVERY_MS = "trainer.checkpoint.every-ms";
  public static final String CHECKPOINT_ONNX = "trainer.checkpoint.onnx";
  public static final String SEED = "trainer.seed";
  public static final String MAX_TOKENS = "trainer.model.max-tokens";
  public static final String EMBEDDING_DIM = "trainer.model.embedding-dim";
  public static final String FILTERS = "trainer.model.filters-per-width";

  public static final ConfigDef DEFINITION = new ConfigDef()
      .define(BOOTSTRAP_SERVERS, Type.STRING, "127.0.0.1:9092", Importance.HIGH, "Kafka bootstrap servers.")
      .define(REGISTRY_URL, Type.STRING, "http://127.0.0.1:8081", Importance.HIGH, "Schema registry URL.")
      .define(NAMESPACE, Type.STRING, "", Importance.LOW, "Prefix of every topic (experiments); empty for production.")
      .define(GROUP_ID, Type.STRING, "student-trainer", Importance.LOW, "Consumer group of the soft-labels consumer.")
      .define(MODEL_NAME, Type.STRING, "student", Importance.LOW, "Name of the model line (key of checkpoints and promotions).")
      .define(BATCH_SIZE, Type.INT, 32, Range.between(1, 4096), Importance.MEDIUM,
          "Turns per training step; each is predicted before the step that learns from it.")
      .define(LEARNING_RATE, Type.DOUBLE, 5e-3, Range.between(1e-7, 1.0), Importance.MEDIUM, "Adam learning rate.")
      .define(ALPHA, Type.DOUBLE, 0.5, Range.between(0.0, 100.0), Importance.MEDIUM,
          "Weight of the cross-entropy term on gold labels (applied only where a gold label exists).")
      .define(CHECKPOINT_DIR, Type.STRING, "target/student-checkpoints", Importance.MEDIUM,
          "Directory of checkpoint files (weights, optimizer state, offsets).")
      .define(CHECKPOINT_EVERY_SAMPLES, Type.LONG, 2_000L, Range.atLeast(1), Importance.MEDIUM,
          "A new model version is checkpointed after this many learned turns...")
      .define(CHECKPOINT_EVERY_MS, Type.LONG, 15_000L, Range.atLeast(100), Importance.MEDIUM,
          "...or after this long with at least one learned turn, whichever comes first.")
      .define(CHECKPOINT_ONNX, Type.BOOLEAN, true, Importance.MEDIUM,
          "Also export each checkpoint as <version>.onnx beside it and name it in the record's onnx_uri.")
      .define(SEED, Type.LONG, 42L, Importance.LOW, "Seed of the initial weights.")
      .define(MAX_TOKENS, Type.INT, 32, Range.between(1, 512), Importance.LOW, "Tokens per turn the student reads.")
      .define(EMBEDDING_DIM, Type.INT, 64, Range.between(1, 1024), Importance.LOW, "Token embedding width.")
      .define(FILTERS, Type.INT, 64, Range.between(1, 1024), Importance.LOW, "Convolution filters per width (3, 4, 5).");

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL",
      Map.of("bootstrap-servers", BOOTSTRAP_SERVERS, "registry", REGISTRY_URL));

  public static TrainerConfig from(Map<String, Object> v) {
    return new TrainerConfig((String) v.get(BOOTSTRAP_SERVERS), (String) v.get(REGISTRY_URL),
        (String) v.get(NAMESPACE), (String) v.get(GROUP_ID), (String) v.get(MODEL_NAME),
        (Integer) v.get(BATCH_SIZE), (Double) v.get(LEARNING_RATE), ((Double) v.get(ALPHA)).floatValue(),
        Path.of((String) v.get(CHECKPOINT_DIR)), (Long) v.get(CHECKPOINT_EVERY_SAMPLES),
        (Long) v.get(CHECKPOINT_EVERY_MS), (Long) v.get(SEED), (Integer) v.get(MAX_TOKENS),
        (Integer) v.get(EMBEDDING_DIM), (Integer) v.get(FILTERS), (Boolean) v.get(CHECKPOINT_ONNX));
  }

  public static TrainerConfig parse(List<String> args, Map<String, String> env) {
    return from(LOADER.load(args, env));
  }

  /** Settings from a plain map of strings (as the embedded demo passes them), validated. */
  public static TrainerConfig of(Map<String, String> settings) {
    return from(DEFINITION.parse(settings));
  }
}
