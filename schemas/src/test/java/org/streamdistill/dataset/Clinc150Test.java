package org.streamdistill.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Clinc150Test {

  @Test
  void shouldReadEverySplitOfTheSharedCorpus() throws IOException {
    Clinc150 data = Clinc150.read(SharedData.clinc150());

    assertThat(data.split("train")).hasSize(15_000);
    assertThat(data.split("test")).hasSize(4_500);
    assertThat(data.split("oos_test")).hasSize(1_000);
    assertThat(data.trainWithOos()).hasSize(15_100);
    assertThat(data.testWithOos()).hasSize(5_500);
    assertThat(data.labels()).hasSize(151).endsWith("oos").doesNotHaveDuplicates()
        .startsWith("accept_reservations");
    assertThat(data.labels().subList(0, 150)).isSorted();
    assertThat(data.split("train").get(0))
        .isEqualTo(new Clinc150.Example("what expression would i use to say i love you if i were an italian", "translate"));
  }

  @Test
  void shouldNameTheMissingFile(@TempDir Path dir) {
    Path missing = dir.resolve("nope.json");
    assertThatThrownBy(() -> Clinc150.read(missing))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("nope.json");
  }

  @Test
  void shouldRefuseAFileThatIsNotClinc150(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("x.json"), "{\"train\": [[\"hi\", \"greet\"]]}");
    assertThatThrownBy(() -> Clinc150.read(file))
        .isInstanceOf(IOException.class).hasMessageContaining("split 'test' is missing");
  }
}
