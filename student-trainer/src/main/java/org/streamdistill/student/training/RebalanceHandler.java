package org.streamdistill.student.training;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the trainer's in-memory state and the group's committed state in step through
 * rebalances; the soft-labels consumer's listener. All callbacks run on the trainer's thread,
 * inside {@code poll}.
 *
 * <p>One model learns from every partition, so the state of one partition cannot be given up
 * alone: the weights hold its turns since the checkpoint, and an aborted transaction takes the
 * recent predictions of every partition with it. So each change of ownership is handled like a
 * crash without the crash: commit what was published (or abort when that is impossible), drop
 * everything held in memory, unlearned, and restore from the committed state, which replays the
 * partitions now assigned without publishing anything twice.
 */
final class RebalanceHandler implements ConsumerRebalanceListener {

  private static final Logger LOG = LoggerFactory.getLogger(RebalanceHandler.class);
  private static final Duration COMMITTED_TIMEOUT = Duration.ofSeconds(30);

  /** What the handler needs of the trainer. */
  interface Trainer {
    /** Whether the trainer's loop is running: only then may a callback use the clients. */
    boolean active();

    /** Publishes every pending prediction and commits the transaction with the assigned partitions' offsets. */
    void commit();

    /** Aborts the open transaction, if any. */
    void abort();

    /** Called before a fencing exception leaves the callback: the producer must not be used again. */
    void fenced();

    /** Drops everything held in memory, unlearned; nothing is read or committed until {@link #restore}. */
    void forget();

    /** Whether {@link #forget()} was called and no restore followed yet. */
    boolean forgotten();

    /** Restores from the committed state, keeping only the partitions in {@code assigned}. */
    void restore(Collection<TopicPartition> assigned);

    /** The next offset to read in {@code partition}, or null when the trainer holds none. */
    Long next(TopicPartition partition);

    /** A partition the trainer holds nothing of, read from {@code offset} on. */
    void start(TopicPartition partition, long offset);
  }

  private final Consumer<byte[], byte[]> consumer;
  private final Trainer trainer;
  private final String groupId;

  RebalanceHandler(Consumer<byte[], byte[]> consumer, Trainer trainer, String groupId) {
    this.consumer = consumer;
    this.trainer = trainer;
    this.groupId = groupId;
  }

  /**
   * The generation is still valid here, so this is the last moment the offsets of these
   * partitions can be committed with the predictions that cover them: commit, then restore at
   * the next assignment.
   */
  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    if (!trainer.active() || partitions.isEmpty() || trainer.forgotten()) {
      return;
    }
    LOG.warn("partitions {} revoked from this trainer (is a second trainer running in group {}? Run one per model "
        + "line): committing what was published, then restoring from the committed state", partitions, groupId);
    commitThenForget(partitions);
  }

  /**
   * The generation is gone (this member was dropped from the group, e.g. it did not poll within
   * {@code max.poll.interval.ms}): offsets can no longer be committed, so the open transaction
   * is aborted and its predictions never become visible; the owner of the partitions (this
   * trainer, once it rejoins) replays them from the committed offsets.
   */
  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    if (!trainer.active() || partitions.isEmpty()) {
      return;
    }
    LOG.warn("partitions {} lost by this trainer (dropped from group {}): aborting the open transaction; the turns "
        + "since the last commit will be replayed", partitions, groupId);
    trainer.abort();
    trainer.forget();
  }

  /**
   * Seeks each assigned partition to where the trainer is in it. At the first assignment that
   * is the restored resume offset. After partitions were revoked or lost, or when a partition
   * given up earlier comes back with committed progress (the weights no longer match its
   * committed position), every assigned partition restarts from a fresh restore of the
   * committed state. A partition never committed starts at its beginning (the reset policy),
   * which is also its resume offset.
   */
  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    if (!trainer.active()) {
      return;
    }
    if (!trainer.forgotten() && returnsWithCommittedProgress(partitions)) {
      LOG.info("partitions {} with committed progress assigned to this trainer: committing, then restoring from the "
          + "committed state", partitions);
      commitThenForget(partitions);
    }
    Collection<TopicPartition> toSeek = partitions;
    if (trainer.forgotten()) {
      toSeek = Set.copyOf(consumer.assignment());
      trainer.restore(toSeek);
    }
    for (TopicPartition tp : toSeek) {
      Long next = trainer.next(tp);
      if (next != null) {
        consumer.seek(tp, next);
      } else {
        consumer.seekToBeginning(List.of(tp));
        trainer.start(tp, consumer.position(tp));
      }
    }
  }

  private boolean returnsWithCommittedProgress(Collection<TopicPartition> partitions) {
    Set<TopicPartition> unknown = new HashSet<>();
    partitions.stream().filter(tp -> trainer.next(tp) == null).forEach(unknown::add);
    return !unknown.isEmpty()
        && consumer.committed(unknown, COMMITTED_TIMEOUT).values().stream().anyMatch(Objects::nonNull);
  }

  /**
   * Commits every prediction made so far; if that fails (a send failed, the coordinator moved
   * on), aborts instead, and the committed state is then the previous commit, from which the
   * restore replays. Fencing leaves the callback: the trainer stops.
   */
  private void commitThenForget(Collection<TopicPartition> partitions) {
    try {
      trainer.commit();
    } catch (RuntimeException e) {
      if (TrainerTransaction.isFencing(e)) {
        trainer.fenced();
        throw e;
      }
      LOG.warn("could not commit before the rebalance of partitions {} ({}): aborting; the turns since the last "
          + "commit will be predicted and published again", partitions, e.getMessage());
      trainer.abort();
    }
    trainer.forget();
  }
}
