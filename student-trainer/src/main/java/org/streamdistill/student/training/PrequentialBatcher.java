package org.streamdistill.student.training;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The prequential batching and cut rules of the trainer, without Kafka: which accepted turns
 * still need a prediction, which fill the batch being learned, when a batch must be learned,
 * and where a short batch was cut.
 *
 * <p>Batches depend on the stream alone: a batch is learned when it holds {@code batchSize}
 * learnable turns, or when the stream reaches a recorded cut (an offset after which an earlier
 * run learned a short batch); never because of a poll boundary. The caller predicts every
 * queued turn before each step ({@link #takeUnpredicted()} before {@link #takeBatch()}), so no
 * turn is predicted by a model that has learned it.
 *
 * <p>Cuts are kept per partition until a checkpoint covers them ({@link #dropCutsBefore}):
 * they travel with every commit so that a replay after a restart cuts at the same turns.
 *
 * @param <P> partition key (a Kafka {@code TopicPartition} in production, anything in tests)
 * @param <T> the turn payload
 */
final class PrequentialBatcher<P, T> {

  /** A turn waiting for its prediction or its optimizer step, and where it was read. */
  record Pending<P, T>(P partition, long offset, T turn) {}

  private final int batchSize;
  private final int maxCuts;
  private final List<Pending<P, T>> unpredicted = new ArrayList<>();
  private final List<Pending<P, T>> batch = new ArrayList<>();
  private final Map<P, TreeSet<Long>> cuts = new HashMap<>();
  private P lastPartition;
  private long lastOffset = -1;

  /**
   * @param batchSize learnable turns per optimizer step
   * @param maxCuts cuts of one partition after which {@link #cut()} asks for a checkpoint
   */
  PrequentialBatcher(int batchSize, int maxCuts) {
    if (batchSize < 1 || maxCuts < 1) {
      throw new IllegalArgumentException("batch size and max cuts must be >= 1, got " + batchSize + " and " + maxCuts);
    }
    this.batchSize = batchSize;
    this.maxCuts = maxCuts;
  }

  /**
   * Takes a valid turn read at {@code offset}.
   *
   * @param predict whether it still needs a prediction (false while replaying published turns)
   * @param learn whether it trains the model (false for held-out turns)
   * @return whether the batch must be learned now
   */
  boolean accept(P partition, long offset, T turn, boolean predict, boolean learn) {
    Pending<P, T> pending = new Pending<>(partition, offset, turn);
    if (predict) {
      unpredicted.add(pending);
    }
    if (learn) {
      batch.add(pending);
    }
    return read(partition, offset);
  }

  /**
   * Takes a record read at {@code offset} that is neither predicted nor learned (a dead letter):
   * it still counts as the last turn read, so a cut recorded after it applies.
   *
   * @return whether the batch must be learned now
   */
  boolean skip(P partition, long offset) {
    return read(partition, offset);
  }

  private boolean read(P partition, long offset) {
    lastPartition = partition;
    lastOffset = offset;
    TreeSet<Long> partitionCuts = cuts.get(partition);
    return batch.size() >= batchSize || (!batch.isEmpty() && partitionCuts != null && partitionCuts.contains(offset));
  }

  /**
   * Records a cut after the last turn read, so that a replay learns the same short batch; the
   * caller learns the batch in hand right after.
   *
   * @return whether the cuts of that partition have grown to the limit (a checkpoint should
   *     follow, or the committed metadata would grow without bound)
   */
  boolean cut() {
    if (lastPartition == null) {
      return false;
    }
    TreeSet<Long> partitionCuts = cuts.computeIfAbsent(lastPartition, p -> new TreeSet<>());
    partitionCuts.add(lastOffset);
    return partitionCuts.size() >= maxCuts;
  }

  /** The turns that need a prediction, in stream order; the queue is emptied. */
  List<T> takeUnpredicted() {
    List<T> turns = unpredicted.stream().map(Pending::turn).toList();
    unpredicted.clear();
    return turns;
  }

  /** The batch to learn, in stream order; the batch is emptied. */
  List<T> takeBatch() {
    List<T> turns = batch.stream().map(Pending::turn).toList();
    batch.clear();
    return turns;
  }

  boolean hasBatch() {
    return !batch.isEmpty();
  }

  boolean hasUnpredicted() {
    return !unpredicted.isEmpty();
  }

  /**
   * Per partition, the first turn the model has not learned: the first one in the batch, else
   * {@code next} (the next offset to read).
   */
  Map<P, Long> resumePositions(Map<P, Long> next) {
    Map<P, Long> resume = new HashMap<>(next);
    for (Pending<P, T> pending : batch) {
      resume.merge(pending.partition(), pending.offset(), Math::min);
    }
    return resume;
  }

  /** The cuts of one partition, ascending. */
  List<Long> cuts(P partition) {
    TreeSet<Long> partitionCuts = cuts.get(partition);
    return partitionCuts == null ? List.of() : List.copyOf(partitionCuts);
  }

  /** All cuts, for logs. */
  Map<P, List<Long>> cuts() {
    Map<P, List<Long>> all = new HashMap<>();
    cuts.forEach((partition, partitionCuts) -> all.put(partition, List.copyOf(partitionCuts)));
    return all;
  }

  /** Cuts committed by an earlier run, which its replay must repeat. */
  void restoreCuts(Map<P, List<Long>> restored) {
    restored.forEach((partition, partitionCuts) -> cuts.put(partition, new TreeSet<>(partitionCuts)));
  }

  /** Forgets the cuts a checkpoint's weights contain; later ones (a replay still ahead) stay. */
  void dropCutsBefore(Map<P, Long> resume) {
    cuts.forEach((partition, partitionCuts) -> partitionCuts.headSet(resume.getOrDefault(partition, 0L)).clear());
  }

  /** Drops everything: the trainer goes back to its committed state. */
  void clear() {
    unpredicted.clear();
    batch.clear();
    cuts.clear();
    lastPartition = null;
    lastOffset = -1;
  }
}
