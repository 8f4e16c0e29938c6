package org.streamdistill.teacher.job;

import java.io.Serializable;
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
import org.streamdistill.teacher.selection.SelectionSettings;
import org.streamdistill.teacher.selection.UncertaintyMeasure;

/**
 * Settings of the teacher job.
 *
 * <p>{@value #KIND} picks the teacher: {@value #KIND_BUNDLE} (the MiniLM encoder and head of a
 * bundle written by {@code fit}, which carries its own temperature) or {@value
 * #KIND_ONNX_CLASSIFIER} (any ONNX sequence classifier with its {@code tokenizer.json} and label
 * list, scored at {@value #TEMPERATURE}); see {@link TurnScorers#fromConfig}.
 */
public record TeacherJobConfig(
    String bootstrapServers, RegistryClientSettings registry, String namespace, String bundle, int maxBatchSize,
    long maxWaitMillis, int maxTextChars, int parallelism, int onnxThreads, long checkpointIntervalMillis,
    String checkpointDir, long partitionDiscoveryIntervalMillis, String groupId, String transactionalIdPrefix, String kind, String onnxModel, String onnxTokenizer,
    String onnxLabels, int onnxMaxLength, double temperature, int softLabelsTopK, int deadLetterMaxValueBytes,
    double deadLetterMaxFraction, KafkaClientSettings kafka, SelectionSettings selection, String championModelName,
    FallbackTeacher fallback)
    implements Serializable {

  public static final String BOOTSTRAP_SERVERS = KafkaClientSettings.BOOTSTRAP_SERVERS;
  public static final String REGISTRY_URL = RegistryClientSettings.URL;
  public static final String NAMESPACE = "topic.namespace";
  public static final String BUNDLE = "teacher.bundle";
  public static final String BATCH_MAX_SIZE = "teacher.batch.max-size";
  public static final String BATCH_MAX_WAIT_MS = "teacher.batch.max-wait-ms";
  public static final String TEXT_MAX_CHARS = "teacher.text.max-chars";
  public static final String PARALLELISM = "teacher.parallelism";
  public static final String ONNX_THREADS = "teacher.onnx.intra-op-threads";
  public static final String CHECKPOINT_INTERVAL_MS = "teacher.checkpoint.interval-ms";
  public static final String CHECKPOINT_DIR = "teacher.checkpoint.dir";
  public static final String PARTITION_DISCOVERY_INTERVAL_MS = "teacher.partition-discovery.interval-ms";
  public static final String GROUP_ID = "teacher.group-id";
  public static final String TRANSACTIONAL_ID_PREFIX = "teacher.transactional-id-prefix";
  public static final String KIND = "teacher.kind";
  public static final String ONNX_MODEL = "teacher.onnx.model";
  public static final String ONNX_TOKENIZER = "teacher.onnx.tokenizer";
  public static final String ONNX_LABELS = "teacher.onnx.labels";
  public static final String ONNX_MAX_LENGTH = "teacher.onnx.max-length";
  public static final String TEMPERATURE = "teacher.temperature";
  public static final String SOFT_LABELS_TOP_K = "teacher.soft-labels.top-k";
  public static final String DEAD_LETTER_MAX_VALUE_BYTES = "teacher.dead-letter.max-value-bytes";
  public static final String DEAD_LETTER_MAX_FRACTION = "teacher.dead-letter.max-fraction";

  public static final String SELECTION_POLICY = "teacher.selection.policy";
  public static final String SELECTION_UNIFORM_RATE = "teacher.selection.uniform.rate";
  public static final String SELECTION_MEASURE = "teacher.selection.uncertainty.measure";
  public static final String SELECTION_THRESHOLD = "teacher.selection.uncertainty.threshold";
  public static final String SELECTION_BUDGET = "teacher.selection.budget.turns-per-second";
  public static final String SELECTION_BUDGET_WINDOW_MS = "teacher.selection.budget.window-ms";
  public static final String SELECTION_BUDGET_MAX_LAG_MS = "teacher.selection.budget.max-lag-ms";
  public static final String SELECTION_AUDIT_SHARE = "teacher.selection.audit.share";
  public static final String SELECTION_SEED = "teacher.selection.seed";
  public static final String SELECTION_CHAMPION_REFRESH_MS = "teacher.selection.champion.refresh-ms";
  public static final String SELECTION_CHAMPION_MODEL_NAME = "teacher.selection.champion.model-name";
  public static final String SELECTION_CHAMPION_FOLLOW = "teacher.selection.champion.follow";

  public static final String FALLBACK_BUNDLE = "teacher.fallback.bundle";
  public static final String FALLBACK_MAX_TURNS_PER_SECOND = "teacher.fallback.max-turns-per-second";
  public static final String FALLBACK_ONNX_THREADS = "teacher.fallback.onnx.intra-op-threads";

  public static final String KIND_BUNDLE = "bundle";
  public static final String KIND_ONNX_CLASSIFIER = "onnx-classifier";

  public static final ConfigDef DEFINITION = RegistryClientSettings.define(new ConfigDef()
      .define(KafkaClientSettings.bootstrapServersKey()))
      .define(NAMESPACE, Type.STRING, "", Importance.LOW, "Prefix of every topic (experiments); empty for production.")
      .define(BUNDLE, Type.STRING, "target/teacher-bundle", Importance.HIGH,
          "Directory of the teacher bundle written by the fit command.")
      .define(BATCH_MAX_SIZE, Type.INT, 32, Range.between(1, 4096), Importance.MEDIUM,
          "A batch is scored when it holds this many turns...")
      .define(BATCH_MAX_WAIT_MS, Type.LONG, 50L, Range.between(1, 60_000), Importance.MEDIUM,
          "...or when its first turn has waited this long.")
      .define(TEXT_MAX_CHARS, Type.INT, 10_000, Range.between(16, 1_000_000), Importance.LOW,
          "Longer texts are cut before tokenizing and their soft label is flagged truncated.")
      .define(PARALLELISM, Type.INT, 0, Range.between(0, 1024), Importance.MEDIUM,
          "Parallel scoring subtasks, each with its own ONNX Runtime session (and its memory); 0: one per available "
              + "processor of the machine that starts the job, at most the partitions of the turns topic. Set it on a "
              + "Flink cluster, where that machine is only the client.")
      .define(ONNX_THREADS, Type.INT, 0, Range.between(0, 256), Importance.LOW,
          "ONNX Runtime intra-op threads per subtask; 0: the available processors per subtask, at least 1 (so 1 "
              + "each with the default parallelism on up to 4 processors: on 2 cores 2 subtasks x 1 thread score "
              + "faster than 1 x 2, BENCHMARKS.md).")
      .define(CHECKPOINT_INTERVAL_MS, Type.LONG, 2_000L, Range.between(100, 3_600_000), Importance.MEDIUM,
          "Checkpoint interval; soft labels become visible to read_committed consumers at each checkpoint.")
      .define(CHECKPOINT_DIR, Type.STRING, "target/teacher-checkpoints", Importance.MEDIUM,
          "When this process runs the job itself (not under flink run): directory of its checkpoints, one "
              + "subdirectory per consumer group; a restarted process resumes from the latest, exactly once. On a "
              + "Flink cluster, the cluster's execution.checkpointing.dir applies instead.")
      .define(PARTITION_DISCOVERY_INTERVAL_MS, Type.LONG, 300_000L, Range.between(0, 86_400_000),
          Importance.LOW, "How often the source looks for new partitions of the turns topic; 0 only at start. "
              + "Keep it well above the Kafka admin timeout (default.api.timeout.ms, 60 s): a discovery that "
              + "overlaps a slow one (a broker not answering) can assign a partition twice and read it twice "
              + "(FLINK-40615).")
      .define(GROUP_ID, Type.STRING, "", Importance.LOW, "Consumer group of the turns source; empty: "
          + Topics.TEACHER_GROUP + ", prefixed by " + NAMESPACE + " and a dash when there is one (exp1-"
          + Topics.TEACHER_GROUP + ").")
      .define(TRANSACTIONAL_ID_PREFIX, Type.STRING, "", Importance.LOW,
          "Prefix of the exactly-once sink's transactional ids; unique per job on a cluster. Empty: "
              + Topics.TEACHER_GROUP + ", prefixed by " + NAMESPACE + " and a dash when there is one.")
      .define(KIND, Type.STRING, KIND_BUNDLE, ConfigDef.ValidString.in(KIND_BUNDLE, KIND_ONNX_CLASSIFIER),
          Importance.HIGH, "Teacher to run: 'bundle' (MiniLM encoder + head from " + BUNDLE + ") or "
              + "'onnx-classifier' (any ONNX sequence classifier: " + ONNX_MODEL + ", " + ONNX_TOKENIZER + ", "
              + ONNX_LABELS + ").")
      .define(ONNX_MODEL, Type.STRING, "", Importance.MEDIUM,
          "onnx-classifier: the .onnx file; inputs input_ids and attention_mask (and optionally token_type_ids), "
              + "int64 [batch, tokens]; output logits [batch, labels].")
      .define(ONNX_TOKENIZER, Type.STRING, "", Importance.MEDIUM,
          "onnx-classifier: the model's Hugging Face tokenizer.json.")
      .define(ONNX_LABELS, Type.STRING, "", Importance.MEDIUM,
          "onnx-classifier: label names in logit order: one per line, a JSON list, or a Hugging Face config.json "
              + "(its id2label).")
      .define(ONNX_MAX_LENGTH, Type.INT, 128, Range.between(2, 65_536), Importance.LOW,
          "onnx-classifier: longest input in tokens, special tokens included; longer texts are cut and flagged "
              + "truncated.")
      .define(TEMPERATURE, Type.DOUBLE, 2.0, Range.between(1e-3, 1e3), Importance.MEDIUM,
          "onnx-classifier: distillation temperature stamped on its soft labels (a bundle carries its own).")
      .define(SOFT_LABELS_TOP_K, Type.INT, 0, Range.atLeast(0), Importance.LOW,
          "0 publishes every label's logit; k > 0 compacts each soft label to its k largest logits plus the "
              + "remaining probability mass (for large label sets). The student trainer needs 0.")
      .define(DEAD_LETTER_MAX_FRACTION, Type.DOUBLE, 0.5, Range.between(0.001, 1.0), Importance.MEDIUM,
          "The job fails with an error naming the cause when more than this fraction of the last 1,000 turns of a "
              + "subtask (at least 100 seen) were dead letters, instead of draining the topic into its .dlq twin; "
              + "1 turns the check off.")
      .define(DEAD_LETTER_MAX_VALUE_BYTES, Type.INT, 1_000_000, Range.atLeast(1024), Importance.LOW,
          "A dead letter keeps at most this many bytes of the poison record's value (header "
              + "dlq.value.original-bytes then gives the full size); keep it below what the dead-letter topic and "
              + "the sink's producer accept (about 1 MB by default), or one oversized poison record fails the job "
              + "on every restart.")
      .define(SELECTION_POLICY, Type.STRING, SelectionSettings.ALL, ConfigDef.ValidString.in(
              SelectionSettings.POLICIES.toArray(new String[0])), Importance.MEDIUM,
          "Which turns the teacher scores: 'all'; 'uniform' (at " + SELECTION_UNIFORM_RATE + "); 'uncertainty' (the "
              + "champion student's " + SELECTION_MEASURE + " under " + SELECTION_THRESHOLD + "); 'budget' (at most "
              + SELECTION_BUDGET + " for the job, the most uncertain of each batch first). Until a champion exists, "
              + "'uncertainty' passes every turn and 'budget' ranks by a random draw. Skipped turns are counted per "
              + "reason; those with a gold label go on as gold-only soft labels, or to the fallback teacher ("
              + FALLBACK_BUNDLE + ") when there is one.")
      .define(SELECTION_UNIFORM_RATE, Type.DOUBLE, 0.3, Range.between(1e-6, 1.0), Importance.LOW,
          "uniform: the share of turns drawn for the teacher (besides the audit share).")
      .define(SELECTION_MEASURE, Type.STRING, UncertaintyMeasure.TOP_PROBABILITY.key(), ConfigDef.ValidString.in(
              UncertaintyMeasure.TOP_PROBABILITY.key(), UncertaintyMeasure.MARGIN.key()), Importance.LOW,
          "uncertainty, budget: the student's confidence in a turn: its top probability, or the top minus the "
              + "second ('margin').")
      .define(SELECTION_THRESHOLD, Type.DOUBLE, 0.7, Range.between(1e-6, 1.0), Importance.LOW,
          "uncertainty: turns whose confidence is under this go to the teacher.")
      .define(SELECTION_BUDGET, Type.DOUBLE, 100.0, Range.between(1e-3, 1e6), Importance.LOW,
          "budget: turns per second the job may send to the teacher for the policy, split evenly over its scoring "
              + "subtasks (each keeps its own bucket; a busier subtask sheds more, the job never spends more). The "
              + "audit share comes on top: leave it room below what the teacher scores.")
      .define(SELECTION_BUDGET_WINDOW_MS, Type.LONG, 1_000L, Range.between(1, 600_000), Importance.LOW,
          "budget: the longest burst, in milliseconds of budget, that a quiet spell saves up.")
      .define(SELECTION_BUDGET_MAX_LAG_MS, Type.LONG, 3_000L, Range.between(0, 86_400_000), Importance.LOW,
          "budget: the lag bound. A turn that reaches the gate more than this many milliseconds after it entered "
              + "its topic (its Kafka timestamp) gets no budget (reason behind; the audit share still goes), so "
              + "under a peak the job sheds teacher work until it has caught up, however fast the teacher is under "
              + "load. The group's committed lag runs above it by up to a checkpoint interval and the catching up "
              + "(measured at 3x peaks on 2 cores: a 5 s bound gave up to 11.7 s, so the default is 3 s). A job "
              + "started behind (a backlog, an old topic replayed as it is) sheds too until it has caught up; "
              + "producers' clocks must agree with the job's. 0: no bound.")
      .define(SELECTION_AUDIT_SHARE, Type.DOUBLE, 0.05, Range.between(0.0, 1.0), Importance.LOW,
          "Of the turns a policy skips, the share drawn at random that goes to the teacher anyway (reason audit), "
              + "so estimates over soft labels can be weighted back to all turns.")
      .define(SELECTION_SEED, Type.LONG, 0L, Importance.LOW,
          "Seeds the gate's random draws (a function of the seed and the turn id: a replay chooses the same turns).")
      .define(SELECTION_CHAMPION_REFRESH_MS, Type.LONG, 5_000L, Range.between(100, 3_600_000), Importance.LOW,
          "How often the gate looks in model.promotions and student.checkpoints for a new champion.")
      .define(SELECTION_CHAMPION_MODEL_NAME, Type.STRING, "student", Importance.LOW,
          "The model line whose champion the gate predicts with (the trainer's trainer.model-name).")
      .define(SELECTION_CHAMPION_FOLLOW, Type.STRING, SelectionSettings.FOLLOW_CHAMPION, ConfigDef.ValidString.in(
              SelectionSettings.FOLLOW_CHAMPION, SelectionSettings.FOLLOW_LATEST), Importance.LOW,
          "Which student the gate predicts with: 'champion' (the one model.promotions names) or 'latest' (the newest "
              + "checkpoint's export in student.checkpoints: the learning challenger, ahead of the champion, so the "
              + "gate stops sending what the student already knows sooner; it is judged by the audit turns all the "
              + "same).")
      .define(FALLBACK_BUNDLE, Type.STRING, "", Importance.MEDIUM,
          "A second, cheaper teacher bundle (fit writes one; the same labels as the teacher) that scores the turns "
              + "the selection gate keeps from the teacher, so that they teach the student too (a cascade: a strong "
              + "teacher on the turns the gate picks, a cheap one on the rest). Its soft labels say fallback_scored; "
              + "the evaluator never takes them as evidence about the teacher. Needs a policy other than 'all'. "
              + "Empty: no fallback (a skipped turn goes on gold-only when it has a gold label, else produces "
              + "nothing).")
      .define(FALLBACK_MAX_TURNS_PER_SECOND, Type.DOUBLE, 0.0, Range.between(0.0, 1e6), Importance.LOW,
          "Turns per second the job may send to the fallback teacher, split evenly over its scoring subtasks (each "
              + "a token bucket holding one second's worth); turns over it are treated as without a fallback, and so "
              + "are turns the budget sheds as behind (" + SELECTION_BUDGET_MAX_LAG_MS + "), so a peak costs the "
              + "fallback nothing. 0: no limit.")
      .define(FALLBACK_ONNX_THREADS, Type.INT, 1, Range.between(1, 256), Importance.LOW,
          "ONNX Runtime threads of the fallback teacher's session in each subtask. 1 (the default): the calling "
              + "thread scores alone, so the fallback keeps no second pool of threads spinning on the teacher's "
              + "cores.");

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL",
      Map.of("bundle", BUNDLE, "parallelism", PARALLELISM, "bootstrap-servers", BOOTSTRAP_SERVERS,
          "registry", REGISTRY_URL)).withKafkaClientSettings();

  /** Prefix of the metrics endpoint's settings: {@code teacher.metrics.port}, {@code teacher.metrics.host}. */
  public static final String METRICS_PREFIX = "teacher.";

  static {
    MetricsEndpoint.define(DEFINITION, METRICS_PREFIX);
  }

  /** Where this process serves its Prometheus metrics ({@code teacher.metrics.*}), if at all. */
  public static MetricsEndpoint.Settings metricsEndpoint(List<String> args, Map<String, String> env) {
    return MetricsEndpoint.Settings.from(LOADER.load(args, env), METRICS_PREFIX);
  }

  /** The metrics endpoint's settings ({@code teacher.metrics.*}) of a plain map of strings (embedded use), validated. */
  public static MetricsEndpoint.Settings metricsEndpoint(Map<String, String> settings) {
    return MetricsEndpoint.Settings.from(LOADER.parse(settings), METRICS_PREFIX);
  }


  /**
   * Settings from parsed values.
   *
   * @throws ConfigException naming the key when {@value #KIND} is {@value #KIND_ONNX_CLASSIFIER}
   *     and one of its files is not set
   */
  public static TeacherJobConfig from(Map<String, Object> v) {
    String kind = (String) v.get(KIND);
    if (KIND_ONNX_CLASSIFIER.equals(kind)) {
      for (String key : List.of(ONNX_MODEL, ONNX_TOKENIZER, ONNX_LABELS)) {
        if (((String) v.get(key)).isBlank()) {
          throw new ConfigException(key + " must name a file when " + KIND + "=" + KIND_ONNX_CLASSIFIER);
        }
      }
    }
    String namespace = (String) v.get(NAMESPACE);
    ScoringShape shape = ScoringShape.resolve((Integer) v.get(PARALLELISM), (Integer) v.get(ONNX_THREADS),
        Runtime.getRuntime().availableProcessors(), Topics.TURNS.partitions());
    return new TeacherJobConfig((String) v.get(BOOTSTRAP_SERVERS), RegistryClientSettings.from(v),
        namespace, (String) v.get(BUNDLE), (Integer) v.get(BATCH_MAX_SIZE),
        (Long) v.get(BATCH_MAX_WAIT_MS), (Integer) v.get(TEXT_MAX_CHARS), shape.parallelism(),
        shape.intraOpThreads(), (Long) v.get(CHECKPOINT_INTERVAL_MS),
        (String) v.get(CHECKPOINT_DIR), (Long) v.get(PARTITION_DISCOVERY_INTERVAL_MS),
        orInNamespace((String) v.get(GROUP_ID), namespace),
        orInNamespace((String) v.get(TRANSACTIONAL_ID_PREFIX), namespace), kind, (String) v.get(ONNX_MODEL), (String) v.get(ONNX_TOKENIZER),
        (String) v.get(ONNX_LABELS), (Integer) v.get(ONNX_MAX_LENGTH), (Double) v.get(TEMPERATURE),
        (Integer) v.get(SOFT_LABELS_TOP_K), (Integer) v.get(DEAD_LETTER_MAX_VALUE_BYTES),
        (Double) v.get(DEAD_LETTER_MAX_FRACTION), KafkaClientSettings.from(v), selection(v),
        (String) v.get(SELECTION_CHAMPION_MODEL_NAME), fallback(v));
  }

  /**
   * The fallback teacher, or {@link FallbackTeacher#NONE}.
   *
   * @throws ConfigException when one is named but policy {@code all} leaves it no turn to score
   */
  private static FallbackTeacher fallback(Map<String, Object> v) {
    String bundle = ((String) v.get(FALLBACK_BUNDLE)).trim();
    if (bundle.isEmpty()) {
      return FallbackTeacher.NONE;
    }
    if (SelectionSettings.ALL.equals(v.get(SELECTION_POLICY))) {
      throw new ConfigException(FALLBACK_BUNDLE, bundle, "a fallback teacher scores the turns the selection gate "
          + "skips, and " + SELECTION_POLICY + "=" + SelectionSettings.ALL + " skips none: choose another policy "
          + "or leave " + FALLBACK_BUNDLE + " empty");
    }
    return new FallbackTeacher(bundle, (Double) v.get(FALLBACK_MAX_TURNS_PER_SECOND),
        (Integer) v.get(FALLBACK_ONNX_THREADS));
  }

  private static SelectionSettings selection(Map<String, Object> v) {
    return new SelectionSettings((String) v.get(SELECTION_POLICY), (Double) v.get(SELECTION_UNIFORM_RATE),
        UncertaintyMeasure.of((String) v.get(SELECTION_MEASURE)), (Double) v.get(SELECTION_THRESHOLD),
        (Double) v.get(SELECTION_BUDGET), (Long) v.get(SELECTION_BUDGET_WINDOW_MS),
        (Long) v.get(SELECTION_BUDGET_MAX_LAG_MS), (Double) v.get(SELECTION_AUDIT_SHARE),
        (Long) v.get(SELECTION_SEED),
        (Long) v.get(SELECTION_CHAMPION_REFRESH_MS),
        SelectionSettings.FOLLOW_LATEST.equals(v.get(SELECTION_CHAMPION_FOLLOW)));
  }

  /** An explicit id as it is; none: the catalogue's, in the namespace. */
  private static String orInNamespace(String explicit, String namespace) {
    return explicit.isBlank() ? Topics.groupInNamespace(Topics.TEACHER_GROUP, namespace) : explicit.trim();
  }

  public static TeacherJobConfig parse(List<String> args, Map<String, String> env) {
    return from(LOADER.load(args, env));
  }

  /** Settings from a plain map of strings (as the embedded demo passes them), validated. */
  public static TeacherJobConfig of(Map<String, String> settings) {
    return from(LOADER.parse(settings));
  }

  /** The schema registry's base URL. */
  public String registryUrl() {
    return registry.url();
  }
}
