package org.streamdistill.student.training;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Where the trainer is in each soft-labels partition, without Kafka: the next offset to read,
 * the first turn the last checkpoint has not learned (the resume offset), and the committed
 * offset found at the last restore, below which every turn was published already (a replay
 * learns those turns again but publishes nothing for them).
 *
 * <p>{@link #toCommit} turns this into what each partition's committed offset and metadata
 * ({@link CommittedProgress}) must say. A committed offset never moves back: while replaying,
 * it stays where the crashed run had published up to.
 *
 * @param <P> partition key
 */
final class PartitionProgress<P> {

  /** What one partition's offset commit carries. */
  record PartitionCommit(long offset, CommittedProgress progress) {}

  private final Map<P, Long> position = new HashMap<>();
  private final Map<P, Long> resumeOffsets = new HashMap<>();
  private final Map<P, Long> publishedUntil = new HashMap<>();

  /** Starts over from a restore: read and resume from {@code resume}, publish from {@code published}. */
  void restore(Map<P, Long> resume, Map<P, Long> published) {
    clear();
    position.putAll(resume);
    resumeOffsets.putAll(resume);
    publishedUntil.putAll(published);
  }

  /** The next offset to read in {@code partition}, or null for a partition never seen. */
  Long next(P partition) {
    return position.get(partition);
  }

  /** A partition seen for the first time, read from {@code start}: also its resume offset. */
  void start(P partition, long start) {
    position.put(partition, start);
    resumeOffsets.putIfAbsent(partition, start);
  }

  /** The record at {@code offset} was read. */
  void read(P partition, long offset) {
    position.put(partition, offset + 1);
  }

  /**
   * Moves the next offset forward to {@code next} (past transaction markers the consumer
   * skipped); returns whether it moved.
   */
  boolean advanceTo(P partition, long next) {
    Long known = position.get(partition);
    if (known == null || next > known) {
      position.put(partition, next);
      return true;
    }
    return false;
  }

  /** Whether the turn at {@code offset} was published before the last restore. */
  boolean published(P partition, long offset) {
    return offset < publishedUntil.getOrDefault(partition, 0L);
  }

  /** Whether some partition is still being replayed: learned again, not published again. */
  boolean replaying() {
    for (var entry : publishedUntil.entrySet()) {
      if (position.getOrDefault(entry.getKey(), 0L) < entry.getValue()) {
        return true;
      }
    }
    return false;
  }

  /** Per partition, the next offset to read. */
  Map<P, Long> positions() {
    return Map.copyOf(position);
  }

  /** A checkpoint saved weights that have learned every turn below {@code resume}. */
  void checkpointed(Map<P, Long> resume) {
    resumeOffsets.putAll(resume);
  }

  /**
   * Per partition, the offset to commit (the next to read, never below what was published
   * before) and the progress a restart needs: {@code checkpoint}, the resume offset, the cuts.
   */
  Map<P, PartitionCommit> toCommit(long checkpoint, Function<P, List<Long>> cuts) {
    Map<P, PartitionCommit> commits = new HashMap<>();
    position.forEach((partition, next) -> {
      long offset = Math.max(next, publishedUntil.getOrDefault(partition, 0L));
      commits.put(partition, new PartitionCommit(offset,
          new CommittedProgress(checkpoint, resumeOffsets.getOrDefault(partition, next), cuts.apply(partition))));
    });
    return commits;
  }

  /** Forgets every partition not in {@code partitions}. */
  void retainOnly(java.util.Collection<P> partitions) {
    position.keySet().retainAll(partitions);
    resumeOffsets.keySet().retainAll(partitions);
    publishedUntil.keySet().retainAll(partitions);
  }

  void clear() {
    position.clear();
    resumeOffsets.clear();
    publishedUntil.clear();
  }
}
