package org.streamdistill.evaluator.lag;

/**
 * What a read-committed fetch found between a group's committed offset and the partition's
 * last stable offset: the oldest record the group has not consumed yet, nothing but
 * transaction markers (or aborted records), or no answer in time.
 */
public sealed interface OldestUnconsumed {

  /** The oldest consumable record not yet consumed. */
  record Found(long offset, long timestampMs) implements OldestUnconsumed {}

  /**
   * The range holds no record a read-committed consumer would see: only commit/abort markers
   * of exactly-once producers, or aborted records. The group is caught up.
   */
  record OnlyMarkers() implements OldestUnconsumed {}

  /** The fetch did not answer within its timeout: the time lag is unknown. */
  record Unknown() implements OldestUnconsumed {}

  /** The shared {@link OnlyMarkers} value. */
  OldestUnconsumed ONLY_MARKERS = new OnlyMarkers();

  /** The shared {@link Unknown} value. */
  OldestUnconsumed UNKNOWN = new Unknown();
}
