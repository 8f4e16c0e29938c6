package org.streamdistill.student.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-partition offsets and what a commit says about them, on plain strings. */
class PartitionProgressTest {

  private final PartitionProgress<String> progress = new PartitionProgress<>();

  @Test
  void shouldReplayWithoutPublishingBelowTheCommittedOffsetAndNeverCommitBehindIt() {
    // Given a restore from checkpoint 2: replay p0 from 100, published up to 130
    progress.restore(Map.of("p0", 100L), Map.of("p0", 130L));

    // When turns 100 to 119 are read again
    for (long offset = 100; offset < 120; offset++) {
      progress.read("p0", offset);
    }

    // Then they were published before, the replay goes on, and the commit stays at 130
    assertThat(progress.published("p0", 119)).isTrue();
    assertThat(progress.published("p0", 130)).isFalse();
    assertThat(progress.replaying()).isTrue();
    assertThat(progress.toCommit(2, p -> List.of(125L))).isEqualTo(Map.of("p0",
        new PartitionProgress.PartitionCommit(130, new CommittedProgress(2, 100, List.of(125L)))));
  }

  @Test
  void shouldCommitTheNextOffsetAndTheCheckpointsResumeOffsetOnceTheReplayIsOver() {
    progress.restore(Map.of("p0", 100L), Map.of("p0", 102L));
    progress.read("p0", 100);
    progress.read("p0", 101);
    progress.read("p0", 102);
    assertThat(progress.replaying()).isFalse();

    progress.checkpointed(Map.of("p0", 103L));

    assertThat(progress.toCommit(3, p -> List.of())).isEqualTo(Map.of("p0",
        new PartitionProgress.PartitionCommit(103, new CommittedProgress(3, 103, List.of()))));
  }

  @Test
  void shouldStartANewPartitionWhereItIsFirstReadAndOnlyMoveForwardPastMarkers() {
    progress.start("p1", 40);

    assertThat(progress.advanceTo("p1", 39)).isFalse();
    assertThat(progress.advanceTo("p1", 42)).isTrue();
    assertThat(progress.positions()).isEqualTo(Map.of("p1", 42L));
    assertThat(progress.toCommit(0, p -> List.of())).isEqualTo(Map.of("p1",
        new PartitionProgress.PartitionCommit(42, new CommittedProgress(0, 40, List.of()))));
  }

  @Test
  void shouldNeitherReplayNorCommitPartitionsItNoLongerHolds() {
    progress.restore(Map.of("p0", 1L, "p1", 2L), Map.of("p0", 1L, "p1", 9L));

    progress.retainOnly(List.of("p0"));

    assertThat(progress.replaying()).isFalse();
    assertThat(progress.toCommit(0, p -> List.of())).isEqualTo(Map.of("p0",
        new PartitionProgress.PartitionCommit(1, new CommittedProgress(0, 1, List.of()))));
  }

  @Test
  void shouldForgetEverythingOnClear() {
    progress.restore(Map.of("p0", 1L), Map.of("p0", 5L));

    progress.clear();

    assertThat(progress.next("p0")).isNull();
    assertThat(progress.replaying()).isFalse();
    assertThat(progress.toCommit(0, p -> List.of())).isEmpty();
  }
}
