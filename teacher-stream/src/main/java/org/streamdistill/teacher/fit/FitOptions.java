package org.streamdistill.teacher.fit;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.teacher.model.HeadTrainer;

/**
 * The settings of {@code fit}, one flag each. The defaults are the ones the shipped teacher was
 * fitted with; {@link #usage()} lists them with their documentation.
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

  private record Flag(String name, String value, String doc, Setter setter) {}

  @FunctionalInterface
  private interface Setter {
    void set(Builder builder, String flag, String value) throws UsageException;
  }

  private static final List<Flag> FLAGS = List.of(
      new Flag("--data", "PATH", "CLINC150 data_full.json (default " + Clinc150.DEFAULT_PATH + ")",
          (b, f, v) -> b.data = path(f, v)),
      new Flag("--out", "DIR", "bundle directory to write; an existing bundle there is replaced (default "
          + DEFAULT_OUT + ")",
          (b, f, v) -> b.out = path(f, v)),
      new Flag("--temperature", "T", "distillation temperature on the calibrated logits, > 0 (default "
          + DEFAULT_TEMPERATURE + ")",
          (b, f, v) -> b.temperature = positiveDouble(f, v)),
      new Flag("--epochs", "N", "passes over the training set, >= 1 (default 20)",
          (b, f, v) -> b.epochs = positiveInt(f, v)),
      new Flag("--batch-size", "N", "examples per Adam step when fitting the head, >= 1 (default 64)",
          (b, f, v) -> b.batchSize = positiveInt(f, v)),
      new Flag("--learning-rate", "LR", "Adam step size, > 0 (default 0.01)",
          (b, f, v) -> b.learningRate = positiveDouble(f, v)),
      new Flag("--l2", "L", "L2 penalty on the head's weights, >= 0 (default 1e-6)",
          (b, f, v) -> b.l2 = nonNegativeDouble(f, v)),
      new Flag("--oos-weight", "W", "loss weight of out-of-scope examples, > 0; raises oos recall (default 10)",
          (b, f, v) -> b.oosWeight = positiveDouble(f, v)),
      new Flag("--seed", "S", "seed of the example shuffling, an integer (default 42)",
          (b, f, v) -> b.seed = anyLong(f, v)),
      new Flag("--threads", "N", "ONNX Runtime intra-op threads, >= 1 (default: available processors)",
          (b, f, v) -> b.threads = positiveInt(f, v)),
      new Flag("--embed-batch-size", "N", "texts per encoder call, 1-1024 (default 32)",
          (b, f, v) -> b.embedBatchSize = boundedInt(f, v, 1, 1024)));

  /** The settings when no flag is given. */
  public static FitOptions defaults() {
    return new Builder().build();
  }

  /**
   * Parses {@code --flag value} and {@code --flag=value} arguments over the defaults.
   *
   * @throws UsageException naming the flag and value when a flag is unknown, lacks a value or
   *     has an invalid one
   */
  public static FitOptions parse(List<String> args) throws UsageException {
    Map<String, Flag> byName = new LinkedHashMap<>();
    FLAGS.forEach(flag -> byName.put(flag.name(), flag));
    Builder builder = new Builder();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String name = arg;
      String value = null;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        name = arg.substring(0, equals);
        value = arg.substring(equals + 1);
      }
      Flag flag = byName.get(name);
      if (flag == null) {
        throw new UsageException("unknown argument '" + arg + "'; flags are " + String.join(", ", byName.keySet()));
      }
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new UsageException(name + " needs a value (" + flag.value() + ")");
        }
        value = args.get(++i);
      }
      flag.setter().set(builder, name, value);
    }
    return builder.build();
  }

  /** True if the arguments ask for help rather than a fit. */
  public static boolean wantsHelp(List<String> args) {
    return args.contains("--help") || args.contains("-h");
  }

  /** One line per flag, with its documentation. */
  public static String usage() {
    StringBuilder usage = new StringBuilder("Usage: fit [flags]\n"
        + "Embeds the CLINC150 training split with MiniLM-L6, fits the softmax head, calibrates it,\n"
        + "evaluates it on the test split and writes a teacher bundle.\n\nFlags:\n");
    for (Flag flag : FLAGS) {
      usage.append(String.format("  %-26s %s%n", flag.name() + " " + flag.value(), flag.doc()));
    }
    usage.append(String.format("  %-26s %s%n", "--help", "print this and exit"));
    return usage.toString();
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

  private static final class Builder {
    Path data = Clinc150.DEFAULT_PATH;
    Path out = DEFAULT_OUT;
    double temperature = DEFAULT_TEMPERATURE;
    int epochs = 20;
    int batchSize = 64;
    double learningRate = 0.01;
    double l2 = 1e-6;
    double oosWeight = 10;
    long seed = 42;
    int threads = Runtime.getRuntime().availableProcessors();
    int embedBatchSize = 32;

    FitOptions build() {
      return new FitOptions(data, out, temperature, epochs, batchSize, learningRate, l2, oosWeight,
          seed, threads, embedBatchSize);
    }
  }

  private static Path path(String flag, String value) throws UsageException {
    if (value.isBlank()) {
      throw new UsageException(flag + " must be a path, got an empty value");
    }
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new UsageException(flag + " must be a path, got '" + value + "': " + e.getReason());
    }
  }

  private static int positiveInt(String flag, String value) throws UsageException {
    return boundedInt(flag, value, 1, Integer.MAX_VALUE);
  }

  private static int boundedInt(String flag, String value, int min, int max) throws UsageException {
    String expected = max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer in " + min + ".." + max;
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed < min || parsed > max) {
        throw new UsageException(flag + " must be " + expected + ", got " + value);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " must be " + expected + ", got '" + value + "'");
    }
  }

  private static long anyLong(String flag, String value) throws UsageException {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " must be an integer, got '" + value + "'");
    }
  }

  private static double positiveDouble(String flag, String value) throws UsageException {
    double parsed = finiteDouble(flag, value, "a number > 0");
    if (!(parsed > 0)) {
      throw new UsageException(flag + " must be a number > 0, got " + value);
    }
    return parsed;
  }

  private static double nonNegativeDouble(String flag, String value) throws UsageException {
    double parsed = finiteDouble(flag, value, "a number >= 0");
    if (!(parsed >= 0)) {
      throw new UsageException(flag + " must be a number >= 0, got " + value);
    }
    return parsed;
  }

  private static double finiteDouble(String flag, String value, String expected) throws UsageException {
    try {
      double parsed = Double.parseDouble(value.trim());
      if (!Double.isFinite(parsed)) {
        throw new UsageException(flag + " must be " + expected + ", got " + value);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " must be " + expected + ", got '" + value + "'");
    }
  }

  /** All flag names, for tests and help. */
  static List<String> flagNames() {
    List<String> names = new ArrayList<>();
    FLAGS.forEach(flag -> names.add(flag.name()));
    return names;
  }
}
