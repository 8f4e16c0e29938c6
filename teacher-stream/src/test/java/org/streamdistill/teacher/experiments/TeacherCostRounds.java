package org.streamdistill.teacher.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.teacher.model.BundledTeacher;

/**
 * Times the scoring cost of several teacher bundles side by side: in each round every teacher
 * scores the same CLINC150 test turns (in split order, batches of 32) one after the other, so a
 * change in the machine's load hits every teacher alike; the median over rounds is reported, with
 * its ratio to the first bundle's. What {@code fit} measures once per teacher, made fair for a
 * shared machine. Not a test; a command-line tool.
 *
 * <p>Usage: {@code java -cp <teacher-stream test classes, classes and dependencies>
 * TeacherCostRounds <data_full.json> <turns> <rounds> <threads> <bundle dir>...}.
 */
public final class TeacherCostRounds {

  private static final int BATCH = 32;

  private TeacherCostRounds() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 5) {
      System.err.println("usage: TeacherCostRounds <data_full.json> <turns> <rounds> <threads> <bundle dir>...");
      System.exit(2);
    }
    Clinc150 data = Clinc150.read(Path.of(args[0]));
    int turns = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    int threads = Integer.parseInt(args[3]);
    List<String> texts = data.testWithOos().stream().limit(turns).map(Clinc150.Example::text).toList();
    List<BundledTeacher> teachers = new ArrayList<>();
    try {
      for (int i = 4; i < args.length; i++) {
        teachers.add(BundledTeacher.open(Path.of(args[i]), threads));
      }
      double[][] rates = new double[teachers.size()][rounds];
      for (BundledTeacher teacher : teachers) {
        teacher.score(texts.subList(0, Math.min(BATCH, texts.size())));
      }
      for (int r = 0; r < rounds; r++) {
        for (int t = 0; t < teachers.size(); t++) {
          long start = System.nanoTime();
          for (int from = 0; from < texts.size(); from += BATCH) {
            teachers.get(t).score(texts.subList(from, Math.min(texts.size(), from + BATCH)));
          }
          rates[t][r] = texts.size() / ((System.nanoTime() - start) / 1e9);
        }
        System.out.printf(Locale.ROOT, "round %d/%d done%n", r + 1, rounds);
      }
      double first = median(rates[0]);
      System.out.printf(Locale.ROOT, "%-70s %10s %8s  %s%n", "teacher", "turns/s", "x first", "per round");
      for (int t = 0; t < teachers.size(); t++) {
        double m = median(rates[t]);
        System.out.printf(Locale.ROOT, "%-70s %10.0f %8.2f  %s%n", teachers.get(t).version(), m, m / first,
            Arrays.toString(Arrays.stream(rates[t]).map(Math::round).toArray()));
      }
    } finally {
      teachers.forEach(BundledTeacher::close);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
