package org.streamdistill.student.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;

/** The prediction records built from the live models. */
class PredictionWriterTest {

  private static final TextCnnConfig SHAPE = TextCnnConfig.defaults(3).withEmbeddingDim(4).withFiltersPerWidth(2);

  @Test
  void shouldPredictAGoldOnlyTurnWithoutAnyTeacherEvidence() {
    // Given a turn the teacher did not score, with gold label 2
    SoftLabel goldOnly = TrainingRecords.goldOnly(4, 2, false);
    TextCnn model = new TextCnn(SHAPE);

    // When the writer predicts it
    StudentPrediction out = new PredictionWriter().predict(List.of(goldOnly),
        List.of(new PredictionWriter.Predictor("student-v2", "challenger", model)),
        new String[] {"intent-0", "intent-1", "intent-2"}, Instant.ofEpochMilli(1)).get(0);

    // Then the prediction says the teacher did not score it: no teacher label, KL or teacher probability
    assertThat(List.of(out.getTeacherScored(), out.getLearned())).containsExactly(false, true);
    assertThat(List.of(out.getTeacherIndex(), out.getGoldIndex())).containsExactly(-1, 2);
    assertThat(out.getTeacherLabel()).isEmpty();
    ModelPrediction answer = out.getPredictions().get(0);
    assertThat(answer.getKlTeacher()).isNull();
    assertThat(answer.getTeacherProbability()).isZero();
    // And the gold cross-entropy is the model's own
    float[] logits = model.logits(ChallengerModel.tokens(goldOnly));
    assertThat(answer.getGoldCrossEntropy()).isCloseTo((float) (PredictionWriter.logSumExp(logits, 1f) - logits[2]),
        within(1e-6f));
  }

  @Test
  void shouldPredictATurnTheFallbackTeacherScoredWithoutAnyTeacherEvidence() {
    // Given a turn the fallback teacher scored (its top label 1), with gold label 2
    SoftLabel fallback = SoftLabel.newBuilder(TrainingRecords.softLabel(4, false)).setGoldIndex(2)
        .setGoldLabel("intent-2").setFallbackScored(true).setTeacherVersion("cheap-v1").build();
    TextCnn model = new TextCnn(SHAPE);

    // When the writer predicts it
    StudentPrediction out = new PredictionWriter().predict(List.of(fallback),
        List.of(new PredictionWriter.Predictor("student-v2", "challenger", model)),
        new String[] {"intent-0", "intent-1", "intent-2"}, Instant.ofEpochMilli(1)).get(0);

    // Then it says the fallback scored it and carries no teacher verdict, KL or teacher probability,
    // so the evaluator never takes it as agreement with the teacher
    assertThat(List.of(out.getTeacherScored(), out.getFallbackScored(), out.getLearned()))
        .containsExactly(false, true, true);
    assertThat(List.of(out.getTeacherIndex(), out.getGoldIndex())).containsExactly(-1, 2);
    assertThat(List.of(out.getTeacherLabel(), out.getTeacherVersion())).containsExactly("", "cheap-v1");
    ModelPrediction answer = out.getPredictions().get(0);
    assertThat(answer.getKlTeacher()).isNull();
    assertThat(answer.getTeacherProbability()).isZero();
    assertThat(answer.getGoldCrossEntropy()).isNotNull();
  }

  @Test
  void shouldDescribeEachTurnWithEveryModelInRoleOrder() {
    // Given two turns, the second with a gold label, and two models
    SoftLabel first = TrainingRecords.softLabel(0, false);
    SoftLabel second = SoftLabel.newBuilder(TrainingRecords.softLabel(1, true)).setGoldIndex(2).setGoldLabel("intent-2")
        .setSelectionReason("audit").setSelectionProbability(0.05).build();
    TextCnn challenger = new TextCnn(SHAPE);
    TextCnn champion = new TextCnn(SHAPE.withSeed(7));
    Instant now = Instant.ofEpochMilli(123_456);

    // When the writer predicts them
    List<StudentPrediction> out = new PredictionWriter().predict(List.of(first, second),
        List.of(new PredictionWriter.Predictor("student-v2", "challenger", challenger),
            new PredictionWriter.Predictor("student-v1", "champion", champion)),
        new String[] {"intent-0", null, "intent-2"}, now);

    // Then each turn carries its own fields and one answer per model, challenger first
    assertThat(out).extracting(StudentPrediction::getTurnId, StudentPrediction::getHeldOut,
        StudentPrediction::getLearned, StudentPrediction::getGoldIndex, StudentPrediction::getPredictedAt)
        .containsExactly(tuple("t0", false, true, null, now), tuple("t1", true, false, 2, now));
    // (with the probability the teacher's gate selected them at, for the evaluator's weights)
    assertThat(out).extracting(StudentPrediction::getSelectionProbability).containsExactly(1.0, 0.05);
    assertThat(out.get(1).getPredictions()).extracting(ModelPrediction::getRole, ModelPrediction::getModelVersion)
        .containsExactly(tuple("challenger", "student-v2"), tuple("champion", "student-v1"));
    // And each answer is that model's softmax: its top label, named when known, and the teacher's label
    float[] logits = champion.logits(ChallengerModel.tokens(second));
    float[] p = PredictionWriter.softmax(logits);
    int top = argmax(p);
    ModelPrediction answer = out.get(1).getPredictions().get(1);
    assertThat(answer.getPredictedIndex()).isEqualTo(top);
    assertThat(answer.getPredictedLabel()).isEqualTo(top == 1 ? "label-1" : "intent-" + top);
    assertThat(answer.getProbability()).isEqualTo(p[top]);
    assertThat(answer.getTeacherProbability()).isEqualTo(p[second.getTeacherIndex()]);
    assertThat(answer.getKlTeacher())
        .isEqualTo((float) PredictionWriter.klTeacher(second.getLogits(), logits, 2f));
    assertThat(answer.getGoldCrossEntropy()).isCloseTo((float) (PredictionWriter.logSumExp(logits, 1f) - logits[2]),
        within(1e-6f));
    assertThat(out.get(0).getPredictions().get(0).getGoldCrossEntropy()).isNull();
  }

  @Test
  void shouldComputeSoftmaxAndTheKlDivergenceFromTheTeacherExactly() {
    assertThat(PredictionWriter.softmax(new float[] {0f, (float) Math.log(3)}))
        .containsExactly(new float[] {0.25f, 0.75f}, within(1e-7f));
    // KL([.5, .5] || [.25, .75]) = 0.5 ln(4/3)
    assertThat(PredictionWriter.klTeacher(List.of(0f, 0f), new float[] {0f, (float) Math.log(3)}, 1f))
        .isCloseTo(0.5 * Math.log(4.0 / 3.0), within(1e-7));
    assertThat(PredictionWriter.klTeacher(List.of(1f, 2f, 3f), new float[] {1f, 2f, 3f}, 2f)).isZero();
    assertThat(PredictionWriter.logSumExp(new float[] {0f, 0f}, 1f)).isCloseTo(Math.log(2), within(1e-12));
  }

  @Test
  void shouldWriteNothingForNoTurns() {
    assertThat(new PredictionWriter().predict(List.of(), List.of(), new String[3], Instant.EPOCH)).isEmpty();
  }

  private static int argmax(float[] p) {
    int top = 0;
    for (int i = 1; i < p.length; i++) {
      if (p[i] > p[top]) {
        top = i;
      }
    }
    return top;
  }
}
