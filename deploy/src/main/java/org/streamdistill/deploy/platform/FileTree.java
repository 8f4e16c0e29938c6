package org.streamdistill.deploy.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deletes a directory and everything under it (a run's work directory, a broker's log directory). */
public final class FileTree {

  private FileTree() {}

  /**
   * Deletes {@code dir} and its contents, deepest first; nothing when it does not exist. Goes on
   * past a path it cannot delete, so that as little as possible is left behind.
   *
   * @throws IOException the first failure, with the later ones suppressed in it
   */
  public static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    IOException failure = null;
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
