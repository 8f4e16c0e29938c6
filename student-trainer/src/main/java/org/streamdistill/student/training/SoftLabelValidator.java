package org.streamdistill.student.training;

import org.streamdistill.records.SoftLabel;

/**
 * The checks a decoded soft label must pass before the student predicts or learns it; a label
 * that fails one becomes a dead letter ({@link InvalidSoftLabelException}, whose message names
 * the turn and the offending value). Pure: the caller says what the model expects.
 */
final class SoftLabelValidator {

  private SoftLabelValidator() {}

  /**
   * The distillation loss needs every label's logit; a soft label compacted to its top-k logits
   * (SoftLabel.top_k_indices set) is refused before it can shape or train the model.
   */
  static void requireFullLogits(SoftLabel label) {
    if (label.getTopKIndices() != null) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " is compacted to its top "
          + label.getTopKIndices().size() + " logits (top_k_indices is set), but this student learns from the full "
          + "logits of every label: run the teacher with teacher.soft-labels.top-k=0");
    }
  }

  /**
   * @param labelSetId the label set the model learns
   * @param classes the model's number of classes
   * @param vocab the model's vocabulary size
   */
  static void validate(SoftLabel label, String labelSetId, int classes, int vocab) {
    if (!label.getLabelSetId().equals(labelSetId)) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " uses label set "
          + label.getLabelSetId() + " but this student learns label set " + labelSetId);
    }
    if (label.getLabelCount() != 0 && label.getLabelCount() != classes) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " has label_count "
          + label.getLabelCount() + ", expected " + classes);
    }
    if (!label.getTeacherScored()) {
      validateGoldOnly(label);
    } else if (label.getLogits().size() != classes) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " has "
          + label.getLogits().size() + " logits, expected " + classes);
    }
    for (float logit : label.getLogits()) {
      if (!Float.isFinite(logit)) {
        throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " holds a non-finite logit "
            + logit);
      }
    }
    if (label.getTokenIds().isEmpty()) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " has no token ids");
    }
    for (int id : label.getTokenIds()) {
      if (id < 0 || id >= vocab) {
        throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " holds token id " + id
            + " outside the vocabulary [0, " + vocab + ")");
      }
    }
    if (label.getTeacherScored() && (label.getTeacherIndex() < 0 || label.getTeacherIndex() >= classes)) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " has teacher index "
          + label.getTeacherIndex() + " outside [0, " + classes + ")");
    }
    if (label.getEventTime() == null || label.getEventTime().toEpochMilli() < 0) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " has event time "
          + label.getEventTime() + ", before 1970");
    }
    checkGoldAndTemperature(label, classes);
  }

  /**
   * A record the teacher did not score (teacher_scored false) is learned from its gold label
   * alone: it must carry one, and no logits or teacher verdict that could pass for the teacher's.
   */
  private static void validateGoldOnly(SoftLabel label) {
    if (label.getGoldIndex() == null) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " was not scored by the "
          + "teacher (teacher_scored is false) and has no gold label: there is nothing to learn from");
    }
    if (!label.getLogits().isEmpty() || label.getTeacherIndex() != -1) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " was not scored by the "
          + "teacher (teacher_scored is false) but holds " + label.getLogits().size() + " logits and teacher index "
          + label.getTeacherIndex() + "; a gold-only record has no logits and teacher index -1");
    }
  }

  private static void checkGoldAndTemperature(SoftLabel label, int classes) {
    Integer gold = label.getGoldIndex();
    if (gold != null && (gold < 0 || gold >= classes)) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " has gold index " + gold
          + " outside [0, " + classes + ")");
    }
    if (!(label.getTemperature() > 0) || Float.isInfinite(label.getTemperature())) {
      throw new InvalidSoftLabelException("soft label of turn " + label.getTurnId() + " has temperature "
          + label.getTemperature() + "; it must be > 0");
    }
  }
}
