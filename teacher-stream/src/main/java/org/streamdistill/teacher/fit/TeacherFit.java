package org.streamdistill.teacher.fit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.dataset.Clinc150.Example;
import org.streamdistill.teacher.model.FitReport;
import org.streamdistill.teacher.model.HeadTrainer;
import org.streamdistill.teacher.model.MiniLmEncoder;
import org.streamdistill.teacher.model.SoftmaxHead;
import org.streamdistill.teacher.model.TeacherBundle;

/**
 * Fits a teacher: embeds labelled utterances with a (frozen) {@link MiniLmEncoder}, trains a
 * {@link SoftmaxHead} on the training embeddings, divides out the temperature that calibrates
 * it on a held-out split, and measures it on the test split. The result is a
 * {@link TeacherBundle} ready to save. {@link FitCommand} is the command-line front end; tests
 * call this class with subsets.
 */
public final class TeacherFit {

  /**
   * The data of a fit.
   *
   * @param train examples the head is trained on
   * @param calibration held-out examples the logit scale is calibrated on (may be empty: then
   *     the head is stored as trained)
   * @param test examples the reported metrics are measured on
   * @param labels the label set, in head order; every example's label must be in it
   */
  public record Splits(List<Example> train, List<Example> calibration, List<Example> test, List<String> labels) {

    public Splits {
      train = List.copyOf(train);
      calibration = List.copyOf(calibration);
      test = List.copyOf(test);
      labels = List.copyOf(labels);
    }

    /** CLINC150's splits: train + oos_train, val + oos_val, test + oos_test, 151 labels. */
    public static Splits of(Clinc150 data) {
      return of(data, 1);
    }

    /**
     * CLINC150's splits with only the part {@code [0, trainShare)} of the training split (by text
     * hash, {@link Clinc150#trainWithOos(double, double)}); every label is kept.
     */
    public static Splits of(Clinc150 data, double trainShare) {
      List<Example> calibration = new ArrayList<>(data.split("val"));
      calibration.addAll(data.split("oos_val"));
      return new Splits(trainShare < 1 ? data.trainWithOos(0, trainShare) : data.trainWithOos(), calibration,
          data.testWithOos(), data.labels());
    }
  }

  /**
   * What a fit produced.
   *
   * @param bundle the teacher, not yet saved
   * @param test the teacher on the test split, at the bundle's temperature
   * @param sentencesPerSecond the encoder's throughput over all embedded texts
   * @param calibrationLogits the stored (calibrated) head's logits on the calibration split, in
   *     split order: what an ensemble is calibrated and weighed on
   * @param testLogits the same on the test split
   * @param validation the teacher on the calibration (validation) split, null if that is empty
   */
  public record Result(TeacherBundle bundle, Evaluation test, double sentencesPerSecond,
      float[][] calibrationLogits, float[][] testLogits, Evaluation validation) {}

  private static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(5);

  private final MiniLmEncoder encoder;
  private final FitOptions options;
  private final Consumer<String> status;
  private final LongSupplier nanoTime;
  private final long progressIntervalNanos;

  /**
   * @param status receives one-line progress reports (every few seconds while embedding, once
   *     per epoch while training)
   */
  public TeacherFit(MiniLmEncoder encoder, FitOptions options, Consumer<String> status) {
    this(encoder, options, status, System::nanoTime, DEFAULT_PROGRESS_INTERVAL);
  }

  TeacherFit(MiniLmEncoder encoder, FitOptions options, Consumer<String> status, LongSupplier nanoTime,
      Duration progressInterval) {
    this.encoder = encoder;
    this.options = options;
    this.status = status;
    this.nanoTime = nanoTime;
    this.progressIntervalNanos = progressInterval.toNanos();
  }

  /** Runs the fit; {@code createdAt} is recorded in the bundle. */
  public Result fit(Splits splits, Instant createdAt) {
    Map<String, Integer> labelIndex = new HashMap<>();
    for (int i = 0; i < splits.labels().size(); i++) {
      labelIndex.put(splits.labels().get(i), i);
    }
    int oosIndex = labelIndex.getOrDefault(Clinc150.OUT_OF_SCOPE, -1);
    int[] yTrain = indices(splits.train(), labelIndex, "train");
    int[] yCalibration = indices(splits.calibration(), labelIndex, "calibration");
    int[] yTest = indices(splits.test(), labelIndex, "test");

    long embedStart = nanoTime.getAsLong();
    float[][] xTrain = embed("embedding train", splits.train());
    float[][] xCalibration = embed("embedding calibration", splits.calibration());
    float[][] xTest = embed("embedding test", splits.test());
    int embedded = xTrain.length + xCalibration.length + xTest.length;
    double sentencesPerSecond = embedded / Math.max(1e-9, (nanoTime.getAsLong() - embedStart) / 1e9);

    int classes = splits.labels().size();
    float[] classWeights = new float[classes];
    Arrays.fill(classWeights, 1f);
    if (oosIndex >= 0) {
      classWeights[oosIndex] = (float) options.oosWeight();
    }
    HeadTrainer trainer = new HeadTrainer(options.trainerSettings());
    status.accept(String.format(Locale.ROOT, "fitting head: %d labels, %,d examples, %d epochs",
        classes, xTrain.length, options.epochs()));
    long fitStart = nanoTime.getAsLong();
    SoftmaxHead trained = trainer.fit(xTrain, yTrain, classes, classWeights, (epoch, loss) ->
        status.accept(String.format(Locale.ROOT, "epoch %d/%d: mean loss %.4f (%.1f s)",
            epoch, options.epochs(), loss, (nanoTime.getAsLong() - fitStart) / 1e9)));

    double calibrationTemperature = 1.0;
    if (xCalibration.length > 0) {
      float[][] logits = new float[xCalibration.length][];
      for (int i = 0; i < logits.length; i++) {
        logits[i] = trained.logits(xCalibration[i]);
      }
      calibrationTemperature = TemperatureScaling.fit(logits, yCalibration);
      status.accept(String.format(Locale.ROOT,
          "calibration temperature %.3f (validation NLL %.4f -> %.4f nats)", calibrationTemperature,
          TemperatureScaling.negativeLogLikelihood(logits, yCalibration, 1.0),
          TemperatureScaling.negativeLogLikelihood(logits, yCalibration, calibrationTemperature)));
    }
    SoftmaxHead calibrated = trained.scaled(1.0 / calibrationTemperature);

    Evaluation test = Evaluation.of(calibrated, xTest, yTest, oosIndex, options.temperature());
    FitReport report = new FitReport(xTrain.length, xCalibration.length, xTest.length,
        test.inScopeAccuracy(), test.oosRecall(), test.meanEntropyNats(), test.meanTopProbability(),
        calibrationTemperature, options.describeFit());
    TeacherBundle bundle = TeacherBundle.create(encoder.id(), options.temperature(), splits.labels(),
        calibrated, report, createdAt);
    Evaluation validation = xCalibration.length == 0 ? null
        : Evaluation.of(calibrated, xCalibration, yCalibration, oosIndex, options.temperature());
    return new Result(bundle, test, sentencesPerSecond, logits(calibrated, xCalibration), logits(calibrated, xTest),
        validation);
  }

  private static float[][] logits(SoftmaxHead head, float[][] x) {
    float[][] logits = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      logits[i] = head.logits(x[i]);
    }
    return logits;
  }

  static int[] indices(List<Example> examples, Map<String, Integer> labelIndex, String split) {
    int[] y = new int[examples.size()];
    for (int i = 0; i < y.length; i++) {
      Integer index = labelIndex.get(examples.get(i).label());
      if (index == null) {
        throw new IllegalArgumentException(split + " example " + i + " has label '"
            + examples.get(i).label() + "', which is not in the label set");
      }
      y[i] = index;
    }
    return y;
  }

  /**
   * Embeds texts in batches of similar length (sorted by token count), which spends far less
   * time on padding than batching in corpus order; results come back in input order.
   */
  private float[][] embed(String what, List<Example> examples) {
    float[][] embeddings = new float[examples.size()][];
    if (examples.isEmpty()) {
      return embeddings;
    }
    List<String> texts = new ArrayList<>(examples.size());
    examples.forEach(e -> texts.add(e.text()));
    List<MiniLmEncoder.Tokenized> tokenized = encoder.tokenize(texts);
    Integer[] order = new Integer[texts.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingInt(i -> tokenized.get(i).length()));
    // Work = padded tokens; attention cost grows faster than that, so the ETA errs low.
    long totalWork = 0;
    int batchSize = options.embedBatchSize();
    for (int start = 0; start < order.length; start += batchSize) {
      int end = Math.min(order.length, start + batchSize);
      totalWork += (long) (end - start) * tokenized.get(order[end - 1]).length();
    }
    ProgressMeter meter = new ProgressMeter(what, "sentences", texts.size(), totalWork, status, nanoTime,
        progressIntervalNanos);
    for (int start = 0; start < order.length; start += batchSize) {
      int end = Math.min(order.length, start + batchSize);
      List<int[]> ids = new ArrayList<>(end - start);
      for (int k = start; k < end; k++) {
        ids.add(tokenized.get(order[k]).ids());
      }
      float[][] batch = encoder.embed(ids);
      for (int k = start; k < end; k++) {
        embeddings[order[k]] = batch[k - start];
      }
      meter.advance(end - start, (long) (end - start) * ids.get(ids.size() - 1).length);
    }
    meter.finish();
    return embeddings;
  }
}
