package org.streamdistill.teacher.fit;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared CLINC150 file, which lives beside the checkout, not inside it. */
final class TestData {

  private static final Path RELATIVE = Path.of("shared", "data", "clinc150", "data_full.json");

  private TestData() {}

  /**
   * Walks up from the working directory (the module directory under Maven) until
   * {@code shared/data/clinc150/data_full.json} exists below a directory.
   *
   * @throws IllegalStateException naming where it looked if there is no such file
   */
  static Path clinc150() {
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(RELATIVE);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("no " + RELATIVE + " in " + start + " or any directory above it; "
        + "the CLINC150 data set must sit beside the checkout");
  }
}
