package org.streamdistill.student.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The batching and cut rules on plain strings: when a batch is learned, what is predicted first, what a cut records. */
class PrequentialBatcherTest {

  private final PrequentialBatcher<String, String> batcher = new PrequentialBatcher<>(3, 2);

  @Test
  void shouldAskForAStepWhenTheBatchIsFullAndHandOutThePredictionsFirst() {
    // Given two learnable turns and a held-out one
    List<Boolean> steps = new ArrayList<>();
    steps.add(batcher.accept("p0", 0, "a", true, true));
    steps.add(batcher.accept("p0", 1, "held", true, false));
    steps.add(batcher.accept("p0", 2, "b", true, true));

    // When a third learnable turn arrives
    steps.add(batcher.accept("p0", 3, "c", true, true));

    // Then only that one fills the batch; every turn is to be predicted, the held-out one not learned
    assertThat(steps).containsExactly(false, false, false, true);
    assertThat(batcher.takeUnpredicted()).containsExactly("a", "held", "b", "c");
    assertThat(batcher.takeBatch()).containsExactly("a", "b", "c");
    assertThat(batcher.hasBatch()).isFalse();
    assertThat(batcher.hasUnpredicted()).isFalse();
  }

  @Test
  void shouldLearnButNotPredictTurnsThatWerePublishedBefore() {
    // Given a replayed turn (already published) and a new one
    batcher.accept("p0", 0, "replayed", false, true);
    batcher.accept("p0", 1, "new", true, true);

    // Then only the new one is predicted, both are learned
    assertThat(batcher.takeUnpredicted()).containsExactly("new");
    assertThat(batcher.takeBatch()).containsExactly("replayed", "new");
  }

  @Test
  void shouldRecordACutAfterTheLastRecordReadAndStepThereOnReplay() {
    // Given a short batch whose last record read was a dead letter at offset 1
    batcher.accept("p0", 0, "a", true, true);
    batcher.skip("p0", 1);

    // When the stream pauses and the batch is cut
    boolean checkpointNeeded = batcher.cut();
    batcher.takeBatch();

    // Then the cut sits after offset 1, and a replay reaching offset 1 steps there with a short batch
    assertThat(checkpointNeeded).isFalse();
    assertThat(batcher.cuts("p0")).containsExactly(1L);
    PrequentialBatcher<String, String> replay = new PrequentialBatcher<>(3, 2);
    replay.restoreCuts(batcher.cuts());
    assertThat(replay.accept("p0", 0, "a", false, true)).isFalse();
    assertThat(replay.skip("p0", 1)).isTrue();
    assertThat(replay.takeBatch()).containsExactly("a");
  }

  @Test
  void shouldAskForACheckpointOnceAPartitionHoldsTheMaximumOfCuts() {
    batcher.accept("p0", 4, "a", true, true);
    assertThat(batcher.cut()).isFalse();
    batcher.accept("p0", 9, "b", true, true);
    assertThat(batcher.cut()).isTrue();
    assertThat(batcher.cuts()).isEqualTo(Map.of("p0", List.of(4L, 9L)));
  }

  @Test
  void shouldResumeFromTheFirstTurnOfTheBatchAndDropOnlyCutsTheCheckpointCovers() {
    // Given cuts after 3 and 8, and turns 10 and 11 of p0 waiting in the batch
    batcher.restoreCuts(Map.of("p0", List.of(3L, 8L, 12L)));
    batcher.accept("p0", 10, "a", true, true);
    batcher.accept("p0", 11, "b", true, true);

    // When a checkpoint is taken with p0 read up to 12 and p1 up to 5
    Map<String, Long> resume = batcher.resumePositions(Map.of("p0", 12L, "p1", 5L));
    batcher.dropCutsBefore(resume);

    // Then p0 resumes at its first unlearned turn, p1 where it is; the cut after 12 is still ahead
    assertThat(resume).isEqualTo(Map.of("p0", 10L, "p1", 5L));
    assertThat(batcher.cuts("p0")).containsExactly(12L);
  }

  @Test
  void shouldDropEverythingUnlearnedOnClearAsWhenPartitionsAreGivenUp() {
    // Given a turn waiting for prediction and learning, and a cut
    batcher.restoreCuts(Map.of("p0", List.of(1L)));
    batcher.accept("p0", 5, "a", true, true);

    // When the trainer gives its partitions up
    batcher.clear();

    // Then nothing is left to predict, learn or commit, and a cut has no last record to follow
    assertThat(batcher.hasBatch()).isFalse();
    assertThat(batcher.hasUnpredicted()).isFalse();
    assertThat(batcher.cuts()).isEmpty();
    assertThat(batcher.cut()).isFalse();
    assertThat(batcher.cuts()).isEmpty();
  }
}
