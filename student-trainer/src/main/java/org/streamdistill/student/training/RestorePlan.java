package org.streamdistill.student.training;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.streamdistill.schemas.lifecycle.InconsistentStateException;

/**
 * Where a (re)started trainer resumes, decided from the consumer group's committed offsets (the
 * truth: they were committed in the same Kafka transaction as the predictions) and the checkpoint
 * files on disk (which may run one ahead: a file is written before the transaction that names it
 * commits).
 *
 * <p>The rule: load the checkpoint that the committed {@link CommittedProgress} names, after
 * checking that its offsets are the committed resume offsets; replay from those offsets, learning
 * again but publishing nothing below the committed offsets (already published); files newer than
 * that checkpoint were never committed and are orphans. Offsets committed without the trainer's
 * metadata (an older trainer, or an operator's offset reset) fall back to the newest file whose
 * offsets equal them. A committed state that names a missing or different file is corrupt state:
 * the trainer refuses to start rather than guess.
 *
 * @param checkpoint sequence number of the checkpoint to load; 0 to start from initial weights
 * @param resumeOffsets per partition, the offset to seek to (first turn not in the weights)
 * @param publishedUntil per partition, the committed offset: turns below it were already
 *     predicted and published; a replay learns them again but publishes nothing for them
 * @param cuts per partition, offsets after which the replay learns a partial batch
 * @param orphans sequence numbers of checkpoint files that no committed transaction names
 */
record RestorePlan(long checkpoint, Map<TopicPartition, Long> resumeOffsets, Map<TopicPartition, Long> publishedUntil,
                   Map<TopicPartition, List<Long>> cuts, List<Long> orphans) {

  /** The checkpoint files of one model line, as the plan sees them. */
  interface CheckpointFiles {
    /** Sequence numbers of the files present, ascending. */
    List<Long> sequences();

    /** The offsets a file saved, keyed {@code topic-partition}. */
    Map<String, Long> offsets(long sequence);

    /** The file's name or path, for messages. */
    String describe(long sequence);
  }

  RestorePlan {
    resumeOffsets = Map.copyOf(resumeOffsets);
    publishedUntil = Map.copyOf(publishedUntil);
    cuts = Map.copyOf(cuts);
    orphans = List.copyOf(orphans);
  }

  /**
   * @param groupId the consumer group, for messages
   * @param committed the group's committed offsets of the soft-labels partitions (partitions
   *     without a committed offset are left out)
   */
  static RestorePlan choose(String groupId, CheckpointFiles files, Map<TopicPartition, OffsetAndMetadata> committed) {
    List<Long> onDisk = files.sequences();
    if (committed.isEmpty()) {
      // Nothing was ever committed: any file is from a run that crashed before its first commit.
      return new RestorePlan(0, Map.of(), Map.of(), Map.of(), onDisk);
    }
    Map<TopicPartition, CommittedProgress> progress = new HashMap<>();
    committed.forEach((tp, offset) -> CommittedProgress.decode(offset.metadata()).ifPresent(p -> progress.put(tp, p)));
    if (progress.isEmpty()) {
      return fromOffsetsAlone(groupId, files, committed);
    }
    if (progress.size() != committed.size()) {
      throw new InconsistentStateException("consumer group " + groupId + " committed trainer progress for partitions "
          + sorted(progress.keySet()) + " but plain offsets for " + sorted(without(committed, progress)) + ": the "
          + "group's offsets were changed by something other than this trainer; reset all of them, or none");
    }
    long checkpoint = progress.values().iterator().next().checkpoint();
    Map<TopicPartition, Long> resume = new HashMap<>();
    Map<TopicPartition, Long> published = new HashMap<>();
    Map<TopicPartition, List<Long>> cuts = new HashMap<>();
    for (var entry : progress.entrySet()) {
      TopicPartition tp = entry.getKey();
      CommittedProgress p = entry.getValue();
      if (p.checkpoint() != checkpoint) {
        throw new InconsistentStateException("consumer group " + groupId + " committed progress from checkpoint "
            + checkpoint + " for some partitions and from " + p.checkpoint() + " for " + tp + ": corrupt state; "
            + "start the model line over (a new trainer.group-id and an empty trainer.checkpoint.dir)");
      }
      long committedOffset = committed.get(tp).offset();
      if (p.resumeOffset() > committedOffset) {
        throw new InconsistentStateException("consumer group " + groupId + " committed offset " + committedOffset + " of "
            + tp + " below its resume offset " + p.resumeOffset() + ": corrupt state");
      }
      resume.put(tp, p.resumeOffset());
      published.put(tp, committedOffset);
      if (!p.cuts().isEmpty()) {
        cuts.put(tp, p.cuts());
      }
    }
    if (checkpoint == 0) {
      return new RestorePlan(0, resume, published, cuts, onDisk);
    }
    if (!onDisk.contains(checkpoint)) {
      throw new InconsistentStateException("consumer group " + groupId + " committed progress from checkpoint "
          + files.describe(checkpoint) + ", which does not exist: point trainer.checkpoint.dir at the directory this "
          + "model line was trained in, or start it over (a new trainer.group-id and an empty directory)");
    }
    Map<String, Long> saved = files.offsets(checkpoint);
    Map<String, Long> expected = new TreeMap<>();
    resume.forEach((tp, offset) -> expected.put(tp.toString(), offset));
    for (var entry : saved.entrySet()) {
      if (!entry.getValue().equals(expected.get(entry.getKey()))) {
        throw new InconsistentStateException("checkpoint " + files.describe(checkpoint) + " holds offsets "
            + new TreeMap<>(saved) + " but consumer group " + groupId + " committed resume offsets " + expected
            + " for it: the directory does not belong to this group; point trainer.checkpoint.dir at the right one");
      }
    }
    return new RestorePlan(checkpoint, resume, published, cuts, newerThan(onDisk, checkpoint));
  }

  /** Offsets without the trainer's metadata: resume from the newest file that saved exactly them. */
  private static RestorePlan fromOffsetsAlone(String groupId, CheckpointFiles files,
                                             Map<TopicPartition, OffsetAndMetadata> committed) {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    Map<String, Long> byName = new TreeMap<>();
    committed.forEach((tp, offset) -> {
      offsets.put(tp, offset.offset());
      byName.put(tp.toString(), offset.offset());
    });
    List<Long> onDisk = files.sequences();
    if (onDisk.isEmpty()) {
      return new RestorePlan(0, offsets, offsets, Map.of(), List.of());
    }
    for (int i = onDisk.size() - 1; i >= 0; i--) {
      long sequence = onDisk.get(i);
      if (new TreeMap<>(files.offsets(sequence)).equals(byName)) {
        return new RestorePlan(sequence, offsets, offsets, Map.of(), newerThan(onDisk, sequence));
      }
    }
    throw new InconsistentStateException("consumer group " + groupId + " is at offsets " + byName + " but no checkpoint "
        + "in the directory saved these offsets (newest: " + files.describe(onDisk.get(onDisk.size() - 1)) + "): "
        + "reset the group's offsets to those of a checkpoint, or start over with an empty trainer.checkpoint.dir");
  }

  private static List<Long> newerThan(List<Long> sequences, long sequence) {
    List<Long> newer = new ArrayList<>();
    for (long s : sequences) {
      if (s > sequence) {
        newer.add(s);
      }
    }
    return newer;
  }

  private static List<String> sorted(java.util.Collection<TopicPartition> partitions) {
    return partitions.stream().map(TopicPartition::toString).sorted().toList();
  }

  private static List<TopicPartition> without(Map<TopicPartition, ?> all, Map<TopicPartition, ?> some) {
    return all.keySet().stream().filter(tp -> !some.containsKey(tp)).toList();
  }

  Optional<Long> checkpointToLoad() {
    return checkpoint == 0 ? Optional.empty() : Optional.of(checkpoint);
  }
}
