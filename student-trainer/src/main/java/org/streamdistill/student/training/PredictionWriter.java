package org.streamdistill.student.training;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.student.model.TextCnn;

/**
 * Builds the {@link StudentPrediction} of each turn from the live models: one {@link
 * ModelPrediction} per model (challenger, then champion, then previous champion when there are
 * such), with the top label, its probability, the probability of the teacher's label, the KL
 * divergence from the teacher at its temperature and, when the turn has a gold label, the
 * cross-entropy against it; a turn the teacher did not score (a gold-only soft label) has no KL and
 * a teacher probability of 0, and its prediction says {@code teacher_scored} false. Pure: no Kafka; the trainer sends what this returns.
 */
final class PredictionWriter {

  /** A live model and the role and version its predictions carry. */
  record Predictor(String version, String role, TextCnn model) {}

  /**
   * Predicts {@code labels} with every model, in one batch per model.
   *
   * @param labelNames names of the labels by index, null where none is known yet
   * @param predictedAt when the predictions were made
   * @return one prediction per label, in the same order
   */
  List<StudentPrediction> predict(List<SoftLabel> labels, List<Predictor> models, String[] labelNames,
                                  Instant predictedAt) {
    if (labels.isEmpty()) {
      return List.of();
    }
    List<int[]> tokens = new ArrayList<>(labels.size());
    for (SoftLabel label : labels) {
      tokens.add(ChallengerModel.tokens(label));
    }
    List<float[][]> logits = new ArrayList<>(models.size());
    for (Predictor model : models) {
      logits.add(model.model().logitsBatch(tokens));
    }
    List<StudentPrediction> out = new ArrayList<>(labels.size());
    for (int i = 0; i < labels.size(); i++) {
      SoftLabel label = labels.get(i);
      List<ModelPrediction> answers = new ArrayList<>(models.size());
      for (int m = 0; m < models.size(); m++) {
        answers.add(answer(models.get(m), logits.get(m)[i], label, labelNames));
      }
      out.add(StudentPrediction.newBuilder()
          .setTurnId(label.getTurnId())
          .setConversationId(label.getConversationId())
          .setEventTime(label.getEventTime())
          .setPredictedAt(predictedAt)
          .setHeldOut(label.getHeldOut())
          .setLearned(!label.getHeldOut())
          .setTeacherVersion(label.getTeacherVersion())
          // A turn the fallback teacher scored is no evidence about the teacher: written as one the
          // teacher did not score, so that the evaluator never counts it as agreement with it.
          .setTeacherIndex(byTeacher(label) ? label.getTeacherIndex() : -1)
          .setTeacherLabel(byTeacher(label) ? label.getTeacherLabel() : "")
          .setGoldIndex(label.getGoldIndex())
          .setGoldLabel(label.getGoldLabel())
          .setPredictions(answers)
          .setSelectionProbability(label.getSelectionProbability())
          .setTeacherScored(byTeacher(label))
          .setFallbackScored(label.getFallbackScored())
          .build());
    }
    return out;
  }

  /** Whether the job's teacher scored the turn: not a gold-only record, not the fallback's. */
  private static boolean byTeacher(SoftLabel label) {
    return label.getTeacherScored() && !label.getFallbackScored();
  }

  private static ModelPrediction answer(Predictor model, float[] logits, SoftLabel label, String[] labelNames) {
    int teacherIndex = byTeacher(label) ? label.getTeacherIndex() : -1;
    Integer gold = label.getGoldIndex();
    float[] probabilities = softmax(logits);
    int top = 0;
    for (int i = 1; i < probabilities.length; i++) {
      if (probabilities[i] > probabilities[top]) {
        top = i;
      }
    }
    return ModelPrediction.newBuilder()
        .setModelVersion(model.version())
        .setRole(model.role())
        .setPredictedIndex(top)
        .setPredictedLabel(labelNames[top] != null ? labelNames[top] : "label-" + top)
        .setProbability(probabilities[top])
        .setTeacherProbability(teacherIndex >= 0 && teacherIndex < probabilities.length ? probabilities[teacherIndex] : 0f)
        // A gold-only or fallback-scored turn (the teacher did not score it) has no teacher to diverge from.
        .setKlTeacher(byTeacher(label) ? (Float) (float) klTeacher(label.getLogits(), logits,
            label.getTemperature()) : null)
        .setGoldCrossEntropy(gold == null ? null : (float) (logSumExp(logits, 1f) - logits[gold]))
        .build();
  }

  static float[] softmax(float[] logits) {
    float max = Float.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    float[] p = new float[logits.length];
    for (int i = 0; i < logits.length; i++) {
      p[i] = (float) Math.exp(logits[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= (float) sum;
    }
    return p;
  }

  /**
   * KL(softmax(t / T) || softmax(s / T)) in nats, in double through log-softmax so that no
   * probability underflows: sum_i p_i (ln p_i - ln q_i). The evaluator averages it per window.
   */
  static double klTeacher(List<Float> teacherLogits, float[] studentLogits, float temperature) {
    float[] teacher = ChallengerModel.floats(teacherLogits);
    double teacherNorm = logSumExp(teacher, temperature);
    double studentNorm = logSumExp(studentLogits, temperature);
    double kl = 0;
    for (int i = 0; i < teacher.length; i++) {
      double logP = teacher[i] / temperature - teacherNorm;
      kl += Math.exp(logP) * (logP - (studentLogits[i] / temperature - studentNorm));
    }
    return Math.max(0.0, kl);
  }

  /** ln sum_i exp(logits_i / T), with the maximum subtracted first. */
  static double logSumExp(float[] logits, float temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v / temperature);
    }
    double sum = 0;
    for (float v : logits) {
      sum += Math.exp(v / temperature - max);
    }
    return max + Math.log(sum);
  }
}
