package org.streamdistill.teacher.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a teacher job that this process runs itself (a local MiniCluster, not {@code flink run})
 * resumes after the process ends: from its own latest completed checkpoint, retained on disk.
 *
 * <p>Why not from the consumer group's offsets, as it did before: the sink commits a checkpoint's
 * Kafka transaction and the source then commits that checkpoint's offsets to the group, as two
 * separate, asynchronous steps, and a failed offset commit is only logged. When the broker stops
 * answering between the two (the 20-minute soak saw it: a transaction committed seconds before a
 * broker freeze), the group's offsets stay one checkpoint behind the soft labels already
 * committed, and a process that starts from them writes that checkpoint's soft labels a second
 * time. A checkpoint holds the source's offsets and the sink's transactions together, so resuming
 * from it is exactly once (the sink commits the restored checkpoint's transaction if it was not
 * yet, and aborts later ones). The group's offsets remain what the first start reads, and what
 * {@code lag} reports.
 *
 * <p>Checkpoints live in a directory of their own per consumer group ({@code <dir>/<group id>}),
 * so a job in another namespace never resumes this one's state. The restored checkpoint is
 * claimed: Flink deletes it once newer ones supersede it, so the directory does not grow with
 * each restart. What Flink leaves behind, a directory per earlier run holding only empty
 * directories ({@code shared}, {@code taskowned}), is removed at the next start.
 */
public final class LocalRecovery {

  /** Flink's name for a completed checkpoint's directory: {@code chk-<id>}, with a {@code _metadata} file. */
  private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");
  private static final String METADATA = "_metadata";
  private static final Logger LOG = LoggerFactory.getLogger(LocalRecovery.class);

  private LocalRecovery() {}

  /** The directory of the job's checkpoints: one per consumer group under {@code teacher.checkpoint.dir}. */
  public static Path directory(TeacherJobConfig config) {
    return Path.of(config.checkpointDir()).toAbsolutePath().resolve(config.groupId());
  }

  /**
   * {@code base} plus file-system checkpoints in {@link #directory}, kept when the job is cancelled
   * or the process ends, and, when there is one, the latest of them to resume from.
   */
  public static Configuration configure(TeacherJobConfig config, Configuration base) {
    Path dir = directory(config);
    removeEmptyRuns(dir);
    Configuration flink = new Configuration(base);
    flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toUri().toString());
    flink.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    latestCheckpoint(dir).ifPresent(checkpoint -> {
      flink.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint.toUri().toString());
      flink.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.CLAIM);
    });
    return flink;
  }

  /**
   * The newest completed checkpoint under {@code dir} ({@code <job id>/chk-<n>} with its
   * {@code _metadata}, which Flink writes last), by the time that file was written, then by id;
   * empty when there is none (first start, or the directory was removed).
   */
  public static Optional<Path> latestCheckpoint(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> jobs = Files.list(dir)) {
      return jobs.filter(Files::isDirectory)
          .flatMap(LocalRecovery::completedCheckpoints)
          .max(Comparator.comparing(LocalRecovery::written).thenComparingLong(LocalRecovery::id));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the teacher job's checkpoints in " + dir, e);
    }
  }

  /**
   * Deletes each earlier run's directory under {@code dir} that holds no file at all, only empty
   * directories: its checkpoints were superseded and deleted. A directory with any file (a
   * checkpoint, shared state, a partial write) is left alone.
   */
  static void removeEmptyRuns(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> jobs = Files.list(dir)) {
      for (Path job : jobs.filter(Files::isDirectory).toList()) {
        boolean anyFile;
        try (Stream<Path> tree = Files.walk(job)) {
          anyFile = tree.anyMatch(p -> !Files.isDirectory(p));
        }
        if (!anyFile) {
          try (Stream<Path> tree = Files.walk(job)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
              Files.deleteIfExists(p);
            }
          }
        }
      }
    } catch (IOException e) {
      // Housekeeping only: a directory that cannot be removed now is tried again at the next start.
      LOG.warn("cannot remove empty runs in {}: {}", dir, e.toString());
    }
  }

  private static Stream<Path> completedCheckpoints(Path jobDir) {
    try (Stream<Path> entries = Files.list(jobDir)) {
      return entries.filter(p -> CHECKPOINT.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.isRegularFile(p.resolve(METADATA)))
          .toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the teacher job's checkpoints in " + jobDir, e);
    }
  }

  private static FileTime written(Path checkpoint) {
    try {
      return Files.getLastModifiedTime(checkpoint.resolve(METADATA));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long id(Path checkpoint) {
    Matcher m = CHECKPOINT.matcher(checkpoint.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }
}
