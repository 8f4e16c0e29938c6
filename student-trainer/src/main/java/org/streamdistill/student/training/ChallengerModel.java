package org.streamdistill.student.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.student.checkpoint.CorruptCheckpointException;
import org.streamdistill.student.checkpoint.ModelState;
import org.streamdistill.student.loss.DistillationLoss;
import org.streamdistill.student.model.TeacherEmbeddings;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;
import org.streamdistill.student.optim.Adam;

/**
 * The learning student (role "challenger"): its weights, optimizer state, label set and label
 * names, and the count of turns it has learned. Shaped by the first soft label it admits unless
 * a checkpoint restored it; refuses soft labels that do not fit it; takes one optimizer step per
 * batch. No Kafka, no files. Public so that {@code bin/streamdistill bench selection} learns
 * exactly as the trainer does.
 */
public final class ChallengerModel {

  private static final Logger LOG = LoggerFactory.getLogger(ChallengerModel.class);
  /** Checkpoint section of the learning weights when the file's model is their average. */
  static final String LEARNING_WEIGHTS = "learning-weights";

  private final TrainerConfig config;
  private final DistillationLoss loss;
  private TextCnn model;
  /** The exponential moving average of {@link #model}'s weights, when averaging is on: what predicts and is saved as the version. */
  private TextCnn averaged;
  private Adam optimizer;
  private String labelSetId;
  private String[] labelNames;
  private long samplesSeen;
  private ReplayMemory memory;

  public ChallengerModel(TrainerConfig config) {
    this.config = config;
    this.loss = new DistillationLoss(config.alpha());
    this.memory = emptyMemory();
  }

  private ReplayMemory emptyMemory() {
    // Its own seed, derived from the model's, so that replay draws do not depend on the weights' draws.
    return new ReplayMemory(config.replayCapacity(), config.seed() * 0x9E3779B97F4A7C15L + 1);
  }

  /** Whether the model exists yet (restored, or shaped by a first soft label). */
  public boolean shaped() {
    return model != null;
  }

  /**
   * Checks {@code label} against the model (shaping a new model from it first if there is none)
   * and learns its label names.
   *
   * @throws InvalidSoftLabelException when the student must not learn from it
   */
  public void admit(SoftLabel label) {
    SoftLabelValidator.requireFullLogits(label);
    ensureShaped(label);
    SoftLabelValidator.validate(label, labelSetId, model.config().numClasses(), model.config().vocabSize());
    if (label.getTeacherScored()) {
      labelNames[label.getTeacherIndex()] = label.getTeacherLabel();
    }
    if (label.getGoldIndex() != null && label.getGoldLabel() != null) {
      labelNames[label.getGoldIndex()] = label.getGoldLabel();
    }
  }

  private void ensureShaped(SoftLabel label) {
    if (model != null) {
      return;
    }
    // A gold-only record (no teacher logits) says the label set's size in label_count.
    int classes = label.getTeacherScored() ? label.getLogits().size() : label.getLabelCount();
    if (classes < 2) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " has " + classes
          + (label.getTeacherScored() ? " logits" : " as label_count (a gold-only record, without logits)")
          + "; a label set needs at least 2");
    }
    TextCnnConfig shape = shape(classes);
    model = new TextCnn(shape);
    if (config.embeddingsFromTeacher()) {
      TeacherEmbeddings.initialiseFromTeacher(model);
    }
    averaged = config.weightAverageDecay() > 0 ? model.copy() : null;
    optimizer = new Adam(Adam.Settings.defaults().withLearningRate(config.learningRate()))
        .useSchedule(config.learningRateSchedule());
    labelSetId = label.getLabelSetId();
    labelNames = new String[classes];
    LOG.info("student initialised for label set {} ({} labels): {}", labelSetId, classes, shape);
  }

  private TextCnnConfig shape(int classes) {
    TextCnnConfig defaults = TextCnnConfig.defaults(classes);
    return new TextCnnConfig(defaults.vocabSize(), config.embeddingDim(), config.filterWidths(),
        config.filtersPerWidth(), config.maxTokens(), classes, defaults.dropout(), defaults.stripSpecialTokens(),
        config.seed());
  }

  /**
   * One optimizer step on {@code batch} (admitted labels, in stream order), then {@code
   * trainer.replay.batches} steps on batches of the same size drawn from the replay memory, which
   * holds this batch by then; returns the new batch's mean loss. A gold-only label (teacher_scored
   * false) adds only its gold term, alpha * CE, when learned and when replayed.
   */
  public double learn(List<SoftLabel> batch) {
    if (batch.isEmpty()) {
      return Double.NaN;
    }
    List<ReplayMemory.Entry> entries = new ArrayList<>(batch.size());
    for (SoftLabel label : batch) {
      Integer gold = label.getGoldIndex();
      entries.add(new ReplayMemory.Entry(tokens(label), label.getTeacherScored() ? floats(label.getLogits()) : null,
          label.getTemperature(), gold == null ? DistillationLoss.NO_GOLD : gold));
    }
    double mean = step(entries);
    samplesSeen += batch.size();
    if (config.replayBatches() > 0) {
      entries.forEach(memory::add);
      for (int r = 0; r < config.replayBatches(); r++) {
        step(memory.sample(batch.size()));
      }
    }
    return mean;
  }

  private double step(List<ReplayMemory.Entry> entries) {
    double mean = optimizerStep(entries);
    if (averaged != null) {
      average(averaged, model, (float) config.weightAverageDecay());
    }
    return mean;
  }

  /**
   * {@code averaged += (1 - decay) * (weights - averaged)}, every parameter, after every step
   * (Polyak averaging). Measured on CLINC150 with replay, one pass: decay 0.995 lifted the
   * student's in-scope test accuracy by about 0.003 (BENCHMARKS.md). Its cost, one pass over every
   * weight per step, was not measured apart from the training step. Public for the offline
   * experiments, which average exactly as the trainer does.
   */
  public static void average(TextCnn averaged, TextCnn model, float decay) {
    float rate = 1 - decay;
    List<org.streamdistill.student.optim.Parameter> target = averaged.parameters();
    List<org.streamdistill.student.optim.Parameter> source = model.parameters();
    for (int p = 0; p < target.size(); p++) {
      float[] a = target.get(p).values();
      float[] w = source.get(p).values();
      for (int j = 0; j < a.length; j++) {
        a[j] += rate * (w[j] - a[j]);
      }
      target.get(p).markModified();
    }
  }

  private double optimizerStep(List<ReplayMemory.Entry> entries) {
    List<int[]> tokens = new ArrayList<>(entries.size());
    List<float[]> logits = new ArrayList<>(entries.size());
    List<Integer> gold = new ArrayList<>(entries.size());
    float[] temperatures = new float[entries.size()];
    boolean oneTemperature = true;
    for (int i = 0; i < entries.size(); i++) {
      ReplayMemory.Entry e = entries.get(i);
      tokens.add(e.tokens());
      // null: a gold-only turn, learned from its gold label alone (DistillationLoss).
      logits.add(e.logits());
      gold.add(e.gold() == DistillationLoss.NO_GOLD ? null : e.gold());
      temperatures[i] = e.temperature();
      oneTemperature &= temperatures[i] == temperatures[0];
    }
    return oneTemperature
        ? model.trainBatch(tokens, logits, temperatures[0], gold, loss, optimizer)
        : model.trainBatch(tokens, logits, temperatures, gold, loss, optimizer);
  }

  /**
   * What a checkpoint saves beside the served model and the optimizer: the replay memory and,
   * when averaging, the learning weights (the file's model is then the average).
   */
  Map<String, byte[]> sections() {
    Map<String, byte[]> sections = new LinkedHashMap<>();
    sections.put(ReplayMemory.SECTION, memory.toBytes());
    if (averaged != null) {
      try {
        sections.put(LEARNING_WEIGHTS, ModelState.capture(model, null, Map.of()).toBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return sections;
  }

  /** Turns the replay memory holds. */
  int remembered() {
    return memory.size();
  }

  /** Takes the state a checkpoint saved. */
  void restore(CheckpointStore.Loaded loaded) {
    byte[] learning = loaded.sections().get(LEARNING_WEIGHTS);
    if (learning != null) {
      try {
        model = ModelState.fromBytes(learning).model();
      } catch (CorruptCheckpointException e) {
        throw new IllegalStateException("checkpoint " + loaded.version() + ": its learning weights: " + e.getMessage(), e);
      }
    } else {
      model = loaded.model();
    }
    // Averaging switched on for a checkpoint saved without it starts the average at the weights.
    averaged = config.weightAverageDecay() <= 0 ? null : learning != null ? loaded.model() : model.copy();
    optimizer = loaded.optimizer(Adam.Settings.defaults().withLearningRate(config.learningRate()))
        .useSchedule(config.learningRateSchedule());
    labelSetId = loaded.labelSetId();
    labelNames = loaded.labelNames();
    samplesSeen = loaded.samplesSeen();
    // A checkpoint written before replay existed, or by a trainer without it, has no memory.
    byte[] replay = loaded.sections().get(ReplayMemory.SECTION);
    memory = replay == null ? emptyMemory() : ReplayMemory.fromBytes(replay, config.replayCapacity());
  }

  /** Back to no model: the next admitted label shapes the initial weights again (they are seeded). */
  void reset() {
    model = null;
    averaged = null;
    optimizer = null;
    labelSetId = null;
    labelNames = null;
    samplesSeen = 0;
    memory = emptyMemory();
  }

  /** The model that predicts, is checkpointed as the version and exported: the average when averaging, else the learning weights. */
  public TextCnn model() {
    return averaged != null ? averaged : model;
  }

  /** The weights the optimizer updates. */
  TextCnn learning() {
    return model;
  }

  Adam optimizer() {
    return optimizer;
  }

  String labelSetId() {
    return labelSetId;
  }

  /** Label names learned so far, by index (null where none was seen); the live array. */
  String[] labelNames() {
    return labelNames;
  }

  long samplesSeen() {
    return samplesSeen;
  }

  static int[] tokens(SoftLabel label) {
    List<Integer> ids = label.getTokenIds();
    int[] out = new int[ids.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ids.get(i);
    }
    return out;
  }

  static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
