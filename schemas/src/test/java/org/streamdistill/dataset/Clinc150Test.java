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
  void shouldSplitTheTrainingTurnsIntoPartsThatCoverThemOnceAndHoldEveryIntent() throws IOException {
    Clinc150 data = Clinc150.read(SharedData.clinc150());

    java.util.List<Clinc150.Example> first = data.trainWithOos(0, 0.5);
    java.util.List<Clinc150.Example> rest = data.trainWithOos(0.5, 1);

    // every training turn in exactly one part, about half in each, every label in both
    assertThat(first.size() + rest.size()).isEqualTo(15_100);
    assertThat(first).doesNotContainAnyElementsOf(rest);
    // the size fit printed for --fit.train-share 0.5: a change of the hash would move turns between parts
    assertThat(first.size()).isEqualTo(7_471);
    assertThat(first.stream().map(Clinc150.Example::label).distinct()).hasSize(151);
    assertThat(rest.stream().map(Clinc150.Example::label).distinct()).hasSize(151);
    // a part is fixed: the same turns on every read, in the split's order
    assertThat(Clinc150.read(SharedData.clinc150()).trainWithOos(0, 0.5)).isEqualTo(first);
    assertThat(data.trainWithOos(0, 1)).isEqualTo(data.trainWithOos());
    assertThat(Clinc150.hashPosition("what is my balance")).isEqualTo(Clinc150.hashPosition("what is my balance"))
        .isBetween(0.0, 1.0).isNotEqualTo(Clinc150.hashPosition("what is my balance?"));
    assertThatThrownBy(() -> data.trainWithOos(0.5, 0.5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0 <= from < to <= 1");
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
