package org.streamdistill.producers.dataset;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.registry.RegistryClientSettings;

/**
 * Settings of {@code replay dataset}: the file, its format and column mapping, the pace and
 * the seeded choices.
 *
 * @param pace {@code rate} (fixed turns per second) or {@code original} (the file's timestamps, scaled)
 */
public record DatasetReplayConfig(String bootstrapServers, RegistryClientSettings registry, String namespace, Path path,
                                  DatasetFormat format, char delimiter, ColumnMapping columns, String pace,
                                  double ratePerSecond, double speed, long maxGapMillis,
                                  DatasetReplayOptions options, KafkaClientSettings kafka) {

  public static final String BOOTSTRAP_SERVERS = KafkaClientSettings.BOOTSTRAP_SERVERS;
  public static final String REGISTRY_URL = RegistryClientSettings.URL;
  public static final String NAMESPACE = "topic.namespace";
  public static final String PATH = "dataset.path";
  public static final String FORMAT = "dataset.format";
  public static final String NAME = "dataset.name";
  public static final String DELIMITER = "dataset.csv.delimiter";
  public static final String TEXT_COLUMN = "dataset.column.text";
  public static final String LABEL_COLUMN = "dataset.column.label";
  public static final String CONVERSATION_COLUMN = "dataset.column.conversation";
  public static final String TIMESTAMP_COLUMN = "dataset.column.timestamp";
  public static final String SPEAKER_COLUMN = "dataset.column.speaker";
  public static final String PACE = "replay.pace";
  public static final String RATE = "replay.rate";
  public static final String SPEED = "replay.speed";
  public static final String MAX_GAP_MS = "replay.max-gap-ms";
  public static final String SEED = "replay.seed";
  public static final String LIMIT = "replay.limit";
  public static final String GOLD_FRACTION = "replay.gold-fraction";
  public static final String HELD_OUT_FRACTION = "replay.held-out-fraction";
  public static final String MAX_TURNS_PER_CONVERSATION = "replay.max-turns-per-conversation";
  public static final String SHUFFLE = "replay.shuffle";
  public static final String EVENT_TIME = "replay.event-time";

  public static final String PACE_RATE = "rate";
  public static final String PACE_ORIGINAL = "original";

  public static final ConfigDef DEFINITION = RegistryClientSettings.define(new ConfigDef()
      .define(KafkaClientSettings.bootstrapServersKey()))
      .define(NAMESPACE, Type.STRING, "", Importance.LOW,
          "Prefix of every topic (experiments; its topics are created); empty for production.")
      .define(PATH, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
          "The data file (JSON Lines or CSV).")
      .define(FORMAT, Type.STRING, "auto", ValidString.in("auto", "jsonl", "ndjson", "csv"), Importance.MEDIUM,
          "File format; auto goes by the extension (.jsonl/.ndjson/.json, .csv/.tsv).")
      .define(NAME, Type.STRING, "", Importance.LOW,
          "Short name of the data set for turn ids, conversation ids and the source tag; empty: the file name.")
      .define(DELIMITER, Type.STRING, ",", Importance.LOW, "CSV field delimiter: one character, or 'tab' (the default for .tsv files).")
      .define(TEXT_COLUMN, Type.STRING, "text", new ConfigDef.NonEmptyString(), Importance.HIGH,
          "Column (CSV header) or field (JSON key) holding the utterance.")
      .define(LABEL_COLUMN, Type.STRING, "", Importance.MEDIUM, "Column holding the gold label; empty: none.")
      .define(CONVERSATION_COLUMN, Type.STRING, "", Importance.MEDIUM,
          "Column holding the conversation id; empty: utterances are grouped into conversations.")
      .define(TIMESTAMP_COLUMN, Type.STRING, "", Importance.MEDIUM,
          "Column holding when the utterance happened (ISO-8601, or epoch millis; no zone means UTC); empty: none.")
      .define(SPEAKER_COLUMN, Type.STRING, "", Importance.LOW, "Column holding user or agent; empty: all user.")
      .define(PACE, Type.STRING, PACE_RATE, ValidString.in(PACE_RATE, PACE_ORIGINAL), Importance.MEDIUM,
          "rate: a fixed number of turns per second (replay.rate); original: the file's timestamps, "
              + "in timestamp order, sped up by replay.speed.")
      .define(RATE, Type.DOUBLE, 0.0, Range.atLeast(0), Importance.MEDIUM,
          "Turns per second with pace=rate; 0 for as fast as Kafka takes them.")
      .define(SPEED, Type.DOUBLE, 1.0, Range.atLeast(1e-6), Importance.MEDIUM,
          "With pace=original: 60 replays an hour in a minute.")
      .define(MAX_GAP_MS, Type.LONG, 0L, Range.atLeast(0), Importance.LOW,
          "With pace=original: longer gaps between turns are shortened to this before scaling; 0 for no limit.")
      .define(SEED, Type.LONG, 42L, Importance.MEDIUM,
          "Seed of shuffling, conversation grouping, kept labels and held-out turns.")
      .define(LIMIT, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM, "Stop after this many turns; 0 for all.")
      .define(GOLD_FRACTION, Type.DOUBLE, 0.1, Range.between(0, 1), Importance.MEDIUM,
          "Share of labelled turns that keep their gold label (held-out turns always do).")
      .define(HELD_OUT_FRACTION, Type.DOUBLE, 0.0, Range.between(0, 1), Importance.MEDIUM,
          "Share of labelled turns marked held out: predicted and evaluated, never learned from.")
      .define(MAX_TURNS_PER_CONVERSATION, Type.INT, 6, Range.atLeast(1), Importance.LOW,
          "Without a conversation column, utterances are grouped into conversations of 1 to this many turns.")
      .define(SHUFFLE, Type.BOOLEAN, false, Importance.LOW,
          "Shuffle the utterances (seeded) before grouping; not with pace=original.")
      .define(EVENT_TIME, Type.STRING, "now", ValidString.in("now", "original"), Importance.LOW,
          "Event time of each turn: now (when it is sent, as live chat) or original (the file's timestamp).");

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL", Map.ofEntries(
      Map.entry("bootstrap-servers", BOOTSTRAP_SERVERS), Map.entry("registry", REGISTRY_URL),
      Map.entry("namespace", NAMESPACE), Map.entry("path", PATH), Map.entry("format", FORMAT),
      Map.entry("name", NAME), Map.entry("text-column", TEXT_COLUMN), Map.entry("label-column", LABEL_COLUMN),
      Map.entry("conversation-column", CONVERSATION_COLUMN), Map.entry("timestamp-column", TIMESTAMP_COLUMN),
      Map.entry("speaker-column", SPEAKER_COLUMN), Map.entry("pace", PACE), Map.entry("rate", RATE),
      Map.entry("speed", SPEED), Map.entry("seed", SEED), Map.entry("limit", LIMIT),
      Map.entry("gold-fraction", GOLD_FRACTION), Map.entry("held-out-fraction", HELD_OUT_FRACTION)))
      .withKafkaClientSettings();

  public static DatasetReplayConfig from(Map<String, Object> v) {
    Path path = Path.of((String) v.get(PATH));
    DatasetFormat format;
    try {
      format = DatasetFormat.of((String) v.get(FORMAT), path);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(FORMAT + ": " + e.getMessage());
    }
    String pace = (String) v.get(PACE);
    ColumnMapping columns = new ColumnMapping((String) v.get(TEXT_COLUMN), (String) v.get(LABEL_COLUMN),
        (String) v.get(CONVERSATION_COLUMN), (String) v.get(TIMESTAMP_COLUMN), (String) v.get(SPEAKER_COLUMN));
    boolean original = pace.equals(PACE_ORIGINAL);
    boolean originalTime = v.get(EVENT_TIME).equals("original");
    if ((original || originalTime) && columns.timestamp() == null) {
      throw new ConfigException((original ? PACE + "=original" : EVENT_TIME + "=original") + " needs "
          + TIMESTAMP_COLUMN + " (the column holding each utterance's time)");
    }
    boolean shuffle = (Boolean) v.get(SHUFFLE);
    if (shuffle && original) {
      throw new ConfigException(SHUFFLE + "=true cannot be combined with " + PACE + "=original, which replays in "
          + "timestamp order");
    }
    String name = ((String) v.get(NAME)).isBlank() ? nameOf(path) : (String) v.get(NAME);
    DatasetReplayOptions options;
    try {
      options = new DatasetReplayOptions(name, (Long) v.get(SEED), (Long) v.get(LIMIT),
          (Double) v.get(GOLD_FRACTION), (Double) v.get(HELD_OUT_FRACTION), (Integer) v.get(MAX_TURNS_PER_CONVERSATION),
          shuffle, original, originalTime);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(NAME + ": " + e.getMessage());
    }
    return new DatasetReplayConfig((String) v.get(BOOTSTRAP_SERVERS), RegistryClientSettings.from(v),
        (String) v.get(NAMESPACE), path, format, delimiter((String) v.get(DELIMITER), path), columns, pace,
        (Double) v.get(RATE), (Double) v.get(SPEED), (Long) v.get(MAX_GAP_MS), options, KafkaClientSettings.from(v));
  }

  public static DatasetReplayConfig parse(List<String> args, Map<String, String> env) {
    return from(LOADER.load(args, env));
  }

  public boolean originalPace() {
    return pace.equals(PACE_ORIGINAL);
  }

  private static char delimiter(String value, Path path) {
    if (value.equals(",") && path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".tsv")) {
      return '\t';
    }
    if (value.equalsIgnoreCase("tab") || value.equals("\\t") || value.equals("\t")) {
      return '\t';
    }
    if (value.length() != 1 || value.charAt(0) == '"') {
      throw new ConfigException(DELIMITER, value, "must be one character other than a double quote, or 'tab'");
    }
    return value.charAt(0);
  }

  /** The file name without extension, reduced to the characters ids allow. */
  static String nameOf(Path path) {
    String file = path.getFileName().toString();
    int dot = file.indexOf('.');
    String stem = (dot > 0 ? file.substring(0, dot) : file).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
    stem = stem.replaceAll("^[^a-z0-9]+", "");
    if (stem.isEmpty()) {
      stem = "dataset";
    }
    return stem.length() > 64 ? stem.substring(0, 64) : stem;
  }

  /** The schema registry's base URL. */
  public String registryUrl() {
    return registry.url();
  }
}
