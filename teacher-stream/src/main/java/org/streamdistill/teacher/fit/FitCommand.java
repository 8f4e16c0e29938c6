package org.streamdistill.teacher.fit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.dataset.Clinc150.Example;
import org.streamdistill.teacher.model.EncoderId;
import org.streamdistill.teacher.model.EnsembleBundle;
import org.streamdistill.teacher.model.EnsembleTeacher;
import org.streamdistill.teacher.model.FitReport;
import org.streamdistill.teacher.model.MiniLmEncoder;
import org.streamdistill.teacher.model.Teacher;
import org.streamdistill.teacher.model.TeacherBundle;

/**
 * The {@code fit} command: reads CLINC150, fits the teacher head on MiniLM embeddings (see
 * {@link TeacherFit}), prints its test metrics and scoring cost and writes the bundle. With
 * several {@code --encoders} it fits a head on each, combines them ({@link EnsembleFit}), prints
 * each member's and the ensemble's accuracy and turns per second and writes an ensemble bundle. Exit codes: 0 done,
 * 1 the fit failed (unreadable data, unwritable output), 2 bad command line. Run with
 * {@code --help} for the flags.
 */
public final class FitCommand {

  private FitCommand() {}

  public static void main(String[] args) {
    System.exit(run(Arrays.asList(args), System.out, System.err));
  }

  /** Runs the command with the given streams and returns its exit code. */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (FitOptions.wantsHelp(args)) {
      out.print(FitOptions.usage());
      return 0;
    }
    FitOptions options;
    try {
      options = FitOptions.parse(args);
    } catch (UsageException e) {
      err.println("fit: " + e.getMessage());
      return 2;
    }
    Clinc150 data;
    try {
      data = Clinc150.read(options.data());
    } catch (IOException e) {
      err.println("fit: cannot read CLINC150 from " + absolute(options.data()) + ": " + describe(e)
          + " (pass --data PATH)");
      return 1;
    }
    TeacherFit.Splits splits;
    try {
      splits = TeacherFit.Splits.of(data, options.trainShare());
    } catch (IllegalArgumentException e) {
      err.println("fit: " + absolute(options.data()) + " cannot be used: " + e.getMessage());
      return 1;
    }
    out.printf(Locale.ROOT, "fit: %,d training%s, %,d calibration, %,d test examples, %d labels; %d ONNX Runtime threads%n",
        splits.train().size(), options.trainShare() < 1 ? String.format(Locale.ROOT, " (the part below %s of the "
            + "split by text hash, %s)", options.trainShare(), FitOptions.TRAIN_SHARE) : "", splits.calibration().size(),
        splits.test().size(), splits.labels().size(), options.threads());
    long start = System.nanoTime();
    Instant createdAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<String> costTexts = splits.test().stream().limit(options.costTurns()).map(Example::text).toList();
    // Each Teacher takes over its encoder; whatever is open when we leave is closed here.
    List<AutoCloseable> open = new ArrayList<>();
    try {
      List<TeacherFit.Result> results = new ArrayList<>();
      List<TeacherBundle> members = new ArrayList<>();
      List<Teacher> teachers = new ArrayList<>();
      List<Double> rates = new ArrayList<>();
      for (int m = 0; m < options.encoders().size(); m++) {
        EncoderId id = options.encoders().get(m);
        if (options.ensemble()) {
          out.printf(Locale.ROOT, "member %d/%d: %s (%s)%n", m + 1, options.encoders().size(), id.shortName(), id.id());
        }
        MiniLmEncoder encoder;
        try {
          encoder = new MiniLmEncoder(id, options.threads());
        } catch (IOException e) {
          err.println("fit: cannot open the " + id.shortName() + " encoder: " + describe(e));
          return 1;
        }
        open.add(encoder);
        TeacherFit.Result result = new TeacherFit(encoder, options, out::println).fit(splits, createdAt);
        Teacher teacher = new Teacher(result.bundle(), encoder);
        open.set(open.size() - 1, teacher);
        double rate = ScoringCost.turnsPerSecond(teacher, costTexts, options.embedBatchSize());
        results.add(result);
        members.add(result.bundle().withFit(result.bundle().fit().withScoringTurnsPerSecond(rate)));
        teachers.add(teacher);
        rates.add(rate);
        printMetrics(out, id.shortName(), result.test(), result.bundle().temperature());
        out.printf(Locale.ROOT, "embedding throughput:   %.0f sentences/s%n", result.sentencesPerSecond());
        printCost(out, rate, costTexts.size(), options);
      }
      if (!options.ensemble()) {
        return save(members.get(0).teacherVersion(), members.get(0).labelSetId(), members.get(0)::save, options,
            start, out, err);
      }
      EnsembleFit.Result ensemble = EnsembleFit.fit(members, results, options.memberWeights(), splits,
          options.temperature(), options.describeFit(), createdAt, out::println);
      List<Teacher> kept = new ArrayList<>();
      for (int m = 0; m < teachers.size(); m++) {
        if (ensemble.weights()[m] > 0) {
          kept.add(teachers.get(m));
        } else {
          out.printf(Locale.ROOT, "%s left out of the ensemble (weight 0)%n", members.get(m).encoder().shortName());
        }
      }
      EnsembleTeacher ensembleTeacher = new EnsembleTeacher(ensemble.bundle(), kept);
      open.removeAll(kept);
      open.add(ensembleTeacher);
      double rate = ScoringCost.turnsPerSecond(ensembleTeacher, costTexts, options.embedBatchSize());
      EnsembleBundle bundle = ensemble.bundle().withFit(ensemble.bundle().fit().withScoringTurnsPerSecond(rate));
      printMetrics(out, "ensemble", ensemble.test(), bundle.temperature());
      printCost(out, rate, costTexts.size(), options);
      printTable(out, members, results, ensemble.weights(), bundle, ensemble.validation(), rates, rate);
      if (options.memberWeights() == null) {
        double[] equal = new double[members.size()];
        java.util.Arrays.fill(equal, 1.0);
        double[] plain = EnsembleFit.inScopeAccuracies(results, equal, splits);
        out.printf(Locale.ROOT, "for comparison, all %d members at equal weights: val %.4f, test %.4f in-scope accuracy%n",
            members.size(), plain[0], plain[1]);
      }
      return save(bundle.teacherVersion(), bundle.labelSetId(), bundle::save, options, start, out, err);
    } catch (IllegalArgumentException e) {
      err.println("fit: " + e.getMessage());
      return 1;
    } finally {
      for (AutoCloseable resource : open) {
        try {
          resource.close();
        } catch (Exception e) {
          err.println("fit: closing " + resource + " failed: " + e);
        }
      }
    }
  }

  /** The figures of one teacher (member or ensemble) on the test split. */
  private static void printMetrics(PrintStream out, String name, Evaluation test, double temperature) {
    out.printf(Locale.ROOT, "%s:%n", name);
    out.printf(Locale.ROOT, "in-scope test accuracy: %.4f (%,d examples)%n", test.inScopeAccuracy(), test.inScopeExamples());
    out.printf(Locale.ROOT, "oos test recall:        %.4f (%,d examples)%n", test.oosRecall(), test.oosExamples());
    out.printf(Locale.ROOT, "soft labels at T=%s:   mean entropy %.3f nats, mean top-label probability %.3f%n",
        temperature, test.meanEntropyNats(), test.meanTopProbability());
  }

  private static void printCost(PrintStream out, double rate, int turns, FitOptions options) {
    if (turns > 0) {
      out.printf(Locale.ROOT, "scoring cost:           %.0f turns/s (%,d test turns in order, batches of %d, %d ONNX Runtime threads)%n",
          rate, turns, options.embedBatchSize(), options.threads());
    }
  }

  /**
   * Each member's and the ensemble's figures side by side: weight, in-scope accuracy on the
   * validation split (where choices are made) and the test split, oos recall on test, turns/s and
   * turns/s relative to the first member.
   */
  private static void printTable(PrintStream out, List<TeacherBundle> members, List<TeacherFit.Result> results,
      double[] weights, EnsembleBundle ensemble, Evaluation ensembleValidation, List<Double> rates,
      double ensembleRate) {
    out.printf(Locale.ROOT, "%-14s %8s %8s %8s %10s %10s %8s%n", "teacher", "weight", "val", "test", "oos recall",
        "turns/s", "x first");
    for (int m = 0; m < members.size(); m++) {
      FitReport fit = members.get(m).fit();
      Evaluation validation = results.get(m).validation();
      out.printf(Locale.ROOT, "%-14s %8.3f %8.4f %8.4f %10.4f %10s %8s%n", members.get(m).encoder().shortName(),
          weights[m], validation == null ? Double.NaN : validation.inScopeAccuracy(), fit.inScopeTestAccuracy(),
          fit.oosTestRecall(), timed("%.0f", rates.get(m)), timed("%.2f", rates.get(m) / rates.get(0)));
    }
    FitReport fit = ensemble.fit();
    out.printf(Locale.ROOT, "%-14s %8s %8.4f %8.4f %10.4f %10s %8s%n", "ensemble", "",
        ensembleValidation == null ? Double.NaN : ensembleValidation.inScopeAccuracy(), fit.inScopeTestAccuracy(),
        fit.oosTestRecall(), timed("%.0f", ensembleRate), timed("%.2f", ensembleRate / rates.get(0)));
    out.println("(val and test: in-scope accuracy on CLINC150's validation and test splits; oos recall on test"
        + (Double.isNaN(ensembleRate) ? "; turns/s not timed: --cost-turns 0)" : ")"));
  }

  /** A rate or ratio, or "-" when the scoring cost was not timed (--cost-turns 0 gives NaN). */
  private static String timed(String format, double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, format, value);
  }

  /** Something that writes a bundle to a directory. */
  private interface Saver {
    void save(Path dir) throws IOException;
  }

  private static int save(String version, String labelSetId, Saver saver, FitOptions options, long start,
      PrintStream out, PrintStream err) {
    try {
      saver.save(options.out());
    } catch (IOException e) {
      err.println("fit: cannot write the bundle to " + absolute(options.out()) + ": " + describe(e));
      return 1;
    }
    out.printf(Locale.ROOT, "wrote %s (label set %s) to %s in %.0f s%n", version, labelSetId,
        absolute(options.out()), (System.nanoTime() - start) / 1e9);
    return 0;
  }

  private static Path absolute(Path path) {
    return path.toAbsolutePath().normalize();
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    String kind = e.getClass().getSimpleName();
    return message == null ? kind : (kind.equals("IOException") ? message : kind + ": " + message);
  }
}
