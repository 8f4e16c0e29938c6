package org.streamdistill.teacher.selection;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Synthetic windows of candidates for the policy tests. */
final class Windows {

  private Windows() {}

  /** {@code n} candidates {@code prefix-0 ...} whose student puts {@code top} on class 0 of two. */
  static List<Candidate> sure(String prefix, int n, float top) {
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Candidate(prefix + "-" + i, new float[] {top, 1 - top}));
    }
    return out;
  }

  /** {@code n} candidates with a random top probability in [0.5, 1), seeded. */
  static List<Candidate> random(String prefix, int n, long seed) {
    Random random = new Random(seed);
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float top = 0.5f + 0.5f * random.nextFloat();
      out.add(new Candidate(prefix + "-" + i, new float[] {top, 1 - top}));
    }
    return out;
  }

  static long count(List<Selection> selections, String reason) {
    return selections.stream().filter(s -> s.reason().equals(reason)).count();
  }

  static long selected(List<Selection> selections) {
    return selections.stream().filter(Selection::toTeacher).count();
  }
}
