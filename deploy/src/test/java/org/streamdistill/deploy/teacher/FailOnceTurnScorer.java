package org.streamdistill.deploy.teacher;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.streamdistill.teacher.job.TurnScorer;

/**
 * A test teacher that fails the job once: it delegates to a real scorer, but throws the first
 * time a batch holds a chosen text. "Once" must survive restarts, which discard operator state,
 * so it is a marker file created atomically in a directory outside the job ({@value #THROWN}).
 * Every {@link Factory#open()} also leaves a file {@code opened-*} there, so a test can count the
 * scorer's (re)starts.
 */
final class FailOnceTurnScorer implements TurnScorer {

  static final String THROWN = "thrown";
  static final String OPENED_PREFIX = "opened-";

  /**
   * Thrown on the chosen text. An {@link Error}, as a native crash or running out of memory would
   * be: the scoring operator absorbs a scorer's exceptions (it splits the batch and retries), so
   * only an error fails the task and exercises the restart from the last checkpoint.
   */
  static final class InjectedFailure extends Error {
    InjectedFailure(String message) {
      super(message);
    }
  }

  private final TurnScorer delegate;
  private final String failOn;
  private final Path markers;

  private FailOnceTurnScorer(TurnScorer delegate, String failOn, Path markers) {
    this.delegate = delegate;
    this.failOn = failOn;
    this.markers = markers;
  }

  /** Wraps {@code delegate}; the job fails the first time a batch holds {@code failOn}. */
  static TurnScorer.Factory factory(TurnScorer.Factory delegate, String failOn, Path markers) {
    String markerDir = markers.toString(); // Path is not Serializable
    return () -> {
      Path dir = Path.of(markerDir);
      Files.createFile(dir.resolve(OPENED_PREFIX + UUID.randomUUID()));
      return new FailOnceTurnScorer(delegate.open(), failOn, dir);
    };
  }

  static boolean thrown(Path markers) {
    return Files.exists(markers.resolve(THROWN));
  }

  static long opened(Path markers) throws IOException {
    try (var files = Files.list(markers)) {
      return files.filter(f -> f.getFileName().toString().startsWith(OPENED_PREFIX)).count();
    }
  }

  @Override
  public List<Score> score(List<String> texts) throws Exception {
    if (texts.contains(failOn)) {
      try {
        Files.createFile(markers.resolve(THROWN));
        throw new InjectedFailure("injected failure on the turn whose text is '" + failOn + "'");
      } catch (FileAlreadyExistsException alreadyFailedOnce) {
        // Failed before a restart: score it this time.
      }
    }
    return delegate.score(texts);
  }

  @Override
  public List<String> labels() {
    return delegate.labels();
  }

  @Override
  public String version() {
    return delegate.version();
  }

  @Override
  public float temperature() {
    return delegate.temperature();
  }

  @Override
  public String labelSetId() {
    return delegate.labelSetId();
  }

  @Override
  public void close() throws Exception {
    delegate.close();
  }
}
