package org.streamdistill.evaluator.lag;

/**
 * One row of a lag report: a group on one partition at the latest sample, with the status of
 * the partition's window.
 *
 * @param topic topic name
 * @param partition partition number
 * @param committedOffset the group's committed offset, {@link LagSample#NO_OFFSET} for none
 * @param endOffset the last stable offset
 * @param lag records not yet consumed (0 when only transaction markers remain)
 * @param timeLagMs age of the oldest record not yet consumed, {@link
 *     LagSample#UNKNOWN_TIME_LAG} when unknown
 * @param status the partition's status
 */
public record PartitionLag(String topic, int partition, long committedOffset, long endOffset, long lag,
                           long timeLagMs, ConsumerStatus status) {

  /** Builds the row from a partition's latest sample and status. */
  public static PartitionLag of(String topic, int partition, LagSample latest, ConsumerStatus status) {
    return new PartitionLag(topic, partition, latest.committedOffset(), latest.endOffset(), latest.lag(),
        latest.timeLagMs(), status);
  }

  public boolean hasCommit() {
    return committedOffset != LagSample.NO_OFFSET;
  }

  public boolean timeLagKnown() {
    return timeLagMs != LagSample.UNKNOWN_TIME_LAG;
  }
}
