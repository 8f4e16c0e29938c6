package org.streamdistill.producers.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamdistill.producers.experiment.ReplayRange.PartitionRange;

class ReplayRangeTest {

  private static final Map<Integer, Long> EARLIEST = Map.of(0, 10L, 1, 0L);
  private static final Map<Integer, Long> LATEST = Map.of(0, 100L, 1, 50L);

  @Test
  void shouldDefaultToEverythingUpToTheCurrentEnd() {
    ReplayRange range = ReplayRange.resolve("t", EARLIEST, LATEST, OffsetBound.none(), OffsetBound.none(), null, null);

    assertThat(range.partitions()).containsExactly(new PartitionRange(0, 10, 100), new PartitionRange(1, 0, 50));
    assertThat(range.size()).isEqualTo(140);
    assertThat(range.asFlags()).isEqualTo("--replay.from-offsets 0:10,1:0 --replay.to-offsets 0:100,1:50");
  }

  @Test
  void shouldClampOffsetsToWhatTheTopicHolds() {
    ReplayRange range = ReplayRange.resolve("t", EARLIEST, LATEST, OffsetBound.parse("5"),
        OffsetBound.parse("0:80,1:500"), null, null);

    assertThat(range.partitions()).containsExactly(new PartitionRange(0, 10, 80), new PartitionRange(1, 5, 50));
  }

  @Test
  void shouldUseTimeOffsetsAndTheEndWhereNoRecordIsThatLate() {
    Map<Integer, Long> fromTime = Map.of(0, 30L, 1, 20L);
    Map<Integer, Long> toTime = new HashMap<>();
    toTime.put(0, 60L);
    toTime.put(1, null);

    ReplayRange range = ReplayRange.resolve("t", EARLIEST, LATEST, OffsetBound.none(), OffsetBound.none(), fromTime, toTime);

    assertThat(range.partitions()).containsExactly(new PartitionRange(0, 30, 60), new PartitionRange(1, 20, 50));
  }

  @Test
  void shouldMakeAnEmptyRangeWhenTheEndIsBeforeTheStart() {
    ReplayRange range = ReplayRange.resolve("t", EARLIEST, LATEST, OffsetBound.parse("40"), OffsetBound.parse("20"),
        null, null);

    assertThat(range.partitions()).containsExactly(new PartitionRange(0, 40, 40), new PartitionRange(1, 40, 40));
    assertThat(range.size()).isZero();
  }

  @Test
  void shouldRefusePartitionsTheTopicLacksOrLeavesOut() {
    assertThatThrownBy(() -> ReplayRange.resolve("t", EARLIEST, LATEST, OffsetBound.parse("0:1,7:2"),
        OffsetBound.none(), null, null)).hasMessage("t has no partition 7 (it has 2)");
    assertThatThrownBy(() -> ReplayRange.resolve("t", EARLIEST, LATEST, OffsetBound.parse("0:1"),
        OffsetBound.none(), null, null)).hasMessageStartingWith("no offset for partition 1");
  }
}
