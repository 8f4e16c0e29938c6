package org.streamdistill.teacher.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRecoveryTest {

  @TempDir
  Path dir;

  @Test
  void shouldFindNoCheckpointInAMissingOrEmptyDirectory() throws Exception {
    assertThat(LocalRecovery.latestCheckpoint(dir.resolve("absent"))).isEmpty();
    assertThat(LocalRecovery.latestCheckpoint(dir)).isEmpty();
  }

  @Test
  void shouldPickTheNewestCompletedCheckpointAcrossEarlierRunsOfTheProcess() throws Exception {
    // Given checkpoints of two earlier runs (each run is a new Flink job id), the newest one incomplete
    checkpoint("job-a", 7, Instant.parse("2026-12-03T10:00:00Z"));
    Path newest = checkpoint("job-b", 12, Instant.parse("2026-12-03T10:05:00Z"));
    checkpoint("job-b", 11, Instant.parse("2026-12-03T10:04:58Z"));
    Files.createDirectories(dir.resolve("job-b").resolve("chk-13")); // no _metadata: never completed
    Files.createDirectories(dir.resolve("job-b").resolve("shared"));

    // Then the latest is the newest one with its metadata written
    assertThat(LocalRecovery.latestCheckpoint(dir)).contains(newest);
  }

  @Test
  void shouldPreferTheLaterWrittenCheckpointOverTheHigherId() throws Exception {
    // A run restored from a savepoint taken elsewhere can count ids from a lower number
    checkpoint("job-a", 40, Instant.parse("2026-12-03T10:00:00Z"));
    Path later = checkpoint("job-b", 3, Instant.parse("2026-12-03T11:00:00Z"));

    assertThat(LocalRecovery.latestCheckpoint(dir)).contains(later);
  }

  @Test
  void shouldKeepCheckpointsPerGroupAndResumeFromTheLatestClaimingIt() throws Exception {
    TeacherJobConfig production = TeacherJobConfig.of(Map.of(TeacherJobConfig.CHECKPOINT_DIR, dir.toString()));
    TeacherJobConfig experiment = TeacherJobConfig.of(Map.of(TeacherJobConfig.CHECKPOINT_DIR, dir.toString(),
        TeacherJobConfig.NAMESPACE, "exp1"));
    Path productionDir = LocalRecovery.directory(production);
    assertThat(productionDir).isNotEqualTo(LocalRecovery.directory(experiment));

    // First start: checkpoints retained in the group's directory, nothing to resume from
    Configuration first = LocalRecovery.configure(production, new Configuration());
    assertThat(first.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo(productionDir.toUri().toString());
    assertThat(first.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
        .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    assertThat(first.getOptional(StateRecoveryOptions.SAVEPOINT_PATH)).isEmpty();

    // After a run left a checkpoint: resume from it, and only in the group that wrote it
    Path checkpoint = Files.createDirectories(productionDir.resolve("job-a").resolve("chk-5"));
    Files.writeString(checkpoint.resolve("_metadata"), "x");
    Configuration again = LocalRecovery.configure(production, new Configuration());
    assertThat(again.get(StateRecoveryOptions.SAVEPOINT_PATH)).isEqualTo(checkpoint.toUri().toString());
    assertThat(again.get(StateRecoveryOptions.RESTORE_MODE)).isEqualTo(RecoveryClaimMode.CLAIM);
    assertThat(LocalRecovery.configure(experiment, new Configuration()).getOptional(StateRecoveryOptions.SAVEPOINT_PATH))
        .isEmpty();
  }

  @Test
  void shouldRemoveEarlierRunsThatHoldOnlyEmptyDirectories() throws Exception {
    // Given a run whose checkpoints were all superseded (only Flink's empty directories left), a run
    // with a checkpoint, and a run with a file in shared state but no completed checkpoint
    Files.createDirectories(dir.resolve("job-old").resolve("shared"));
    Files.createDirectories(dir.resolve("job-old").resolve("taskowned"));
    Path kept = checkpoint("job-new", 9, Instant.parse("2026-12-03T10:00:00Z"));
    Path partial = Files.createDirectories(dir.resolve("job-partial").resolve("shared"));
    Files.writeString(partial.resolve("state-1"), "s");

    // When
    LocalRecovery.removeEmptyRuns(dir);

    // Then only the empty run is gone
    assertThat(dir.resolve("job-old")).doesNotExist();
    assertThat(kept.resolve("_metadata")).exists();
    assertThat(partial.resolve("state-1")).exists();
  }

  private Path checkpoint(String job, long id, Instant written) throws Exception {
    Path checkpoint = Files.createDirectories(dir.resolve(job).resolve("chk-" + id));
    Path metadata = Files.writeString(checkpoint.resolve("_metadata"), "metadata of " + id);
    Files.setLastModifiedTime(metadata, FileTime.from(written));
    return checkpoint;
  }
}
