package org.streamdistill.producers.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.records.DialogueTurn;

class Clinc150TurnsTest {

  private static Clinc150 data;

  @BeforeAll
  static void readCorpus() throws IOException {
    data = Clinc150.read(sharedClinc150());
  }

  static Path sharedClinc150() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared/data/clinc150/data_full.json");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("shared/data/clinc150/data_full.json not found");
  }

  private static List<DialogueTurn> replay(ReplayOptions options) {
    List<DialogueTurn> turns = new ArrayList<>();
    new Clinc150Turns(data, options, () -> 1000L).forEach(turns::add);
    return turns;
  }

  @Test
  void shouldReplayTrainPassesThenHeldOutTestWithSparseGold() {
    List<DialogueTurn> turns = replay(new ReplayOptions(2, true, 0.1, 7, 0, 6));

    assertThat(turns).hasSize(2 * 15_100 + 5_500);
    List<DialogueTurn> train = turns.subList(0, 30_200);
    List<DialogueTurn> test = turns.subList(30_200, turns.size());
    assertThat(train).allMatch(t -> !t.getHeldOut() && t.getSource().equals(Clinc150Turns.SOURCE_TRAIN));
    assertThat(test).allMatch(t -> t.getHeldOut() && t.getGoldLabel() != null
        && t.getSource().equals(Clinc150Turns.SOURCE_TEST));
    long labelled = train.stream().filter(t -> t.getGoldLabel() != null).count();
    assertThat(labelled / 30_200.0).isBetween(0.09, 0.11);
    assertThat(turns.stream().map(DialogueTurn::getTurnId).distinct().count()).isEqualTo(turns.size());
  }

  @Test
  void shouldNumberTurnsWithinEachConversationFromZero() {
    List<DialogueTurn> turns = replay(new ReplayOptions(1, true, 0.1, 7, 0, 4));

    Map<String, List<Integer>> indexes = new HashMap<>();
    turns.forEach(t -> indexes.computeIfAbsent(t.getConversationId(), c -> new ArrayList<>()).add(t.getTurnIndex()));
    assertThat(indexes.values()).allSatisfy(list -> {
      assertThat(list.size()).isBetween(1, 4);
      for (int i = 0; i < list.size(); i++) {
        assertThat(list.get(i)).isEqualTo(i);
      }
    });
  }

  @Test
  void shouldGiveTheSameTurnsForTheSameSeedAndOthersForAnother() {
    ReplayOptions options = new ReplayOptions(1, true, 0.1, 11, 500, 6);

    List<DialogueTurn> first = replay(options);
    List<DialogueTurn> second = replay(options);
    List<DialogueTurn> other = replay(new ReplayOptions(1, true, 0.1, 12, 500, 6));

    assertThat(first).hasSize(500).isEqualTo(second);
    assertThat(first.stream().map(DialogueTurn::getText).toList())
        .isNotEqualTo(other.stream().map(DialogueTurn::getText).toList());
  }

  @Test
  void shouldReplayEveryTrainingUtteranceOncePerPass() {
    List<DialogueTurn> turns = replay(new ReplayOptions(1, false, 0.0, 3, 0, 6));

    assertThat(turns).hasSize(15_100).allMatch(t -> t.getGoldLabel() == null);
    Set<String> texts = new HashSet<>();
    turns.forEach(t -> texts.add(t.getText()));
    Set<String> expected = new HashSet<>();
    data.trainWithOos().forEach(e -> expected.add(e.text()));
    assertThat(texts).isEqualTo(expected);
  }

  @Test
  void shouldReplayOnlyTheTrainingPartNoHeadWasFittedOnWhenTold() {
    List<DialogueTurn> turns = replay(new ReplayOptions(1, true, 0.0, 3, 0, 6, 0.5));

    Set<String> texts = new HashSet<>();
    turns.stream().filter(t -> !t.getHeldOut()).forEach(t -> texts.add(t.getText()));
    Set<String> expected = new HashSet<>();
    data.trainWithOos(0.5, 1).forEach(e -> expected.add(e.text()));
    // the part fit --fit.train-share 0.5 left out: 7,629 examples (as fit printed), then the whole test split
    assertThat(turns.stream().filter(t -> !t.getHeldOut())).hasSize(7_629);
    assertThat(texts).isEqualTo(expected);
    assertThat(turns.stream().filter(DialogueTurn::getHeldOut)).hasSize(data.testWithOos().size());
    assertThatThrownBy(() -> new ReplayOptions(1, true, 0.1, 1, 0, 6, 1.0))
        .hasMessage("the training part to replay starts in [0, 1), got 1.0");
  }

  @Test
  void shouldRefuseInvalidOptionsWithTheValue() {
    assertThatThrownBy(() -> new ReplayOptions(1, true, 1.5, 1, 0, 6))
        .hasMessage("gold fraction must be within [0, 1], got 1.5");
    assertThatThrownBy(() -> new ReplayOptions(-1, true, 0.1, 1, 0, 6))
        .hasMessage("passes must be >= 0, got -1");
  }
}
