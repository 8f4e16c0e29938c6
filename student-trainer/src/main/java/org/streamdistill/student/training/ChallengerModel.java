package org.streamdistill.student.training;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.student.loss.DistillationLoss;
import org.streamdistill.student.model.TeacherEmbeddings;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;
import org.streamdistill.student.optim.Adam;

/**
 * The learning student (role "challenger"): its weights, optimizer state, label set and label
 * names, and the count of turns it has learned. Shaped by the first soft label it admits unless
 * a checkpoint restored it; refuses soft labels that do not fit it; takes one optimizer step per
 * batch. No Kafka, no files.
 */
final class ChallengerModel {

  private static final Logger LOG = LoggerFactory.getLogger(ChallengerModel.class);

  private final TrainerConfig config;
  private final DistillationLoss loss;
  private TextCnn model;
  private Adam optimizer;
  private String labelSetId;
  private String[] labelNames;
  private long samplesSeen;

  ChallengerModel(TrainerConfig config) {
    this.config = config;
    this.loss = new DistillationLoss(config.alpha());
  }

  /** Whether the model exists yet (restored, or shaped by a first soft label). */
  boolean shaped() {
    return model != null;
  }

  /**
   * Checks {@code label} against the model (shaping a new model from it first if there is none)
   * and learns its label names.
   *
   * @throws InvalidSoftLabelException when the student must not learn from it
   */
  void admit(SoftLabel label) {
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
    optimizer = new Adam(Adam.Settings.defaults().withLearningRate(config.learningRate()))
        .useSchedule(config.learningRateSchedule());
    labelSetId = label.getLabelSetId();
    labelNames = new String[classes];
    LOG.info("student initialised for label set {} ({} labels): {}", labelSetId, classes, shape);
  }

  private TextCnnConfig shape(int classes) {
    TextCnnConfig defaults = TextCnnConfig.defaults(classes);
    return new TextCnnConfig(defaults.vocabSize(), config.embeddingDim(), defaults.filterWidths(),
        config.filtersPerWidth(), config.maxTokens(), classes, defaults.dropout(), defaults.stripSpecialTokens(),
        config.seed());
  }

  /**
   * One optimizer step on {@code batch} (admitted labels, in stream order); returns the batch's
   * mean loss. A gold-only label (teacher_scored false) adds only its gold term, alpha * CE.
   */
  double learn(List<SoftLabel> batch) {
    if (batch.isEmpty()) {
      return Double.NaN;
    }
    List<int[]> tokens = new ArrayList<>(batch.size());
    List<float[]> logits = new ArrayList<>(batch.size());
    List<Integer> gold = new ArrayList<>(batch.size());
    float[] temperatures = new float[batch.size()];
    boolean oneTemperature = true;
    for (int i = 0; i < batch.size(); i++) {
      SoftLabel label = batch.get(i);
      tokens.add(tokens(label));
      // null: a gold-only turn, learned from its gold label alone (DistillationLoss).
      logits.add(label.getTeacherScored() ? floats(label.getLogits()) : null);
      gold.add(label.getGoldIndex());
      temperatures[i] = label.getTemperature();
      oneTemperature &= temperatures[i] == temperatures[0];
    }
    double mean = oneTemperature
        ? model.trainBatch(tokens, logits, temperatures[0], gold, loss, optimizer)
        : model.trainBatch(tokens, logits, temperatures, gold, loss, optimizer);
    samplesSeen += batch.size();
    return mean;
  }

  /** Takes the state a checkpoint saved. */
  void restore(CheckpointStore.Loaded loaded) {
    model = loaded.model();
    optimizer = loaded.optimizer(Adam.Settings.defaults().withLearningRate(config.learningRate()))
        .useSchedule(config.learningRateSchedule());
    labelSetId = loaded.labelSetId();
    labelNames = loaded.labelNames();
    samplesSeen = loaded.samplesSeen();
  }

  /** Back to no model: the next admitted label shapes the initial weights again (they are seeded). */
  void reset() {
    model = null;
    optimizer = null;
    labelSetId = null;
    labelNames = null;
    samplesSeen = 0;
  }

  TextCnn model() {
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
