package org.streamdistill.teacher.fit;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.schemas.config.NotBlank;
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
    int embedBatchSize) {

  public FitOptions {
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
      .define(EMBED_BATCH_SIZE, Type.INT, 32, Range.between(1, 1024), Importance.LOW, "Texts per encoder call.");

  /**
   * Defaults, {@code --config FILE}, {@code STREAMDISTILL_FIT_*} variables, flags, as every
   * command; the flags {@code fit} had before (--data, --out, --epochs, ...) are the short aliases.
   */
  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL", Map.ofEntries(
      Map.entry("data", DATA), Map.entry("out", OUT), Map.entry("temperature", TEMPERATURE),
      Map.entry("epochs", EPOCHS), Map.entry("batch-size", BATCH_SIZE), Map.entry("learning-rate", LEARNING_RATE),
      Map.entry("l2", L2), Map.entry("oos-weight", OOS_WEIGHT), Map.entry("seed", SEED), Map.entry("threads", THREADS),
      Map.entry("embed-batch-size", EMBED_BATCH_SIZE)));

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
        threads == 0 ? Runtime.getRuntime().availableProcessors() : threads, (Integer) v.get(EMBED_BATCH_SIZE));
  }

  /** True if the arguments ask for help rather than a fit. */
  public static boolean wantsHelp(List<String> args) {
    return args.contains("--help") || args.contains("-h");
  }

  /** Every setting with its type, default, valid values and documentation. */
  public static String usage() {
    return "Usage: fit [--config FILE] [--key value ...]\n"
        + "Embeds the CLINC150 training split with MiniLM-L6, fits the softmax head, calibrates it,\n"
        + "evaluates it on the test split and writes a teacher bundle.\n\n"
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
    return settings;
  }

  private static Path path(String key, String value) {
    try {
      return Path.of(value.trim());
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(key + " must be a path, got '" + value + "': " + e.getReason());
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
