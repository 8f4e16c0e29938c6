package org.streamdistill.deploy.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.teacher.model.TeacherModel;
import org.streamdistill.teacher.model.TeacherScore;

/**
 * The CLINC150 turns the learning-curve benches replay, and the teacher's outputs for them:
 * a seeded subset of the training split (out-of-scope included), a seeded subset of the
 * in-scope test split held out, and the stream of training turns over several reshuffled passes
 * with gold labels on a seeded share. {@code bench selection} and {@code bench teachers} build
 * their turns here, so that the same seed gives both the same turns in the same order.
 */
final class ScoredClinc {

  private static final int BATCH = 32;

  private ScoredClinc() {}

  /** The training turns: the training split shuffled with {@code seed}, its first {@code limit} (0: all). */
  static List<Clinc150.Example> train(Clinc150 data, long seed, int limit) {
    return train(data, 0, seed, limit);
  }

  /**
   * As {@link #train(Clinc150, long, int)}, of the training turns whose text hash falls at or
   * above {@code from} of the split only ({@link Clinc150#trainWithOos(double, double)}).
   */
  static List<Clinc150.Example> train(Clinc150 data, double from, long seed, int limit) {
    List<Clinc150.Example> train = new ArrayList<>(from > 0 ? data.trainWithOos(from, 1) : data.trainWithOos());
    Collections.shuffle(train, new Random(seed));
    return limit > 0 && limit < train.size() ? new ArrayList<>(train.subList(0, limit)) : train;
  }

  /** The held-out turns: the in-scope test split shuffled with {@code seed + 1}, its first {@code limit}. */
  static List<Clinc150.Example> test(Clinc150 data, long seed, int limit) {
    return heldOut(data, "test", seed, limit);
  }

  /** The held-out turns: the in-scope split {@code split} (val or test) shuffled with {@code seed + 1}, its first {@code limit}. */
  static List<Clinc150.Example> heldOut(Clinc150 data, String split, long seed, int limit) {
    List<Clinc150.Example> test = new ArrayList<>(data.split(split));
    Collections.shuffle(test, new Random(seed + 1));
    return new ArrayList<>(test.subList(0, Math.min(limit, test.size())));
  }

  /**
   * The teacher's score of every text, in batches of 32, in order; reports progress on {@code
   * out} every {@code 100} batches when {@code out} is not null (an ensemble takes minutes).
   */
  static List<TeacherScore> score(TeacherModel teacher, List<String> texts, String what, PrintStream out) {
    List<TeacherScore> scores = new ArrayList<>(texts.size());
    long started = System.nanoTime();
    for (int i = 0; i < texts.size(); i += BATCH) {
      scores.addAll(teacher.score(texts.subList(i, Math.min(texts.size(), i + BATCH))));
      if (out != null && (i / BATCH + 1) % 100 == 0 && scores.size() < texts.size()) {
        double seconds = (System.nanoTime() - started) / 1e9;
        out.printf(Locale.ROOT, "      %s: %,d / %,d scored, %.0f turns/s, about %.0f s to go%n", what, scores.size(),
            texts.size(), scores.size() / seconds, (texts.size() - scores.size()) / (scores.size() / seconds));
      }
    }
    return scores;
  }

  /**
   * The training stream: {@code passes} passes over {@code train}, each in an order shuffled with
   * {@code seed + 100 + pass}; a turn carries its gold label with probability {@code goldFraction}
   * (drawn with {@code seed + 2}, in stream order) when the teacher knows the label.
   *
   * @param labels the teacher's labels, which the gold index and the logits refer to
   */
  static List<LearningCurve.Example> stream(List<Clinc150.Example> train, List<TeacherScore> scores,
      List<String> labels, int passes, double goldFraction, long seed) {
    return stream(train, scores, null, labels, passes, goldFraction, seed);
  }

  /**
   * The same stream, each turn also carrying a fallback teacher's logits for it.
   *
   * @param fallback the fallback teacher's outputs for {@code train}, over the same labels in the
   *     same order; null: none
   */
  static List<LearningCurve.Example> stream(List<Clinc150.Example> train, List<TeacherScore> scores,
      List<TeacherScore> fallback, List<String> labels, int passes, double goldFraction, long seed) {
    return stream(train, scores, fallback, null, labels, passes, goldFraction, seed);
  }

  /**
   * The same stream, each turn also saying whether an escalating teacher passed it on to its
   * strong teacher ({@link Escalation}).
   *
   * @param escalated per training turn; null: none escalated
   */
  static List<LearningCurve.Example> stream(List<Clinc150.Example> train, List<TeacherScore> scores,
      List<TeacherScore> fallback, boolean[] escalated, List<String> labels, int passes, double goldFraction,
      long seed) {
    List<LearningCurve.Example> stream = new ArrayList<>(train.size() * passes);
    Random gold = new Random(seed + 2);
    for (int pass = 0; pass < passes; pass++) {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < train.size(); i++) {
        order.add(i);
      }
      Collections.shuffle(order, new Random(seed + 100 + pass));
      for (int i : order) {
        int label = labels.indexOf(train.get(i).label());
        boolean labelled = gold.nextDouble() < goldFraction && label >= 0;
        stream.add(new LearningCurve.Example("p" + pass + "-" + i, scores.get(i).tokenIds(), scores.get(i).logits(),
            labelled ? label : null, fallback == null ? null : fallback.get(i).logits(),
            escalated != null && escalated[i]));
      }
    }
    return stream;
  }

  /** The gold index of each held-out turn in the teacher's labels (-1 when it does not know it). */
  static int[] goldIndices(List<Clinc150.Example> test, List<String> labels) {
    int[] gold = new int[test.size()];
    for (int i = 0; i < test.size(); i++) {
      gold[i] = labels.indexOf(test.get(i).label());
    }
    return gold;
  }

  /** The share of held-out turns whose teacher's top label is the gold one. */
  static double accuracy(List<TeacherScore> scores, int[] gold) {
    int correct = 0;
    for (int i = 0; i < gold.length; i++) {
      correct += scores.get(i).topIndex() == gold[i] ? 1 : 0;
    }
    return correct / (double) gold.length;
  }
}
