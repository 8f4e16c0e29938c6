package org.streamdistill.teacher.fit;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.schemas.config.NotBlank;
import org.streamdistill.teacher.model.EncoderId;
import org.streamdistill.teacher.model.HeadTrainer;

/**
 * The settings of {@code fit}, loaded like every command's ({@link #LOADER}: defaults, {@code
 * --config FILE}, {@code STREAMDISTILL_FIT_*} variables, flags). The defaults are the ones the
 * shipped teacher was fitted with; {@link #usage()} lists every key with its documentation.
 *
 * @param data the CLINC150 {@code data_full.json}
 * @param out the bundle directory to write
 * @param temperature distillation temperature, applied to the calibrated logits
 * @param epochs passes over the training set
 * @param batchSize examples per Adam step
 * @param learningRate Adam step size
 * @param l2 L2 penalty on the head's weights
 * @param oosWeight loss weight of out-of-scope training examples (in-scope ones weigh 1)
 * @param seed seed of the example shuffling
 * @param threads ONNX Runtime intra-op threads
 * @param embedBatchSize texts per encoder call
 * @param encoders the encoders to fit a head on: one gives a single teacher, several an ensemble
 *     whose first member tokenizes for all
 * @param ensembleWeights how an ensemble weighs its members: {@value #WEIGHTS_EQUAL}, or one
 *     non-negative number per encoder (scaled to sum to 1)
 * @param costTurns test turns the scoring cost (turns per second) is measured on, 0 for none
 * @param trainShare the part of the training split the heads are fitted on: the turns whose text
 *     hash falls below it ({@link Clinc150#trainWithOos(double, double)}); 1 for all of them
 */
public record FitOptions(
    Path data,
    Path out,
    double temperature,
    int epochs,
    int batchSize,
    double learningRate,
    double l2,
    double oosWeight,
    long seed,
    int threads,
    int embedBatchSize,
    List<EncoderId> encoders,
    String ensembleWeights,
    int costTurns,
    double trainShare) {

  /** The settings {@code fit} had before ensembles: one MiniLM-L6 fp32 head, default cost measurement. */
  public FitOptions(Path data, Path out, double temperature, int epochs, int batchSize, double learningRate,
      double l2, double oosWeight, long seed, int threads, int embedBatchSize) {
    this(data, out, temperature, epochs, batchSize, learningRate, l2, oosWeight, seed, threads, embedBatchSize,
        List.of(EncoderId.ALL_MINILM_L6_V2), WEIGHTS_EQUAL, DEFAULT_COST_TURNS, 1.0);
  }

  public FitOptions {
    encoders = List.copyOf(encoders);
    if (encoders.isEmpty()) {
      throw new IllegalArgumentException(ENCODERS + " must name at least one encoder");
    }
    if (new HashSet<>(encoders).size() != encoders.size()) {
      throw new IllegalArgumentException(ENCODERS + " names an encoder twice: " + encoders.stream()
          .map(EncoderId::shortName).collect(Collectors.joining(",")));
    }
    memberWeights(ensembleWeights, encoders.size());
    if (!(trainShare > 0 && trainShare <= 1)) {
      throw new IllegalArgumentException(TRAIN_SHARE + " must be > 0 and <= 1, got " + trainShare);
    }
    if (costTurns < 0) {
      throw new IllegalArgumentException(COST_TURNS + " must be >= 0, got " + costTurns);
    }
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    if (!(oosWeight > 0) || Double.isInfinite(oosWeight)) {
      throw new IllegalArgumentException("oosWeight must be > 0, got " + oosWeight);
    }
    if (threads < 1 || embedBatchSize < 1) {
      throw new IllegalArgumentException("threads and embedBatchSize must be >= 1, got " + threads
          + " and " + embedBatchSize);
    }
    trainerSettings(epochs, batchSize, learningRate, l2, seed);
  }

  private static HeadTrainer.Settings trainerSettings(int epochs, int batchSize, double learningRate,
      double l2, long seed) {
    return new HeadTrainer.Settings(epochs, batchSize, learningRate, l2, seed);
  }

  /** Default bundle directory, relative to the working directory. */
  public static final Path DEFAULT_OUT = Path.of("target", "teacher-bundle");

  /**
   * Default distillation temperature. The stored logits are calibrated (their plain softmax
   * minimises the negative log-likelihood on the validation split), so T = 1 reproduces the
   * teacher's own confidence, which is nearly one-hot (about 0.4 nats on the test split). At
   * T = 2 the true label keeps about two thirds of the mass and the rest goes to the few
   * related intents, about 1.7 nats; at T = 4 the labels are nearly uniform (4.3 of the 5.0
   * nats possible over 151 labels) and carry little signal.
   */
  public static final double DEFAULT_TEMPERATURE = 2.0;

  public static final String DATA = "fit.data";
  public static final String OUT = "fit.out";
  public static final String TEMPERATURE = "fit.temperature";
  public static final String EPOCHS = "fit.epochs";
  public static final String BATCH_SIZE = "fit.batch-size";
  public static final String LEARNING_RATE = "fit.learning-rate";
  public static final String L2 = "fit.l2";
  public static final String OOS_WEIGHT = "fit.oos-weight";
  public static final String SEED = "fit.seed";
  public static final String THREADS = "fit.threads";
  public static final String EMBED_BATCH_SIZE = "fit.embed-batch-size";
  public static final String ENCODERS = "fit.encoders";
  public static final String ENSEMBLE_WEIGHTS = "fit.ensemble-weights";
  public static final String COST_TURNS = "fit.cost-turns";
  public static final String TRAIN_SHARE = "fit.train-share";

  /** {@link #ENSEMBLE_WEIGHTS}: every member weighs the same. */
  public static final String WEIGHTS_EQUAL = "equal";

  /** {@link #ENSEMBLE_WEIGHTS}: chosen on the validation split (a grid of 0.1, best in-scope accuracy). */
  public static final String WEIGHTS_VALIDATION = "val";

  /** Test turns the scoring cost is timed on by default: enough for a steady rate, a few seconds each. */
  public static final int DEFAULT_COST_TURNS = 2000;

  /** Every key: type, default, valid values, documentation. */
  public static final ConfigDef DEFINITION = new ConfigDef()
      .define(DATA, Type.STRING, Clinc150.DEFAULT_PATH.toString(), NotBlank.INSTANCE, Importance.HIGH,
          "CLINC150 data_full.json.")
      .define(OUT, Type.STRING, DEFAULT_OUT.toString(), NotBlank.INSTANCE, Importance.HIGH,
          "Bundle directory to write; an existing bundle there is replaced.")
      .define(TEMPERATURE, Type.DOUBLE, DEFAULT_TEMPERATURE, FiniteNumber.ABOVE_ZERO, Importance.MEDIUM,
          "Distillation temperature on the calibrated logits.")
      .define(EPOCHS, Type.INT, 20, Range.atLeast(1), Importance.MEDIUM, "Passes over the training set.")
      .define(BATCH_SIZE, Type.INT, 64, Range.atLeast(1), Importance.LOW,
          "Examples per Adam step when fitting the head.")
      .define(LEARNING_RATE, Type.DOUBLE, 0.01, FiniteNumber.ABOVE_ZERO, Importance.MEDIUM, "Adam step size.")
      .define(L2, Type.DOUBLE, 1e-6, FiniteNumber.AT_LEAST_ZERO, Importance.LOW, "L2 penalty on the head's weights.")
      .define(OOS_WEIGHT, Type.DOUBLE, 10.0, FiniteNumber.ABOVE_ZERO, Importance.MEDIUM,
          "Loss weight of out-of-scope examples (in-scope ones weigh 1); raises oos recall.")
      .define(SEED, Type.LONG, 42L, Importance.LOW, "Seed of the example shuffling.")
      .define(THREADS, Type.INT, 0, Range.atLeast(0), Importance.LOW,
          "ONNX Runtime intra-op threads; 0: one per available processor.")
      .define(EMBED_BATCH_SIZE, Type.INT, 32, Range.between(1, 1024), Importance.LOW, "Texts per encoder call.")
      .define(ENCODERS, Type.LIST, EncoderId.ALL_MINILM_L6_V2.shortName(), KnownEncoders.INSTANCE, Importance.HIGH,
          "Encoders to fit a head on, comma-separated: one gives a single teacher, several an ensemble teacher "
              + "(their calibrated log-probabilities averaged). Known: " + EncoderId.shortNames() + ".")
      .define(ENSEMBLE_WEIGHTS, Type.STRING, WEIGHTS_EQUAL, NotBlank.INSTANCE, Importance.LOW,
          "Ensemble only: '" + WEIGHTS_EQUAL + "'; '" + WEIGHTS_VALIDATION + "' (the 0.1-grid weights with the best "
              + "validation in-scope accuracy, never the test split); or one weight >= 0 per encoder, "
              + "comma-separated (scaled to sum to 1).")
      .define(COST_TURNS, Type.INT, DEFAULT_COST_TURNS, Range.atLeast(0), Importance.LOW,
          "Test turns to time each teacher's scoring on (turns per second, batches of embed-batch-size); 0: skip.")
      .define(TRAIN_SHARE, Type.DOUBLE, 1.0, Range.between(1e-6, 1.0), Importance.LOW,
          "The part of the training split the heads are fitted on: the turns whose text hash falls below this "
              + "share (the same turns on every run); 1: all. With 0.5, `bench teachers --bench.teachers.stream-from "
              + "0.5` streams the other turns, which no head saw.");

  /**
   * Defaults, {@code --config FILE}, {@code STREAMDISTILL_FIT_*} variables, flags, as every
   * command; the flags {@code fit} had before (--data, --out, --epochs, ...) are the short aliases.
   */
  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL", Map.ofEntries(
      Map.entry("data", DATA), Map.entry("out", OUT), Map.entry("temperature", TEMPERATURE),
      Map.entry("epochs", EPOCHS), Map.entry("batch-size", BATCH_SIZE), Map.entry("learning-rate", LEARNING_RATE),
      Map.entry("l2", L2), Map.entry("oos-weight", OOS_WEIGHT), Map.entry("seed", SEED), Map.entry("threads", THREADS),
      Map.entry("embed-batch-size", EMBED_BATCH_SIZE), Map.entry("encoders", ENCODERS),
      Map.entry("ensemble-weights", ENSEMBLE_WEIGHTS), Map.entry("cost-turns", COST_TURNS),
      Map.entry("train-share", TRAIN_SHARE)));

  /** The settings when nothing is given. */
  public static FitOptions defaults() {
    return from(DEFINITION.parse(Map.of()));
  }

  /** Parses flags (and {@code --config FILE}) over the defaults, without the environment. */
  public static FitOptions parse(List<String> args) throws UsageException {
    return parse(args, Map.of());
  }

  /**
   * Parses the settings: defaults, then {@code --config FILE}, then {@code STREAMDISTILL_FIT_*}
   * environment variables, then flags.
   *
   * @throws UsageException naming the key and the value when a setting is unknown, lacks a value
   *     or has an invalid one
   */
  public static FitOptions parse(List<String> args, Map<String, String> env) throws UsageException {
    Map<String, Object> v;
    try {
      v = LOADER.load(args, env);
    } catch (ConfigException e) {
      throw new UsageException(e.getMessage());
    }
    try {
      return from(v);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static FitOptions from(Map<String, Object> v) {
    int threads = (Integer) v.get(THREADS);
    return new FitOptions(path(DATA, (String) v.get(DATA)), path(OUT, (String) v.get(OUT)),
        (Double) v.get(TEMPERATURE), (Integer) v.get(EPOCHS), (Integer) v.get(BATCH_SIZE),
        (Double) v.get(LEARNING_RATE), (Double) v.get(L2), (Double) v.get(OOS_WEIGHT), (Long) v.get(SEED),
        threads == 0 ? Runtime.getRuntime().availableProcessors() : threads, (Integer) v.get(EMBED_BATCH_SIZE),
        encoders((List<?>) v.get(ENCODERS)), ((String) v.get(ENSEMBLE_WEIGHTS)).trim(), (Integer) v.get(COST_TURNS),
        (Double) v.get(TRAIN_SHARE));
  }

  private static List<EncoderId> encoders(List<?> names) {
    List<EncoderId> encoders = new ArrayList<>();
    for (Object name : names) {
      encoders.add(EncoderId.fromShortName(name.toString().trim()));
    }
    return encoders;
  }

  /** True if these settings fit an ensemble (more than one encoder). */
  public boolean ensemble() {
    return encoders.size() > 1;
  }

  /**
   * The ensemble's member weights, one per encoder, as given (not yet scaled to sum to 1), or
   * null if they are to be chosen on the validation split.
   */
  public double[] memberWeights() {
    return memberWeights(ensembleWeights, encoders.size());
  }

  private static double[] memberWeights(String spec, int members) {
    if (spec.trim().equals(WEIGHTS_VALIDATION)) {
      return null;
    }
    if (spec.trim().equals(WEIGHTS_EQUAL)) {
      double[] equal = new double[members];
      Arrays.fill(equal, 1.0);
      return equal;
    }
    String[] parts = spec.split(",");
    if (parts.length != members) {
      throw new IllegalArgumentException(ENSEMBLE_WEIGHTS + " must be '" + WEIGHTS_EQUAL + "', '" + WEIGHTS_VALIDATION
          + "' or " + members
          + " comma-separated weights (one per encoder), got '" + spec + "'");
    }
    double[] weights = new double[members];
    double sum = 0;
    for (int i = 0; i < members; i++) {
      try {
        weights[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(ENSEMBLE_WEIGHTS + " holds '" + parts[i].trim() + "', not a number");
      }
      if (!(weights[i] >= 0) || Double.isInfinite(weights[i])) {
        throw new IllegalArgumentException(ENSEMBLE_WEIGHTS + " must be >= 0 and finite, got " + parts[i].trim());
      }
      sum += weights[i];
    }
    if (!(sum > 0)) {
      throw new IllegalArgumentException(ENSEMBLE_WEIGHTS + " must not all be 0, got '" + spec + "'");
    }
    return weights;
  }

  /** True if the arguments ask for help rather than a fit. */
  public static boolean wantsHelp(List<String> args) {
    return args.contains("--help") || args.contains("-h");
  }

  /** Every setting with its type, default, valid values and documentation. */
  public static String usage() {
    return "Usage: fit [--config FILE] [--key value ...]\n"
        + "Embeds the CLINC150 training split with MiniLM-L6 (or each encoder of --encoders), fits the\n"
        + "softmax head, calibrates it, evaluates it on the test split, times its scoring and writes a\n"
        + "teacher bundle; with several encoders, an ensemble bundle that averages their calibrated\n"
        + "log-probabilities, and a table of each member's and the ensemble's accuracy and turns/s.\n\n"
        + "Settings (from --config FILE, then STREAMDISTILL_<KEY> variables, then flags):\n"
        + LOADER.help() + System.lineSeparator()
        + "  --help\n      Print this and exit." + System.lineSeparator();
  }

  /** The head-training part of these settings. */
  public HeadTrainer.Settings trainerSettings() {
    return trainerSettings(epochs, batchSize, learningRate, l2, seed);
  }

  /** The settings that shape the fitted head, as recorded in the bundle. */
  public Map<String, String> describeFit() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("epochs", Integer.toString(epochs));
    settings.put("batch_size", Integer.toString(batchSize));
    settings.put("learning_rate", Double.toString(learningRate));
    settings.put("l2", Double.toString(l2));
    settings.put("oos_weight", Double.toString(oosWeight));
    settings.put("seed", Long.toString(seed));
    settings.put("optimizer", "adam");
    settings.put("calibration", "temperature scaling on val + oos_val");
    settings.put("embed_batch_size", Integer.toString(embedBatchSize));
    settings.put("threads", Integer.toString(threads));
    if (trainShare < 1) {
      settings.put("train_share", Double.toString(trainShare));
    }
    return settings;
  }

  private static Path path(String key, String value) {
    try {
      return Path.of(value.trim());
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(key + " must be a path, got '" + value + "': " + e.getReason());
    }
  }

  /** Every name in the list is an {@link EncoderId#shortName()}. */
  private enum KnownEncoders implements ConfigDef.Validator {
    INSTANCE;

    @Override
    public void ensureValid(String name, Object value) {
      List<?> names = (List<?>) value;
      if (names == null || names.isEmpty()) {
        throw new ConfigException(name, value, "must name at least one encoder: " + EncoderId.shortNames());
      }
      for (Object encoder : names) {
        try {
          EncoderId.fromShortName(encoder.toString().trim());
        } catch (IllegalArgumentException e) {
          throw new ConfigException(name, value, e.getMessage());
        }
      }
    }

    @Override
    public String toString() {
      return EncoderId.shortNames();
    }
  }

  /** A finite number above (or at least) a bound, with words for --help. */
  private enum FiniteNumber implements ConfigDef.Validator {
    ABOVE_ZERO("a number > 0"),
    AT_LEAST_ZERO("a number >= 0");

    private final String words;

    FiniteNumber(String words) {
      this.words = words;
    }

    @Override
    public void ensureValid(String name, Object value) {
      double v = ((Number) value).doubleValue();
      boolean valid = Double.isFinite(v) && (this == ABOVE_ZERO ? v > 0 : v >= 0);
      if (!valid) {
        throw new ConfigException(name, value, "must be " + words);
      }
    }

    @Override
    public String toString() {
      return words;
    }
  }
}
