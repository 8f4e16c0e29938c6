package org.streamdistill.deploy.experiment;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.producers.experiment.TopicReplayConfig;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.registry.RegistryClientSettings;

/**
 * Settings of the {@code experiment} command: which range of production's turns to replay into
 * which namespace, the stages' own settings ({@code --set stage.key=value}), where the stages keep
 * their state, and how long to wait for them.
 *
 * @param stageSettings {@code --set} pairs, in order, each for the stage its prefix names
 */
public record ExperimentConfig(String bootstrapServers, String registryUrl, String name, String fromTime,
                               String toTime, String fromOffsets, String toOffsets, double sampleFraction, long seed,
                               String teacherBundle, String workDir, Duration timeout, boolean printOnly,
                               String modelLine, Map<String, String> stageSettings) {

  public static final String BOOTSTRAP_SERVERS = KafkaClientSettings.BOOTSTRAP_SERVERS;
  public static final String REGISTRY_URL = RegistryClientSettings.URL;
  public static final String NAME = "experiment.name";
  public static final String TEACHER_BUNDLE = "experiment.teacher-bundle";
  public static final String WORK_DIR = "experiment.work-dir";
  public static final String TIMEOUT_MS = "experiment.timeout-ms";
  public static final String PRINT_ONLY = "experiment.print-only";
  public static final String MODEL_LINE = "experiment.model-line";
  /** The stages a {@code --set} may address, by the prefix of its key. */
  public static final List<String> STAGE_PREFIXES = List.of("teacher.", "trainer.", "evaluator.");

  public static final ConfigDef DEFINITION = new ConfigDef()
      .define(KafkaClientSettings.bootstrapServersKey())
      .define(REGISTRY_URL, Type.STRING, RegistryClientSettings.DEFAULT_URL, Importance.HIGH,
          "Schema registry URL (Confluent REST API).")
      .define(NAME, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
          "The experiment's namespace (" + TopicReplayConfig.NAMESPACE_PATTERN + "): its topics, groups, "
              + "transactional ids and state are its own.")
      .define(TopicReplayConfig.FROM_TIME, Type.STRING, "", Importance.HIGH,
          "Start of the range of production's dialogue.turns, as a record time (ISO-8601).")
      .define(TopicReplayConfig.TO_TIME, Type.STRING, "", Importance.HIGH, "End of the range, exclusive.")
      .define(TopicReplayConfig.FROM_OFFSETS, Type.STRING, "", Importance.MEDIUM,
          "Start of the range as offsets (120, or 0:120,1:98,...) instead of a time.")
      .define(TopicReplayConfig.TO_OFFSETS, Type.STRING, "", Importance.MEDIUM, "End of the range as offsets.")
      .define(TopicReplayConfig.SAMPLE_FRACTION, Type.DOUBLE, 1.0, Range.between(0, 1), Importance.MEDIUM,
          "Share of conversations replayed (whole conversations, seeded).")
      .define(TopicReplayConfig.SEED, Type.LONG, 42L, Importance.LOW, "Seed of the conversation sample.")
      .define(TEACHER_BUNDLE, Type.STRING, "target/teacher-bundle", Importance.MEDIUM,
          "Teacher bundle of the experiment's teacher job (teacher.bundle).")
      .define(WORK_DIR, Type.STRING, "target/experiments", Importance.MEDIUM,
          "Where each experiment keeps its stages' state and logs (a subdirectory per name) and its report.")
      .define(TIMEOUT_MS, Type.LONG, 1_800_000L, Range.atLeast(10_000), Importance.MEDIUM,
          "How long the stages may take to catch up with the replayed turns before the experiment gives up.")
      .define(PRINT_ONLY, Type.BOOLEAN, false, Importance.MEDIUM,
          "Print the commands that run the experiment (for another machine or cluster) instead of running them.")
      .define(MODEL_LINE, Type.STRING, "student", Importance.LOW, "Model line compared (trainer.model-name).");

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL",
      Map.of("bootstrap-servers", BOOTSTRAP_SERVERS, "registry", REGISTRY_URL, "name", NAME,
          "from-time", TopicReplayConfig.FROM_TIME, "to-time", TopicReplayConfig.TO_TIME,
          "from-offsets", TopicReplayConfig.FROM_OFFSETS, "to-offsets", TopicReplayConfig.TO_OFFSETS,
          "sample-fraction", TopicReplayConfig.SAMPLE_FRACTION, "seed", TopicReplayConfig.SEED,
          "print-only", PRINT_ONLY));

  /**
   * Reads the arguments: {@code --set stage.key=value} (repeatable) for the stages, the rest for
   * the experiment itself.
   *
   * @throws ConfigException naming what is wrong
   */
  public static ExperimentConfig parse(List<String> args, Map<String, String> env) {
    Map<String, String> sets = new LinkedHashMap<>();
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--set") || arg.startsWith("--set=")) {
        String pair = arg.equals("--set") ? (i + 1 < args.size() ? args.get(++i) : "") : arg.substring(6);
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new ConfigException("--set needs stage.key=value, got '" + pair + "'");
        }
        String key = pair.substring(0, eq).trim();
        if (STAGE_PREFIXES.stream().noneMatch(key::startsWith)) {
          throw new ConfigException("--set " + key + ": a stage's setting starts with one of " + STAGE_PREFIXES);
        }
        sets.put(key, pair.substring(eq + 1));
      } else {
        rest.add(arg);
      }
    }
    Map<String, Object> v = LOADER.load(rest, env);
    String name = ((String) v.get(NAME)).trim();
    if (!name.matches(TopicReplayConfig.NAMESPACE_PATTERN)) {
      throw new ConfigException(NAME, name, "an experiment's name is its namespace: " + TopicReplayConfig.NAMESPACE_PATTERN);
    }
    boolean byTime = !((String) v.get(TopicReplayConfig.FROM_TIME)).isBlank();
    boolean byOffsets = !((String) v.get(TopicReplayConfig.FROM_OFFSETS)).isBlank();
    if (byTime == byOffsets) {
      throw new ConfigException("give the range of turns to replay: --from-time (with --to-time) or --from-offsets");
    }
    return new ExperimentConfig((String) v.get(BOOTSTRAP_SERVERS), (String) v.get(REGISTRY_URL), name,
        (String) v.get(TopicReplayConfig.FROM_TIME), (String) v.get(TopicReplayConfig.TO_TIME),
        (String) v.get(TopicReplayConfig.FROM_OFFSETS), (String) v.get(TopicReplayConfig.TO_OFFSETS),
        (Double) v.get(TopicReplayConfig.SAMPLE_FRACTION), (Long) v.get(TopicReplayConfig.SEED),
        (String) v.get(TEACHER_BUNDLE), (String) v.get(WORK_DIR), Duration.ofMillis((Long) v.get(TIMEOUT_MS)),
        (Boolean) v.get(PRINT_ONLY), (String) v.get(MODEL_LINE), java.util.Collections.unmodifiableMap(sets));
  }
}
