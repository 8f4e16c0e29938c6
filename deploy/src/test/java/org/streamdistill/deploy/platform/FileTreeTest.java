package org.streamdistill.deploy.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreeTest {

  @Test
  void shouldDeleteADirectoryWithEverythingUnderItAndIgnoreOneThatIsNotThere(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("work");
    Files.createDirectories(dir.resolve("a/b"));
    Files.writeString(dir.resolve("a/b/c.txt"), "x");
    Files.writeString(dir.resolve("d.txt"), "y");

    FileTree.delete(dir);
    FileTree.delete(dir);

    assertThat(dir).doesNotExist();
    assertThat(tmp).exists();
  }
}
