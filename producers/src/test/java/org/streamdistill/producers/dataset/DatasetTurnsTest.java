package org.streamdistill.producers.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.DialogueTurn;

class DatasetTurnsTest {

  private static final long NOW = Instant.parse("2026-12-03T12:00:00Z").toEpochMilli();

  private static DatasetReplayOptions options(long seed, boolean shuffle, boolean timestampOrder, double gold,
                                              double heldOut) {
    return new DatasetReplayOptions("bank", seed, 0, gold, heldOut, 4, shuffle, timestampOrder, false);
  }

  private static List<DatasetRow> utterances(int count) {
    return IntStream.range(0, count).mapToObj(i -> new DatasetRow(i + 2, "text " + i, "label" + (i % 3), null,
        null, "user")).toList();
  }

  private static List<DialogueTurn> turns(List<DatasetRow> rows, DatasetReplayOptions options) {
    List<DialogueTurn> turns = new ArrayList<>();
    new DatasetTurns(rows, options, () -> 1_000L).forEach(turns::add);
    return turns;
  }

  @Test
  void shouldGroupUtterancesIntoConversationsNumberedFromZero() {
    List<DialogueTurn> turns = turns(utterances(1_000), options(7, false, false, 1.0, 0.0));

    assertThat(turns).hasSize(1_000);
    assertThat(turns).extracting(DialogueTurn::getText)
        .containsExactlyElementsOf(IntStream.range(0, 1_000).mapToObj(i -> "text " + i).toList());
    Map<String, List<Integer>> indexes = new HashMap<>();
    turns.forEach(t -> indexes.computeIfAbsent(t.getConversationId(), c -> new ArrayList<>()).add(t.getTurnIndex()));
    assertThat(indexes.values()).allSatisfy(list -> {
      assertThat(list.size()).isBetween(1, 4);
      assertThat(list).isEqualTo(IntStream.range(0, list.size()).boxed().toList());
    });
    assertThat(indexes.keySet()).allMatch(id -> id.startsWith("bank-s7-"));
    assertThat(turns.get(0).getTurnId()).isEqualTo("bank-2");
    assertThat(turns.get(0).getSource()).isEqualTo("dataset:bank");
    assertThat(turns.get(0).getEventTime()).isEqualTo(Instant.ofEpochMilli(1_000));
    assertThat(turns).allMatch(t -> t.getGoldLabel() != null && !t.getHeldOut());
  }

  @Test
  void shouldGiveTheSameTurnsForTheSameSeedAndAnotherOrderForAnother() {
    List<DialogueTurn> first = turns(utterances(500), options(11, true, false, 0.3, 0.1));
    List<DialogueTurn> second = turns(utterances(500), options(11, true, false, 0.3, 0.1));
    List<DialogueTurn> other = turns(utterances(500), options(12, true, false, 0.3, 0.1));

    assertThat(first).isEqualTo(second);
    assertThat(first).extracting(DialogueTurn::getText).isNotEqualTo(other.stream().map(DialogueTurn::getText).toList());
    assertThat(first).extracting(DialogueTurn::getText).containsExactlyInAnyOrderElementsOf(
        other.stream().map(DialogueTurn::getText).toList());
  }

  @Test
  void shouldKeepSparseLabelsAndAlwaysLabelHeldOutTurns() {
    List<DialogueTurn> turns = turns(utterances(10_000), options(3, false, false, 0.1, 0.2));

    long heldOut = turns.stream().filter(DialogueTurn::getHeldOut).count();
    long labelledTraining = turns.stream().filter(t -> !t.getHeldOut() && t.getGoldLabel() != null).count();
    assertThat(heldOut / 10_000.0).isBetween(0.18, 0.22);
    assertThat(labelledTraining / (10_000.0 - heldOut)).isBetween(0.08, 0.12);
    assertThat(turns).filteredOn(DialogueTurn::getHeldOut).allMatch(t -> t.getGoldLabel() != null);
  }

  @Test
  void shouldUseTheFilesConversationsInTimestampOrderWithOriginalTimes() {
    List<DatasetRow> rows = List.of(
        new DatasetRow(2, "second", null, "A", Instant.parse("2024-05-01T12:00:05Z"), "agent"),
        new DatasetRow(3, "first", null, "A", Instant.parse("2024-05-01T12:00:00Z"), "user"),
        new DatasetRow(4, "other", null, "B", Instant.parse("2024-05-01T12:00:05Z"), "user"));
    DatasetTurns turns = new DatasetTurns(rows, new DatasetReplayOptions("bank", 1, 0, 1.0, 0.0, 4, false, true, true),
        () -> NOW);

    List<DialogueTurn> list = new ArrayList<>();
    turns.forEach(list::add);

    assertThat(list).extracting(DialogueTurn::getText, DialogueTurn::getConversationId, DialogueTurn::getTurnIndex,
        DialogueTurn::getSpeaker).containsExactly(
            org.assertj.core.groups.Tuple.tuple("first", "bank-A", 0, "user"),
            org.assertj.core.groups.Tuple.tuple("second", "bank-A", 1, "agent"),
            org.assertj.core.groups.Tuple.tuple("other", "bank-B", 0, "user"));
    assertThat(list.get(0).getEventTime()).isEqualTo(Instant.parse("2024-05-01T12:00:00Z"));
    assertThat(turns.originalTimesMillis()).containsExactly(
        Instant.parse("2024-05-01T12:00:00Z").toEpochMilli(), Instant.parse("2024-05-01T12:00:05Z").toEpochMilli(),
        Instant.parse("2024-05-01T12:00:05Z").toEpochMilli());
  }

  @Test
  void shouldLeaveOutAndCountRowsWhoseOriginalTimeKafkaCannotCarry() {
    List<DatasetRow> rows = List.of(
        new DatasetRow(2, "too early", null, "A", Instant.parse("1969-12-31T23:59:59Z"), "user"),
        new DatasetRow(3, "fine", null, "A", Instant.parse("2024-05-01T12:00:00Z"), "user"),
        new DatasetRow(4, "too late", null, "B", Instant.ofEpochMilli(NOW).plusSeconds(3_601), "user"),
        new DatasetRow(5, "just in time", null, "B", Instant.ofEpochMilli(NOW).plusSeconds(3_600), "user"));
    DatasetTurns turns = new DatasetTurns(rows, new DatasetReplayOptions("bank", 1, 0, 1.0, 0.0, 4, false, true, true),
        () -> NOW);

    List<DialogueTurn> list = new ArrayList<>();
    turns.forEach(list::add);

    assertThat(list).extracting(DialogueTurn::getText).containsExactly("fine", "just in time");
    assertThat(list).extracting(DialogueTurn::getTurnIndex).containsExactly(0, 0);
    assertThat(turns.leftOutForEventTime()).isEqualTo(2);
    assertThat(turns.leftOutExamples(5)).containsExactly(
        "line 2: event time 1969-12-31T23:59:59Z is before 1970-01-01T00:00:00Z",
        "line 4: event time 2026-12-03T13:00:01Z is more than 1 hour after 2026-12-03T12:00:00Z");
  }

  @Test
  void shouldKeepEveryRowWhenTurnsAreStampedWithTheSendTime() {
    List<DatasetRow> rows = List.of(new DatasetRow(2, "old", null, "A", Instant.parse("1969-12-31T23:59:59Z"), "user"));

    DatasetTurns turns = new DatasetTurns(rows, new DatasetReplayOptions("bank", 1, 0, 1.0, 0.0, 4, false, true, false),
        () -> NOW);

    assertThat(turns.size()).isEqualTo(1);
    assertThat(turns.leftOutForEventTime()).isZero();
  }

  @Test
  void shouldRefuseTimestampOrderWhenARowHasNoTimestamp() {
    List<DatasetRow> rows = List.of(new DatasetRow(2, "a", null, null, null, "user"));

    assertThatThrownBy(() -> new DatasetTurns(rows, options(1, false, true, 1, 0), () -> 0L))
        .hasMessage("line 2 has no timestamp: the original pace and original event times need one on every row "
            + "(map the timestamp column)");
  }

  @Test
  void shouldStopAtTheLimit() {
    DatasetReplayOptions limited = new DatasetReplayOptions("bank", 1, 10, 1.0, 0.0, 4, false, false, false);

    assertThat(turns(utterances(100), limited)).hasSize(10);
  }
}
