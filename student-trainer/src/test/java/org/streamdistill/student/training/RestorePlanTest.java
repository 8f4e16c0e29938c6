package org.streamdistill.student.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;
import org.streamdistill.student.optim.Adam;

/**
 * Which checkpoint a restarted trainer resumes from: the one the committed transaction names,
 * never a newer file written just before a crash, and never a guess when the state does not fit.
 */
class RestorePlanTest {

  private static final String GROUP = "student-trainer";
  private static final TopicPartition P0 = new TopicPartition("teacher.soft-labels", 0);
  private static final TopicPartition P1 = new TopicPartition("teacher.soft-labels", 1);

  /** Checkpoint files in memory: sequence -> offsets. */
  private static final class FakeFiles implements RestorePlan.CheckpointFiles {
    private final TreeMap<Long, Map<String, Long>> files = new TreeMap<>();
    private final List<Long> read = new ArrayList<>();

    FakeFiles with(long sequence, Map<String, Long> offsets) {
      files.put(sequence, offsets);
      return this;
    }

    @Override
    public List<Long> sequences() {
      return List.copyOf(files.keySet());
    }

    @Override
    public Map<String, Long> offsets(long sequence) {
      read.add(sequence);
      return files.get(sequence);
    }

    @Override
    public String describe(long sequence) {
      return "dir/student-v" + sequence + ".ckpt";
    }
  }

  private static OffsetAndMetadata committed(long offset, long checkpoint, long resume, Long... cuts) {
    return new OffsetAndMetadata(offset, new CommittedProgress(checkpoint, resume, List.of(cuts)).encode());
  }

  @Test
  void shouldResumeFromTheCommittedCheckpointAndSetAsideANewerFileWrittenBeforeTheCrash() {
    // Given files 1, 2 and 3, where 3 was written but the transaction naming it never committed
    FakeFiles files = new FakeFiles()
        .with(1, Map.of("teacher.soft-labels-0", 256L))
        .with(2, Map.of("teacher.soft-labels-0", 512L))
        .with(3, Map.of("teacher.soft-labels-0", 768L));
    // and the last committed transaction published up to 700, from checkpoint 2, with a cut after 600
    Map<TopicPartition, OffsetAndMetadata> committed = Map.of(P0, committed(700, 2, 512, 600L));

    // When the trainer plans its restart
    RestorePlan plan = RestorePlan.choose(GROUP, files, committed);

    // Then it loads checkpoint 2, replays from 512, publishes again only from 700, and cuts after 600
    assertThat(plan).isEqualTo(new RestorePlan(2, Map.of(P0, 512L), Map.of(P0, 700L), Map.of(P0, List.of(600L)),
        List.of(3L)));
    assertThat(plan.checkpointToLoad()).contains(2L);
    // (and it read only the file it loads)
    assertThat(files.read).containsExactly(2L);
  }

  @Test
  void shouldStartFromTheInitialWeightsWhenTheCommittedProgressPrecedesTheFirstCheckpoint() {
    // Given checkpoint 1 written but never committed, and commits made before it (checkpoint 0)
    FakeFiles files = new FakeFiles().with(1, Map.of("teacher.soft-labels-0", 256L));
    Map<TopicPartition, OffsetAndMetadata> committed = Map.of(P0, committed(200, 0, 0));

    RestorePlan plan = RestorePlan.choose(GROUP, files, committed);

    assertThat(plan).isEqualTo(new RestorePlan(0, Map.of(P0, 0L), Map.of(P0, 200L), Map.of(), List.of(1L)));
    assertThat(plan.checkpointToLoad()).isEmpty();
  }

  @Test
  void shouldStartFromScratchAndSetAsideEveryFileWhenNothingWasEverCommitted() {
    FakeFiles files = new FakeFiles().with(1, Map.of("teacher.soft-labels-0", 256L));

    RestorePlan plan = RestorePlan.choose(GROUP, files, Map.of());

    assertThat(plan).isEqualTo(new RestorePlan(0, Map.of(), Map.of(), Map.of(), List.of(1L)));
  }

  @Test
  void shouldStartFromScratchOnAnEmptyGroupAndDirectory() {
    assertThat(RestorePlan.choose(GROUP, new FakeFiles(), Map.of()))
        .isEqualTo(new RestorePlan(0, Map.of(), Map.of(), Map.of(), List.of()));
  }

  @Test
  void shouldKeepEveryPartitionsOwnOffsetsAndCuts() {
    FakeFiles files = new FakeFiles().with(4, Map.of("teacher.soft-labels-0", 100L, "teacher.soft-labels-1", 90L));
    Map<TopicPartition, OffsetAndMetadata> committed = Map.of(
        P0, committed(130, 4, 100, 120L),
        P1, committed(95, 4, 90));

    RestorePlan plan = RestorePlan.choose(GROUP, files, committed);

    assertThat(plan).isEqualTo(new RestorePlan(4, Map.of(P0, 100L, P1, 90L), Map.of(P0, 130L, P1, 95L),
        Map.of(P0, List.of(120L)), List.of()));
  }

  @Test
  void shouldFallBackToTheNewestFileWithTheCommittedOffsetsWhenTheOffsetsCarryNoProgress() {
    // Given offsets committed by a trainer that did not use transactions: file 3 is ahead of them
    FakeFiles files = new FakeFiles()
        .with(1, Map.of("teacher.soft-labels-0", 256L))
        .with(2, Map.of("teacher.soft-labels-0", 512L))
        .with(3, Map.of("teacher.soft-labels-0", 768L));
    Map<TopicPartition, OffsetAndMetadata> committed = Map.of(P0, new OffsetAndMetadata(512, ""));

    RestorePlan plan = RestorePlan.choose(GROUP, files, committed);

    // Then the previous file is the one, replay and publication both start at its offsets
    assertThat(plan).isEqualTo(new RestorePlan(2, Map.of(P0, 512L), Map.of(P0, 512L), Map.of(), List.of(3L)));
  }

  @Test
  void shouldRefuseToStartWhenTheCommittedCheckpointIsMissing() {
    FakeFiles files = new FakeFiles().with(1, Map.of("teacher.soft-labels-0", 256L));
    Map<TopicPartition, OffsetAndMetadata> committed = Map.of(P0, committed(600, 2, 512));

    assertThatThrownBy(() -> RestorePlan.choose(GROUP, files, committed))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("consumer group student-trainer committed progress from checkpoint dir/student-v2.ckpt, which "
            + "does not exist: point trainer.checkpoint.dir at the directory this model line was trained in, or "
            + "start it over (a new trainer.group-id and an empty directory)");
  }

  @Test
  void shouldRefuseToStartWhenTheCommittedCheckpointHoldsOtherOffsets() {
    FakeFiles files = new FakeFiles().with(2, Map.of("teacher.soft-labels-0", 500L));
    Map<TopicPartition, OffsetAndMetadata> committed = Map.of(P0, committed(600, 2, 512));

    assertThatThrownBy(() -> RestorePlan.choose(GROUP, files, committed))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("checkpoint dir/student-v2.ckpt holds offsets {teacher.soft-labels-0=500} but consumer group "
            + "student-trainer committed resume offsets {teacher.soft-labels-0=512} for it: the directory does not "
            + "belong to this group; point trainer.checkpoint.dir at the right one");
  }

  @Test
  void shouldRefuseToGuessWhenNoFileHoldsThePlainCommittedOffsets() {
    FakeFiles files = new FakeFiles().with(1, Map.of("teacher.soft-labels-0", 256L));
    Map<TopicPartition, OffsetAndMetadata> committed = Map.of(P0, new OffsetAndMetadata(300));

    assertThatThrownBy(() -> RestorePlan.choose(GROUP, files, committed))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("consumer group student-trainer is at offsets {teacher.soft-labels-0=300} but no "
            + "checkpoint in the directory saved these offsets");
  }

  @Test
  void shouldRefuseProgressFromDifferentCheckpointsOnDifferentPartitions() {
    FakeFiles files = new FakeFiles().with(1, Map.of()).with(2, Map.of());
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    committed.put(P0, committed(10, 1, 5));
    committed.put(P1, committed(10, 2, 5));

    assertThatThrownBy(() -> RestorePlan.choose(GROUP, files, committed))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("corrupt state");
  }

  @Test
  void shouldEncodeAndDecodeCommittedProgress() {
    CommittedProgress progress = new CommittedProgress(7, 1200, List.of(1300L, 1375L));

    assertThat(progress.encode()).isEqualTo("checkpoint=7;resume=1200;cuts=1300,1375");
    assertThat(CommittedProgress.decode(progress.encode())).contains(progress);
    assertThat(CommittedProgress.decode("checkpoint=0;resume=0;cuts=")).contains(new CommittedProgress(0, 0, List.of()));
    assertThat(CommittedProgress.decode("")).isEmpty();
    assertThat(CommittedProgress.decode(null)).isEmpty();
    assertThat(CommittedProgress.decode("checkpoint=x;resume=0;cuts=")).isEmpty();
    assertThat(CommittedProgress.decode("some other tool's note")).isEmpty();
  }

  @Test
  void shouldListOnlyThisModelsCheckpointsAndMoveAnOrphanAsideWithItsExport(@TempDir Path dir) throws Exception {
    // Given two checkpoints of model "student", one of model "other", and an ONNX export of v2
    CheckpointStore store = new CheckpointStore(dir, "student", 5);
    CheckpointStore other = new CheckpointStore(dir, "other", 5);
    TextCnn model = new TextCnn(new TextCnnConfig(50, 4, List.of(2), 3, 8, 3, 0f, true, 1L));
    String[] names = {"a", "b", "c"};
    store.save(saved("student-v1", 64), Set.of());
    store.save(saved("student-v2", 128), Set.of());
    other.save(new CheckpointStore.Saved("other-v9", null, 1, Map.of(), "labels", names, model, new Adam(
        Adam.Settings.defaults()), Map.of()), Set.of());
    Files.writeString(dir.resolve("student-v2.onnx"), "export");

    // When v2 is set aside
    assertThat(store.sequences()).containsExactly(1L, 2L);
    Path moved = store.moveAside(2);

    // Then only v1 is left to load, and v2 with its export wait in orphaned/
    assertThat(store.sequences()).containsExactly(1L);
    assertThat(store.offsets(1)).containsExactly(Map.entry("teacher.soft-labels-0", 64L));
    assertThat(moved.getParent()).isEqualTo(dir.resolve(CheckpointStore.ORPHANED));
    assertThat(moved.getFileName().toString()).startsWith("student-v2.ckpt.");
    try (var listing = Files.list(dir.resolve(CheckpointStore.ORPHANED))) {
      assertThat(listing.map(p -> p.getFileName().toString().replaceAll("\\.\\d+$", "")))
          .containsExactlyInAnyOrder("student-v2.ckpt", "student-v2.onnx");
    }
    assertThat(other.sequences()).containsExactly(9L);
  }

  private static CheckpointStore.Saved saved(String version, long offset) {
    TextCnn model = new TextCnn(new TextCnnConfig(50, 4, List.of(2), 3, 8, 3, 0f, true, 1L));
    return new CheckpointStore.Saved(version, null, offset, Map.of("teacher.soft-labels-0", offset), "labels",
        new String[] {"a", "b", "c"}, model, new Adam(Adam.Settings.defaults()), Map.of());
  }
}
