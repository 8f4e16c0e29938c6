package org.streamdistill.deploy.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The figures of one {@code bench teachers} run.
 *
 * @param heldOut the split of the held-out turns, test or val
 * @param gate the gated students' policy in words
 * @param seeds the student seeds, the same for every teacher and policy
 * @param trainer trainer settings of every student besides the defaults (none: the defaults)
 * @param gatedTrainer trainer settings of the gated students
 * @param outputsRead which teacher outputs came from the scores cache, e.g. {@code ensemble training}
 * @param threads students trained at once
 * @param options one per teacher, the baseline first
 * @param fallback the teacher that scored the turns the gate kept from a gated student's teacher; empty: none
 * @param streamFrom the training turns learnt are those at or above this share of the split by text hash; 0: all
 */
record TeacherOptionsReport(String date, String command, String mode, Machine machine, double wallSeconds,
                            int trainUtterances, int passes, int testTurns, String heldOut, double goldFraction,
                            String gate, List<Long> seeds, int costTurns, java.util.Map<String, String> trainer,
                            java.util.Map<String, String> gatedTrainer, List<String> outputsRead,
                            int threads, List<Option> options, String fallback, double streamFrom) {

  /**
   * A teacher and the students it yields.
   *
   * @param kind what the teacher is, e.g. {@code minilm-l6} or {@code ensemble: e5-small-q 0.3, ...}
   * @param testAccuracy its top label against gold on the held-out turns
   * @param turnsPerSecond one figure per cost round
   * @param studentParameters the students' weights (every student has the trainer's default shape)
   * @param all one student per seed, every turn scored
   * @param gated one student per seed, behind the gate
   * @param trainingDiffers training turns on which its top label is not the baseline teacher's
   * @param heldOutDiffers held-out turns on which its top label is not the baseline teacher's
   * @param escalated for an escalating teacher ({@link Escalation}), its two parts, whose rates are its; else null
   */
  record Option(String name, String version, String kind, double testAccuracy, double[] turnsPerSecond,
                long studentParameters, List<Student> all, List<Student> gated, long trainingDiffers,
                long heldOutDiffers, TeacherOptionsConfig.Escalate escalated) {

    Option(String name, String version, String kind, double testAccuracy, double[] turnsPerSecond,
           long studentParameters, List<Student> all, List<Student> gated, long trainingDiffers,
           long heldOutDiffers) {
      this(name, version, kind, testAccuracy, turnsPerSecond, studentParameters, all, gated, trainingDiffers,
          heldOutDiffers, null);
    }

    double medianTurnsPerSecond() {
      double[] sorted = turnsPerSecond.clone();
      Arrays.sort(sorted);
      int n = sorted.length;
      return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
  }

  /**
   * A student's held-out accuracy after {@code turns} turns of which the teacher scored {@code
   * calls}; {@code seconds} of wall time to learn them (and, gated, for the gate's predictions).
   */
  record Student(long seed, double accuracy, long turns, long calls, double seconds, long escalated) {

    Student(long seed, double accuracy, long turns, long calls, double seconds) {
      this(seed, accuracy, turns, calls, seconds, 0);
    }
  }

  Option baseline() {
    return options.get(0);
  }

  /**
   * Teacher time per training turn of {@code o}'s gated students, in units of the baseline's time
   * per turn (its median rate): the share {@code o} scored at its rate, and the rest at the
   * fallback's rate when there is one.
   */
  double gatedTeacherTime(Option o) {
    double base = baseline().medianTurnsPerSecond();
    double share = callShare(o.gated());
    double time = o.escalated() != null ? teacherTime(o, o.gated()) : share * base / o.medianTurnsPerSecond();
    if (!fallback.isEmpty()) {
      time += (1 - share) * base / option(fallback).medianTurnsPerSecond();
    }
    return time;
  }

  /**
   * An escalating teacher's time per training turn for {@code students}, in units of the baseline's
   * time per turn: its base's on every call, and its strong teacher's on the calls that escalated,
   * at their median rates (mean over the students).
   */
  double teacherTime(Option o, List<Student> students) {
    double rate = baseline().medianTurnsPerSecond();
    double base = option(o.escalated().base()).medianTurnsPerSecond();
    double strong = option(o.escalated().strong()).medianTurnsPerSecond();
    return students.stream().mapToDouble(s -> (s.calls() / base + s.escalated() / strong) * rate / s.turns())
        .average().orElse(Double.NaN);
  }

  private Option option(String name) {
    return options.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
  }

  static double mean(List<Student> students) {
    return students.stream().mapToDouble(Student::accuracy).average().orElse(Double.NaN);
  }

  static double meanSeconds(List<Student> students) {
    return students.stream().mapToDouble(Student::seconds).average().orElse(Double.NaN);
  }

  static double callShare(List<Student> students) {
    return students.stream().mapToDouble(s -> s.calls() / (double) s.turns()).average().orElse(Double.NaN);
  }

  /** Per seed, {@code a}'s accuracy minus {@code b}'s (the same seed: the same turns in the same order). */
  static double[] pairedDifferences(List<Student> a, List<Student> b) {
    double[] d = new double[a.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = a.get(i).accuracy() - b.get(i).accuracy();
    }
    return d;
  }
}
