package org.streamdistill.deploy.teacher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.dataset.Clinc150.Example;
import org.streamdistill.teacher.fit.FitOptions;
import org.streamdistill.teacher.fit.TeacherFit;
import org.streamdistill.teacher.model.MiniLmEncoder;
import org.streamdistill.teacher.model.TeacherBundle;

/**
 * A real but small MiniLM teacher for integration tests: the softmax head fitted on the first
 * few training utterances of every CLINC150 label (out-of-scope included), so the bundle has
 * the full 151-label set yet fits in seconds instead of the minutes the shipped teacher takes.
 */
public final class SmallTeacherBundle {

  /** The teacher fitted in this JVM for each (data file, utterances per label). */
  private static final Map<String, TeacherBundle> FITTED = new HashMap<>();

  private SmallTeacherBundle() {}

  /** Walks up from the working directory to {@code shared/data/clinc150/data_full.json}. */
  public static Path clinc150Path() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("shared/data/clinc150/data_full.json");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("shared/data/clinc150/data_full.json not found above "
        + Path.of("").toAbsolutePath());
  }

  /**
   * Fits a head on {@code perLabel} training utterances of each label (evaluated on one
   * validation utterance per label, not calibrated) and saves the bundle to {@code dir}.
   *
   * <p>Fitted once per JVM for each data file and {@code perLabel}, then saved again for each
   * caller: failsafe runs every integration test in one JVM, 16 of their classes need such a
   * teacher, and each fit costs seconds of MiniLM encoding on a 2-core machine. The fit is seeded
   * and its clock fixed, so the saved bundle is what a new fit would write; each test gets its own
   * directory, and its own instance loaded from it, to change as it likes.
   */
  public static synchronized TeacherBundle fitAndSave(Clinc150 data, Path dataPath, int perLabel, Path dir)
      throws IOException {
    String key = dataPath.toAbsolutePath().normalize() + "#" + perLabel;
    TeacherBundle fitted = FITTED.get(key);
    if (fitted == null) {
      fitted = fit(data, dataPath, perLabel, dir);
      FITTED.put(key, fitted);
    }
    fitted.save(dir);
    return TeacherBundle.load(dir);
  }

  private static TeacherBundle fit(Clinc150 data, Path dataPath, int perLabel, Path dir) throws IOException {
    List<Example> train = firstPerLabel(data.trainWithOos(), perLabel);
    List<Example> test = new ArrayList<>(data.split("val"));
    test.addAll(data.split("oos_val"));
    test = firstPerLabel(test, 1);
    TeacherFit.Splits splits = new TeacherFit.Splits(train, List.of(), test, data.labels());
    int threads = Runtime.getRuntime().availableProcessors();
    FitOptions options = new FitOptions(dataPath, dir, FitOptions.DEFAULT_TEMPERATURE, 20, 64, 0.01, 1e-6, 10, 42,
        threads, 32);
    try (MiniLmEncoder encoder = new MiniLmEncoder(threads)) {
      return new TeacherFit(encoder, options, status -> {}).fit(splits, Instant.parse("2026-01-01T00:00:00Z"))
          .bundle();
    }
  }

  private static List<Example> firstPerLabel(List<Example> examples, int perLabel) {
    Map<String, Integer> taken = new HashMap<>();
    List<Example> chosen = new ArrayList<>();
    for (Example e : examples) {
      if (taken.merge(e.label(), 1, Integer::sum) <= perLabel) {
        chosen.add(e);
      }
    }
    return chosen;
  }
}
