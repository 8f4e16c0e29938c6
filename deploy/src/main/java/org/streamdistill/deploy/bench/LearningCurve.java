package org.streamdistill.deploy.bench;

import java.util.ArrayList;
import java.util.List;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.training.ChallengerModel;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.model.SoftLabels;
import org.streamdistill.teacher.selection.Candidate;
import org.streamdistill.teacher.selection.Selection;
import org.streamdistill.teacher.selection.SelectionPolicy;

/**
 * One selection policy's learning curve: a fresh student (the trainer's own {@link
 * ChallengerModel} with its default settings: shape, initialisation, schedule, replay, weight
 * averaging) learns online from a stream of turns whose teacher outputs are known in advance;
 * turns the policy skips that carry a gold label are learned gold-only, as the job forwards
 * them, and cost no teacher call; the policy,
 * looking at the student's own probabilities, decides per window of a training batch which turns
 * the teacher would have scored, and the student learns from those only (in batches of the
 * trainer's size, as the trainer batches soft labels). Every {@code evalEvery} turns the held-out
 * accuracy is measured. The same code as the job's gate decides; the student it consults is the
 * learning one, where the pipeline consults the last promoted champion (which lags it).
 */
final class LearningCurve {

  /**
   * A training turn: the teacher's logits, its gold label if it has one, and a cheaper fallback
   * teacher's logits for when the gate keeps it from the teacher (null: no fallback, the turn
   * then teaches its gold label alone, as in the pipeline).
   */
  record Example(String turnId, int[] tokenIds, float[] logits, Integer goldIndex, float[] fallbackLogits,
                 boolean escalated) {

    Example(String turnId, int[] tokenIds, float[] logits, Integer goldIndex) {
      this(turnId, tokenIds, logits, goldIndex, null);
    }

    Example(String turnId, int[] tokenIds, float[] logits, Integer goldIndex, float[] fallbackLogits) {
      this(turnId, tokenIds, logits, goldIndex, fallbackLogits, false);
    }
  }

  /** The student after {@code turns} turns of which the teacher scored {@code calls}. */
  record Point(long turns, long calls, double accuracy) {}

  /**
   * A policy's run.
   *
   * @param escalatedCalls of the teacher's calls, those an escalating teacher ({@link Escalation})
   *     passed on to its strong teacher
   */
  record Curve(String policy, List<Point> points, long escalatedCalls) {

    Curve(String policy, List<Point> points) {
      this(policy, points, 0);
    }

    Point last() {
      return points.get(points.size() - 1);
    }

    /** Held-out accuracy when the teacher had made {@code calls} calls (linear between measurements), NaN past the end. */
    double accuracyAtCalls(long calls) {
      for (int i = 1; i < points.size(); i++) {
        Point a = points.get(i - 1);
        Point b = points.get(i);
        if (calls >= a.calls() && calls <= b.calls()) {
          return b.calls() == a.calls() ? b.accuracy()
              : a.accuracy() + (b.accuracy() - a.accuracy()) * (calls - a.calls()) / (double) (b.calls() - a.calls());
        }
      }
      return Double.NaN;
    }
  }

  private static final String LABEL = "label-";
  private final TrainerConfig trainer;
  private final int classes;
  private final float temperature;
  private final List<int[]> testTokens;
  private final int[] testGold;
  private final int evalEvery;
  private final float fallbackTemperature;

  /**
   * @param trainer the student's settings (the trainer's defaults, or with another {@code trainer.seed})
   */
  LearningCurve(int classes, float temperature, List<int[]> testTokens, int[] testGold, int evalEvery,
      TrainerConfig trainer) {
    this(classes, temperature, testTokens, testGold, evalEvery, trainer, temperature);
  }

  /** @param fallbackTemperature the temperature of the fallback teacher's logits ({@link Example#fallbackLogits}) */
  LearningCurve(int classes, float temperature, List<int[]> testTokens, int[] testGold, int evalEvery,
      TrainerConfig trainer, float fallbackTemperature) {
    this.fallbackTemperature = fallbackTemperature;
    this.trainer = trainer;
    this.classes = classes;
    this.temperature = temperature;
    this.testTokens = testTokens;
    this.testGold = testGold;
    this.evalEvery = evalEvery;
  }

  /** Runs {@code policy} over {@code stream}; {@code trained} receives the final student. */
  Curve run(String name, SelectionPolicy policy, List<Example> stream, java.util.function.Consumer<TextCnn> trained) {
    // The trainer's own learning model: shape, initialisation, schedule, replay and weight averaging.
    ChallengerModel student = new ChallengerModel(trainer);
    int batchSize = trainer.batchSize();
    List<Point> points = new ArrayList<>();
    List<SoftLabel> toLearn = new ArrayList<>();
    long calls = 0;
    long escalated = 0;
    long nextEval = evalEvery;
    for (int start = 0; start < stream.size(); start += batchSize) {
      List<Example> window = stream.subList(start, Math.min(stream.size(), start + batchSize));
      TextCnn current = student.shaped() ? student.model() : null;
      if (points.isEmpty()) {
        points.add(new Point(0, 0, current == null ? 0 : accuracy(current)));
      }
      float[][] probabilities = policy.needsStudent() && current != null ? probabilities(current, window) : null;
      List<Candidate> candidates = new ArrayList<>(window.size());
      for (int i = 0; i < window.size(); i++) {
        candidates.add(new Candidate(window.get(i).turnId(), probabilities == null ? null : probabilities[i]));
      }
      // Virtual time: one second per window, so a budget policy would refill as at one window a second.
      List<Selection> decisions = policy.decide(candidates, start / batchSize * 1_000L);
      for (int i = 0; i < window.size(); i++) {
        Example e = window.get(i);
        if (decisions.get(i).toTeacher()) {
          toLearn.add(scored(e, e.logits(), temperature));
          calls++;
          escalated += e.escalated() ? 1 : 0;
        } else if (e.fallbackLogits() != null) {
          // A cascade: the cheaper teacher scores what the gate keeps from this one (not counted in calls).
          toLearn.add(scored(e, e.fallbackLogits(), fallbackTemperature));
        } else if (e.goldIndex() != null) {
          // As the job forwards a skipped turn that has a gold label: gold-only, no teacher call.
          toLearn.add(goldOnly(e));
        }
      }
      for (SoftLabel label : toLearn) {
        student.admit(label);
      }
      while (toLearn.size() >= batchSize) {
        student.learn(List.copyOf(toLearn.subList(0, batchSize)));
        toLearn.subList(0, batchSize).clear();
      }
      long seen = Math.min(stream.size(), start + batchSize);
      if (seen >= nextEval || seen == stream.size()) {
        points.add(new Point(seen, calls, student.shaped() ? accuracy(student.model()) : 0));
        nextEval = seen + evalEvery;
      }
    }
    trained.accept(student.model());
    return new Curve(name, points, escalated);
  }

  private SoftLabel scored(Example e, float[] teacherLogits, float t) {
    int top = 0;
    for (int c = 1; c < teacherLogits.length; c++) {
      if (teacherLogits[c] > teacherLogits[top]) {
        top = c;
      }
    }
    List<Float> logits = new ArrayList<>(teacherLogits.length);
    for (float v : teacherLogits) {
      logits.add(v);
    }
    return base(e).setLogits(logits).setTemperature(t).setTeacherIndex(top).setTeacherLabel(LABEL + top).build();
  }

  private SoftLabel goldOnly(Example e) {
    return base(e).setLogits(List.of()).setTeacherIndex(-1).setTeacherLabel("").setTeacherScored(false)
        .setLabelCount(classes).setSelectionReason("skipped").build();
  }

  private SoftLabel.Builder base(Example e) {
    List<Integer> tokens = new ArrayList<>(e.tokenIds().length);
    for (int id : e.tokenIds()) {
      tokens.add(id);
    }
    return SoftLabel.newBuilder().setTurnId(e.turnId()).setConversationId(e.turnId()).setTurnIndex(0)
        .setEventTime(java.time.Instant.EPOCH).setScoredAt(java.time.Instant.EPOCH).setTokenIds(tokens)
        .setTemperature(temperature).setTeacherVersion("bench").setLabelSetId("bench")
        .setGoldIndex(e.goldIndex()).setGoldLabel(e.goldIndex() == null ? null : LABEL + e.goldIndex());
  }

  private static float[][] probabilities(TextCnn model, List<Example> window) {
    List<int[]> tokens = new ArrayList<>(window.size());
    window.forEach(e -> tokens.add(e.tokenIds()));
    float[][] logits = model.logitsBatch(tokens);
    float[][] out = new float[logits.length][];
    for (int i = 0; i < logits.length; i++) {
      out[i] = SoftLabels.softmax(logits[i], 1.0);
    }
    return out;
  }

  private double accuracy(TextCnn model) {
    int correct = 0;
    for (int start = 0; start < testTokens.size(); start += 256) {
      List<int[]> chunk = testTokens.subList(start, Math.min(testTokens.size(), start + 256));
      float[][] logits = model.logitsBatch(chunk);
      for (int i = 0; i < logits.length; i++) {
        int best = 0;
        for (int c = 1; c < logits[i].length; c++) {
          if (logits[i][c] > logits[i][best]) {
            best = c;
          }
        }
        correct += best == testGold[start + i] ? 1 : 0;
      }
    }
    return correct / (double) testTokens.size();
  }
}
