package org.streamdistill.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.optim.Parameter;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.selection.AllPolicy;
import org.streamdistill.teacher.selection.Selection;
import org.streamdistill.teacher.selection.SelectionPolicy;

/** The bench's learning loop on made-up turns (random tokens and logits; nothing here was measured). */
class LearningCurveTest {

  private static final int CLASSES = 6;
  private static final int TURNS = 96;

  /** Keeps every turn from the teacher. */
  private static final SelectionPolicy SKIP_ALL = new SelectionPolicy() {
    @Override
    public List<Selection> decide(List<org.streamdistill.teacher.selection.Candidate> window, long nowMillis) {
      return window.stream().map(c -> new Selection(false, "confident", 1.0)).toList();
    }

    @Override
    public boolean needsStudent() {
      return false;
    }
  };

  @Test
  void shouldCountTheTeacherCallsThatAnEscalatingTeacherPassedOnToItsStrongTeacher() {
    Random random = new Random(11);
    List<LearningCurve.Example> stream = new ArrayList<>();
    for (int i = 0; i < TURNS; i++) {
      int[] tokens = {101, 1_000 + random.nextInt(50), 102};
      // every third turn escalated
      stream.add(new LearningCurve.Example("t" + i, tokens, logits(random), null, null, i % 3 == 0));
    }
    List<int[]> test = stream.stream().limit(8).map(LearningCurve.Example::tokenIds).toList();
    LearningCurve curves = new LearningCurve(CLASSES, 1f, test, new int[test.size()], 32, trainer());

    // every turn to the teacher: all 32 escalated turns counted; none to the teacher: none counted
    assertThat(curves.run("all", new AllPolicy(), stream, m -> { }).escalatedCalls()).isEqualTo(32);
    assertThat(curves.run("skip", SKIP_ALL, stream, m -> { }).escalatedCalls()).isZero();
  }

  @Test
  void shouldLearnTheTurnsTheGateSkipsFromTheFallbackTeacherAtItsOwnTemperature() {
    Random random = new Random(7);
    List<LearningCurve.Example> byTeacher = new ArrayList<>();
    List<LearningCurve.Example> byFallback = new ArrayList<>();
    List<LearningCurve.Example> goldOnly = new ArrayList<>();
    for (int i = 0; i < TURNS; i++) {
      int[] tokens = {101, 1_000 + random.nextInt(50), 1_000 + random.nextInt(50), 102};
      float[] fallback = logits(random);
      float[] other = logits(random);
      Integer gold = i % 4 == 0 ? random.nextInt(CLASSES) : null;
      byTeacher.add(new LearningCurve.Example("t" + i, tokens, fallback, gold));
      byFallback.add(new LearningCurve.Example("t" + i, tokens, other, gold, fallback));
      goldOnly.add(new LearningCurve.Example("t" + i, tokens, other, gold));
    }
    List<int[]> test = byTeacher.stream().limit(16).map(LearningCurve.Example::tokenIds).toList();
    int[] testGold = new int[test.size()];

    // the fallback's logits at its temperature (3), the gated teacher's at 1: as if the fallback were the teacher
    List<float[]> asTeacher = weights(new LearningCurve(CLASSES, 3f, test, testGold, 32, trainer()), "all",
        new AllPolicy(), byTeacher);
    List<float[]> asFallback = weights(new LearningCurve(CLASSES, 1f, test, testGold, 32, trainer(), 3f), "skip",
        SKIP_ALL, byFallback);
    List<float[]> fromGold = weights(new LearningCurve(CLASSES, 1f, test, testGold, 32, trainer()), "skip",
        SKIP_ALL, goldOnly);

    assertThat(asFallback).hasSameSizeAs(asTeacher).isNotEmpty();
    for (int i = 0; i < asTeacher.size(); i++) {
      assertThat(asFallback.get(i)).as("parameter %d", i).isEqualTo(asTeacher.get(i));
    }
    // without a fallback a skipped turn teaches its gold label alone: another student
    assertThat(fromGold.get(0)).isNotEqualTo(asTeacher.get(0));
    // and the fallback's labels are not teacher calls
    LearningCurve.Curve curve = new LearningCurve(CLASSES, 1f, test, testGold, 32, trainer(), 3f).run("skip",
        SKIP_ALL, byFallback, m -> { });
    assertThat(curve.last().turns()).isEqualTo(TURNS);
    assertThat(curve.last().calls()).isZero();
  }

  private static List<float[]> weights(LearningCurve curve, String name, SelectionPolicy policy,
      List<LearningCurve.Example> stream) {
    List<float[]> weights = new ArrayList<>();
    curve.run(name, policy, stream, (TextCnn m) -> m.parameters().stream().map(Parameter::values)
        .forEach(v -> weights.add(v.clone())));
    return weights;
  }

  private static float[] logits(Random random) {
    float[] logits = new float[CLASSES];
    for (int c = 0; c < CLASSES; c++) {
      logits[c] = (float) random.nextGaussian() * 3;
    }
    return logits;
  }

  private static TrainerConfig trainer() {
    return TrainerConfig.of(Map.of(TrainerConfig.EMBEDDING_INIT, TrainerConfig.EMBEDDING_INIT_RANDOM,
        TrainerConfig.FILTERS, "4", TrainerConfig.EMBEDDING_DIM, "8", TrainerConfig.SEED, "5"));
  }
}
