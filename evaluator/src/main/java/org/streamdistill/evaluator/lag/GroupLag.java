package org.streamdistill.evaluator.lag;

import java.util.List;

/**
 * One group in a lag report: its status and its partitions, sorted by topic then partition.
 *
 * @param group the group id
 * @param status the most severe status of its partitions
 * @param partitions one row per partition
 */
public record GroupLag(String group, ConsumerStatus status, List<PartitionLag> partitions) {

  public GroupLag {
    partitions = List.copyOf(partitions);
  }

  /** Records not yet consumed, over all partitions. */
  public long totalLag() {
    return partitions.stream().mapToLong(PartitionLag::lag).sum();
  }

  /** The largest known time lag over all partitions, milliseconds; 0 without partitions. */
  public long maxTimeLagMs() {
    return partitions.stream().filter(PartitionLag::timeLagKnown).mapToLong(PartitionLag::timeLagMs).max().orElse(0);
  }
}
