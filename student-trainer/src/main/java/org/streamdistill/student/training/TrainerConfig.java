package org.streamdistill.student.training;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.metrics.MetricsEndpoint;
import org.streamdistill.schemas.registry.RegistryClientSettings;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.student.model.TeacherEmbeddings;
import org.streamdistill.student.optim.InverseSqrtDecay;
import org.streamdistill.student.optim.LearningRateSchedule;

/** Settings of the student trainer. */
public record TrainerConfig(
    String bootstrapServers, RegistryClientSettings registry, String namespace, String groupId, String modelName,
    int batchSize, double learningRate, float alpha, Path checkpointDir, long checkpointFirstSamples,
    long checkpointEverySamples, long checkpointEveryMillis, long seed, int maxTokens, int embeddingDim, int filtersPerWidth,
    boolean checkpointOnnx, long batchMaxIdleMillis, long commitEveryMillis, int transactionTimeoutMillis,
    String embeddingInit, long learningRateDecayAfterSamples, double deadLetterMaxFraction,
    List<Integer> filterWidths, int replayBatches, int replayCapacity, double weightAverageDecay,
    KafkaClientSettings kafka) {

  public static final String BOOTSTRAP_SERVERS = KafkaClientSettings.BOOTSTRAP_SERVERS;
  public static final String REGISTRY_URL = RegistryClientSettings.URL;
  public static final String NAMESPACE = "topic.namespace";
  public static final String GROUP_ID = "trainer.group-id";
  public static final String MODEL_NAME = "trainer.model-name";
  public static final String BATCH_SIZE = "trainer.batch-size";
  public static final String LEARNING_RATE = "trainer.learning-rate";
  public static final String ALPHA = "trainer.loss.alpha";
  public static final String DEAD_LETTER_MAX_FRACTION = "trainer.dead-letter.max-fraction";
  public static final String CHECKPOINT_DIR = "trainer.checkpoint.dir";
  public static final String CHECKPOINT_FIRST_SAMPLES = "trainer.checkpoint.first-samples";
  public static final String CHECKPOINT_EVERY_SAMPLES = "trainer.checkpoint.every-samples";
  public static final String CHECKPOINT_EVERY_MS = "trainer.checkpoint.every-ms";
  public static final String CHECKPOINT_ONNX = "trainer.checkpoint.onnx";
  public static final String BATCH_MAX_IDLE_MS = "trainer.batch.max-idle-ms";
  public static final String COMMIT_EVERY_MS = "trainer.commit.every-ms";
  public static final String TRANSACTION_TIMEOUT_MS = "trainer.transaction.timeout-ms";
  public static final String SEED = "trainer.seed";
  public static final String MAX_TOKENS = "trainer.model.max-tokens";
  public static final String EMBEDDING_DIM = "trainer.model.embedding-dim";
  public static final String FILTERS = "trainer.model.filters-per-width";
  public static final String EMBEDDING_INIT = "trainer.model.embedding-init";
  public static final String LEARNING_RATE_DECAY_AFTER = "trainer.learning-rate.decay-after-samples";
  public static final String FILTER_WIDTHS = "trainer.model.filter-widths";
  public static final String REPLAY_BATCHES = "trainer.replay.batches";
  public static final String REPLAY_CAPACITY = "trainer.replay.capacity";
  public static final String WEIGHT_AVERAGE_DECAY = "trainer.weight-average.decay";
  /** {@link #EMBEDDING_INIT} value: start from the teacher's token embeddings, projected. */
  public static final String EMBEDDING_INIT_TEACHER = "teacher";
  /** {@link #EMBEDDING_INIT} value: start from uniform random embeddings. */
  public static final String EMBEDDING_INIT_RANDOM = "random";

  public static final ConfigDef DEFINITION = RegistryClientSettings.define(new ConfigDef()
      .define(KafkaClientSettings.bootstrapServersKey()))
      .define(NAMESPACE, Type.STRING, "", Importance.LOW, "Prefix of every topic (experiments); empty for production.")
      .define(GROUP_ID, Type.STRING, "", Importance.LOW, "Consumer group of the soft-labels consumer (and start of "
          + "the transactional id); empty: " + Topics.TRAINER_GROUP + ", prefixed by " + NAMESPACE
          + " and a dash when there is one (exp1-" + Topics.TRAINER_GROUP + ").")
      .define(MODEL_NAME, Type.STRING, "student", Importance.LOW, "Name of the model line (key of checkpoints and promotions).")
      .define(BATCH_SIZE, Type.INT, 32, Range.between(1, 4096), Importance.MEDIUM,
          "Turns per training step; each is predicted before the step that learns from it.")
      .define(LEARNING_RATE, Type.DOUBLE, 5e-3, Range.between(1e-7, 1.0), Importance.MEDIUM, "Adam learning rate.")
      .define(DEAD_LETTER_MAX_FRACTION, Type.DOUBLE, 0.5, Range.between(0.001, 1.0), Importance.MEDIUM,
          "The trainer stops with an error naming the cause when more than this fraction of the last 1,000 soft "
              + "labels (at least 100 seen) were dead letters, instead of draining the topic into its .dlq twin; "
              + "1 turns the check off.")
      .define(ALPHA, Type.DOUBLE, 0.5, Range.between(0.0, 100.0), Importance.MEDIUM,
          "Weight of the cross-entropy term on gold labels (applied only where a gold label exists); a gold-only turn "
          + "(one the teacher's selection gate skipped) is learned from this term alone, so 0 makes it teach nothing.")
      .define(CHECKPOINT_DIR, Type.STRING, "target/student-checkpoints", Importance.MEDIUM,
          "Directory of checkpoint files (weights, optimizer state, offsets).")
      .define(CHECKPOINT_FIRST_SAMPLES, Type.LONG, 250L, Range.atLeast(1), Importance.LOW,
          "A new student's first version is checkpointed after this many learned turns, each next one once the "
              + "turns learned have doubled (with batches of 32: 256, 512, 1,024, 2,048), until " + CHECKPOINT_EVERY_SAMPLES
              + " is reached: the selection gate and the evaluator get a trained student sooner. At least "
              + CHECKPOINT_EVERY_SAMPLES + ": a constant cadence from the start.")
      .define(CHECKPOINT_EVERY_SAMPLES, Type.LONG, 2_000L, Range.atLeast(1), Importance.MEDIUM,
          "A new model version is checkpointed after this many learned turns...")
      .define(CHECKPOINT_EVERY_MS, Type.LONG, 15_000L, Range.atLeast(100), Importance.MEDIUM,
          "...or after this long with at least one learned turn, whichever comes first.")
      .define(CHECKPOINT_ONNX, Type.BOOLEAN, true, Importance.MEDIUM,
          "Also export each checkpoint as <version>.onnx beside it and name it in the record's onnx_uri.")
      .define(BATCH_MAX_IDLE_MS, Type.LONG, 1_000L, Range.atLeast(10), Importance.LOW,
          "A batch still short of trainer.batch-size is learned as it is once no soft label arrived for this long "
          + "(the stream paused); the cut is committed, so a restart cuts its replay at the same turn.")
      .define(COMMIT_EVERY_MS, Type.LONG, 1_000L, Range.atLeast(10), Importance.MEDIUM,
          "Predictions, dead letters and consumed offsets are committed in one Kafka transaction this often (and at "
          + "every checkpoint): read_committed readers see predictions this much later.")
      .define(TRANSACTION_TIMEOUT_MS, Type.INT, 60_000, Range.between(1_000, 900_000), Importance.LOW,
          "transaction.timeout.ms of the trainer's producer: at least twice trainer.commit.every-ms, with room for "
          + "writing a checkpoint inside a transaction; the broker caps it at transaction.max.timeout.ms.")
      .define(SEED, Type.LONG, 42L, Importance.LOW, "Seed of the initial weights.")
      .define(MAX_TOKENS, Type.INT, 32, Range.between(1, 512), Importance.LOW, "Tokens per turn the student reads.")
      .define(EMBEDDING_DIM, Type.INT, 64, Range.between(1, 1024), Importance.LOW, "Token embedding width.")
      // Defaults of the three keys below chosen on CLINC150's val split with the experiment harness
      // (student-trainer tests, org.streamdistill.student.experiments); figures in BENCHMARKS.md.
      .define(FILTERS, Type.INT, 128, Range.between(1, 1024), Importance.LOW, "Convolution filters per width.")
      .define(FILTER_WIDTHS, Type.LIST, "1,2,3,4,5", Importance.LOW,
          "Convolution widths in tokens, distinct, each between 1 and " + MAX_TOKENS + ".")
      .define(EMBEDDING_INIT, Type.STRING, EMBEDDING_INIT_TEACHER,
          ConfigDef.ValidString.in(EMBEDDING_INIT_TEACHER, EMBEDDING_INIT_RANDOM), Importance.LOW,
          "Initial token embeddings of a new student: 'teacher' projects the teacher's MiniLM word embeddings onto "
          + "their top principal components (computed at start from the MiniLM jar, a few seconds; needs "
          + EMBEDDING_DIM + " <= 384), 'random' draws them uniformly from [-0.25, 0.25).")
      .define(LEARNING_RATE_DECAY_AFTER, Type.LONG, 15_000L, Range.atLeast(0), Importance.LOW,
          "The learning rate stays at " + LEARNING_RATE + " for this many learned turns, then decays as the inverse "
          + "square root of the turns learned (halved at 4x, never zero); 0 keeps it constant. Counted in optimizer "
          + "steps of " + BATCH_SIZE + " turns, replayed batches included.")
      .define(REPLAY_BATCHES, Type.INT, 4, Range.between(0, 64), Importance.MEDIUM,
          "After each batch of new turns, this many optimizer steps on batches drawn at random from the turns "
          + "learned most recently (" + REPLAY_CAPACITY + "): more learning per teacher call, at the trainer's CPU "
          + "cost (the teacher bounds the pipeline). 0 learns each turn once. The memory is saved with each "
          + "checkpoint, so a restarted trainer continues exactly.")
      .define(REPLAY_CAPACITY, Type.INT, 20_000, Range.between(1, 1_000_000), Importance.LOW,
          "Turns the replay memory holds (the newest); each costs about 0.7 KB of heap and of checkpoint file "
          + "with 151 labels.")
      .define(WEIGHT_AVERAGE_DECAY, Type.DOUBLE, 0.995, Range.between(0.0, 0.999_999), Importance.LOW,
          "The challenger that predicts, is checkpointed as a version, exported and promoted is an exponential moving "
          + "average of the learning weights, moved this close to them after each optimizer step: new = decay * old + "
          + "(1 - decay) * weights. 0 serves the learning weights themselves. The learning weights are saved too.");


  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL",
      Map.of("bootstrap-servers", BOOTSTRAP_SERVERS, "registry", REGISTRY_URL)).withKafkaClientSettings();

  /** Prefix of the metrics endpoint's settings: {@code trainer.metrics.port}, {@code trainer.metrics.host}. */
  public static final String METRICS_PREFIX = "trainer.";

  static {
    MetricsEndpoint.define(DEFINITION, METRICS_PREFIX);
  }

  /** Where this process serves its Prometheus metrics ({@code trainer.metrics.*}), if at all. */
  public static MetricsEndpoint.Settings metricsEndpoint(List<String> args, Map<String, String> env) {
    return MetricsEndpoint.Settings.from(LOADER.load(args, env), METRICS_PREFIX);
  }

  /** The metrics endpoint's settings ({@code trainer.metrics.*}) of a plain map of strings (embedded use), validated. */
  public static MetricsEndpoint.Settings metricsEndpoint(Map<String, String> settings) {
    return MetricsEndpoint.Settings.from(LOADER.parse(settings), METRICS_PREFIX);
  }


  public static TrainerConfig from(Map<String, Object> v) {
    String namespace = (String) v.get(NAMESPACE);
    String groupId = ((String) v.get(GROUP_ID)).trim();
    return new TrainerConfig((String) v.get(BOOTSTRAP_SERVERS), RegistryClientSettings.from(v),
        namespace, groupId.isEmpty() ? Topics.groupInNamespace(Topics.TRAINER_GROUP, namespace) : groupId,
        (String) v.get(MODEL_NAME),
        (Integer) v.get(BATCH_SIZE), (Double) v.get(LEARNING_RATE), ((Double) v.get(ALPHA)).floatValue(),
        Path.of((String) v.get(CHECKPOINT_DIR)), (Long) v.get(CHECKPOINT_FIRST_SAMPLES), (Long) v.get(CHECKPOINT_EVERY_SAMPLES),
        (Long) v.get(CHECKPOINT_EVERY_MS), (Long) v.get(SEED), (Integer) v.get(MAX_TOKENS),
        (Integer) v.get(EMBEDDING_DIM), (Integer) v.get(FILTERS), (Boolean) v.get(CHECKPOINT_ONNX),
        (Long) v.get(BATCH_MAX_IDLE_MS), (Long) v.get(COMMIT_EVERY_MS), (Integer) v.get(TRANSACTION_TIMEOUT_MS),
        (String) v.get(EMBEDDING_INIT), (Long) v.get(LEARNING_RATE_DECAY_AFTER), (Double) v.get(DEAD_LETTER_MAX_FRACTION),
        widths(v.get(FILTER_WIDTHS)), (Integer) v.get(REPLAY_BATCHES), (Integer) v.get(REPLAY_CAPACITY),
        (Double) v.get(WEIGHT_AVERAGE_DECAY),
        KafkaClientSettings.from(v));
  }

  @SuppressWarnings("unchecked")
  private static List<Integer> widths(Object value) {
    List<Integer> widths = new java.util.ArrayList<>();
    for (String w : (List<String>) value) {
      try {
        widths.add(Integer.parseInt(w.trim()));
      } catch (NumberFormatException e) {
        throw new ConfigException(FILTER_WIDTHS, value, "must be a comma-separated list of whole numbers, got '" + w + "'");
      }
    }
    return List.copyOf(widths);
  }

  /** Checks the settings that constrain each other. */
  public TrainerConfig {
    if (filterWidths.isEmpty() || new java.util.HashSet<>(filterWidths).size() != filterWidths.size()
        || filterWidths.stream().anyMatch(w -> w < 1 || w > maxTokens)) {
      throw new ConfigException(FILTER_WIDTHS, filterWidths, "must name at least one width, each once, each between 1 and "
          + MAX_TOKENS + " (" + maxTokens + ")");
    }
    if (commitEveryMillis * 2 > transactionTimeoutMillis) {
      throw new ConfigException(COMMIT_EVERY_MS, commitEveryMillis, "must be at most half of "
          + TRANSACTION_TIMEOUT_MS + " (" + transactionTimeoutMillis + " ms), or transactions would time out "
          + "before they commit: lower it or raise " + TRANSACTION_TIMEOUT_MS);
    }
    if (EMBEDDING_INIT_TEACHER.equals(embeddingInit) && embeddingDim > TeacherEmbeddings.TEACHER_WIDTH) {
      throw new ConfigException(EMBEDDING_DIM, embeddingDim, "must be at most " + TeacherEmbeddings.TEACHER_WIDTH
          + " (the teacher's width) when " + EMBEDDING_INIT + "=" + EMBEDDING_INIT_TEACHER + ": lower it or set "
          + EMBEDDING_INIT + "=" + EMBEDDING_INIT_RANDOM);
    }
  }

  /** When versions are checkpointed. */
  public CheckpointCadence checkpointCadence() {
    return new CheckpointCadence(checkpointFirstSamples, checkpointEverySamples, checkpointEveryMillis);
  }

  /** Whether a new student starts from the teacher's projected token embeddings. */
  public boolean embeddingsFromTeacher() {
    return EMBEDDING_INIT_TEACHER.equals(embeddingInit);
  }

  /** The optimizer's learning-rate schedule: constant, then inverse-square-root decay. */
  public LearningRateSchedule learningRateSchedule() {
    return learningRateDecayAfterSamples == 0 ? LearningRateSchedule.CONSTANT
        : new InverseSqrtDecay(Math.max(1, learningRateDecayAfterSamples / batchSize));
  }

  /**
   * The producer's {@code transactional.id} and the consumer's {@code group.instance.id}: one per
   * model line ({@code <group>-<model name>}, with the namespace in between when there is one),
   * so that a restarted trainer fences its predecessor, aborts its open transaction and takes
   * over its place in the group without waiting for a session timeout.
   */
  public String transactionalId() {
    return groupId + "-" + (namespace.isEmpty() ? "" : namespace + "-") + modelName;
  }

  public static TrainerConfig parse(List<String> args, Map<String, String> env) {
    return from(LOADER.load(args, env));
  }

  /** Settings from a plain map of strings (as the embedded demo passes them), validated. */
  public static TrainerConfig of(Map<String, String> settings) {
    return from(LOADER.parse(settings));
  }

  /** The schema registry's base URL. */
  public String registryUrl() {
    return registry.url();
  }
}
