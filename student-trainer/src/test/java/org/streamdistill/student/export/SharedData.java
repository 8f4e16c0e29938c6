package org.streamdistill.student.export;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared data sets beside the checkout, whichever module directory a test runs in. */
final class SharedData {
  private SharedData() {}

  static Path clinc150() {
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
}
