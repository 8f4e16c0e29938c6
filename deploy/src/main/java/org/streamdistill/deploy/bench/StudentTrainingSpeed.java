package org.streamdistill.deploy.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.streamdistill.deploy.bench.BenchReport.StudentTraining;
import org.streamdistill.student.loss.DistillationLoss;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;
import org.streamdistill.student.optim.Adam;
import org.streamdistill.student.optim.Parameter;
import org.streamdistill.student.training.TrainerConfig;

/**
 * The student's distillation step on one thread, on real inputs: the token ids and logits the
 * teacher produced for the benchmark's turns, gold labels on a share of them, batches of the
 * trainer's size. The model and optimizer are shaped from the trainer's own defaults
 * ({@link TrainerConfig}), as the trainer shapes them.
 */
final class StudentTrainingSpeed {

  /** One training example: what a soft label carries. */
  record Example(int[] tokenIds, float[] logits, Integer goldIndex) {}

  private final TrainerConfig trainer = TrainerConfig.of(Map.of());
  private final TextCnn model;
  private final Adam optimizer;
  private final DistillationLoss loss;

  StudentTrainingSpeed(int classes) {
    model = new TextCnn(shape(trainer, classes));
    optimizer = new Adam(Adam.Settings.defaults().withLearningRate(trainer.learningRate()));
    loss = new DistillationLoss(trainer.alpha());
  }

  /** The student's shape as the trainer builds it from its settings. */
  static TextCnnConfig shape(TrainerConfig trainer, int classes) {
    TextCnnConfig defaults = TextCnnConfig.defaults(classes);
    return new TextCnnConfig(defaults.vocabSize(), trainer.embeddingDim(), trainer.filterWidths(),
        trainer.filtersPerWidth(), trainer.maxTokens(), classes, defaults.dropout(), defaults.stripSpecialTokens(),
        trainer.seed());
  }

  /** The model, trained by the measurement (for the ONNX export of the serving section). */
  TextCnn model() {
    return model;
  }

  /** Parameters of the model. */
  long parameterCount() {
    long n = 0;
    for (Parameter p : model.parameters()) {
      n += p.size();
    }
    return n;
  }

  String describe() {
    TextCnnConfig c = model.config();
    return String.format(Locale.ROOT, "TextCNN: vocabulary %d, embedding %d, widths %s x %d filters, %d tokens, "
            + "%d classes; Adam lr %s, alpha %s; predict-then-learn includes %d replayed batches per new batch",
        c.vocabSize(), c.embeddingDim(), c.filterWidths(), c.filtersPerWidth(), c.maxTokens(), c.numClasses(),
        trainer.learningRate(), trainer.alpha(), trainer.replayBatches());
  }

  /**
   * Trains for at least {@code minSeconds} and at least one pass over {@code examples}, after
   * a warm-up of about a fifth of that, and times it; then times predict-then-learn (the
   * challenger and a frozen champion predict each batch before the step, and the trainer's
   * replayed steps follow it) the same way.
   */
  StudentTraining measure(List<Example> examples, float temperature, double minSeconds, double teacherPerSecond) {
    int batchSize = trainer.batchSize();
    List<List<Example>> batches = new ArrayList<>();
    for (int i = 0; i + batchSize <= examples.size(); i += batchSize) {
      batches.add(examples.subList(i, i + batchSize));
    }
    if (batches.isEmpty()) {
      throw new IllegalArgumentException("need at least one batch of " + batchSize + " examples, got "
          + examples.size());
    }
    train(batches, temperature, minSeconds / 5, null);
    long[] steps = new long[1];
    double seconds = train(batches, temperature, minSeconds, steps);

    TextCnn champion = model.copy();
    long[] predictSteps = new long[1];
    double predictSeconds = trainAndPredict(batches, temperature, minSeconds, predictSteps, champion);

    double updates = steps[0] / seconds;
    double examplesPerSecond = updates * batchSize;
    double predictAndLearn = predictSteps[0] * batchSize / predictSeconds;
    return new StudentTraining(describe(), batchSize, steps[0], seconds, updates, examplesPerSecond, predictAndLearn,
        teacherPerSecond, examplesPerSecond / teacherPerSecond);
  }

  private double train(List<List<Example>> batches, float temperature, double minSeconds, long[] steps) {
    long start = System.nanoTime();
    long limit = (long) (minSeconds * 1e9);
    long done = 0;
    while (done < batches.size() || System.nanoTime() - start < limit) {
      step(batches.get((int) (done % batches.size())), temperature);
      done++;
    }
    if (steps != null) {
      steps[0] = done;
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private double trainAndPredict(List<List<Example>> batches, float temperature, double minSeconds, long[] steps,
                                 TextCnn champion) {
    long start = System.nanoTime();
    long limit = (long) (minSeconds * 1e9);
    long done = 0;
    while (done < batches.size() || System.nanoTime() - start < limit) {
      List<Example> batch = batches.get((int) (done % batches.size()));
      List<int[]> tokens = tokens(batch);
      model.logitsBatch(tokens);
      champion.logitsBatch(tokens);
      step(batch, temperature);
      // As the trainer does after each new batch: its replay steps, on batches it learned before
      // (which ones does not change the cost).
      for (int r = 1; r <= trainer.replayBatches(); r++) {
        step(batches.get((int) ((done + 7L * r) % batches.size())), temperature);
      }
      done++;
    }
    steps[0] = done;
    return (System.nanoTime() - start) / 1e9;
  }

  private void step(List<Example> batch, float temperature) {
    List<float[]> logits = new ArrayList<>(batch.size());
    List<Integer> gold = new ArrayList<>(batch.size());
    for (Example e : batch) {
      logits.add(e.logits());
      gold.add(e.goldIndex());
    }
    model.trainBatch(tokens(batch), logits, temperature, gold, loss, optimizer);
  }

  private static List<int[]> tokens(List<Example> batch) {
    List<int[]> tokens = new ArrayList<>(batch.size());
    for (Example e : batch) {
      tokens.add(e.tokenIds());
    }
    return tokens;
  }
}
