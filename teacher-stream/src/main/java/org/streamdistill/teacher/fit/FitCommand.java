package org.streamdistill.teacher.fit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.teacher.model.MiniLmEncoder;
import org.streamdistill.teacher.model.TeacherBundle;

/**
 * The {@code fit} command: reads CLINC150, fits the teacher head on MiniLM embeddings (see
 * {@link TeacherFit}), prints its test metrics and writes the bundle. Exit codes: 0 done,
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
      splits = TeacherFit.Splits.of(data);
    } catch (IllegalArgumentException e) {
      err.println("fit: " + absolute(options.data()) + " cannot be used: " + e.getMessage());
      return 1;
    }
    out.printf(Locale.ROOT, "fit: %,d training, %,d calibration, %,d test examples, %d labels; %d ONNX Runtime threads%n",
        splits.train().size(), splits.calibration().size(), splits.test().size(), splits.labels().size(),
        options.threads());
    long start = System.nanoTime();
    TeacherFit.Result result;
    try (MiniLmEncoder encoder = new MiniLmEncoder(options.threads())) {
      result = new TeacherFit(encoder, options, out::println).fit(splits, Instant.now().truncatedTo(ChronoUnit.SECONDS));
    } catch (IOException e) {
      err.println("fit: cannot open the MiniLM encoder: " + describe(e));
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("fit: " + e.getMessage());
      return 1;
    }
    Evaluation test = result.test();
    TeacherBundle bundle = result.bundle();
    out.printf(Locale.ROOT, "in-scope test accuracy: %.4f (%,d examples)%n", test.inScopeAccuracy(), test.inScopeExamples());
    out.printf(Locale.ROOT, "oos test recall:        %.4f (%,d examples)%n", test.oosRecall(), test.oosExamples());
    out.printf(Locale.ROOT, "soft labels at T=%s:   mean entropy %.3f nats, mean top-label probability %.3f%n",
        bundle.temperature(), test.meanEntropyNats(), test.meanTopProbability());
    out.printf(Locale.ROOT, "embedding throughput:   %.0f sentences/s%n", result.sentencesPerSecond());
    try {
      bundle.save(options.out());
    } catch (IOException e) {
      err.println("fit: cannot write the bundle to " + absolute(options.out()) + ": " + describe(e));
      return 1;
    }
    out.printf(Locale.ROOT, "wrote %s (label set %s) to %s in %.0f s%n", bundle.teacherVersion(),
        bundle.labelSetId(), absolute(options.out()), (System.nanoTime() - start) / 1e9);
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
