package org.streamdistill.evaluator.lag;

/**
 * One observation of one group on one partition.
 *
 * @param timeMs when the sample was taken, epoch milliseconds
 * @param committedOffset the group's committed offset, {@link #NO_OFFSET} when it has none
 * @param endOffset the partition's last stable offset (what a read-committed consumer can
 *     reach; equal to the log-end offset when no transaction is open)
 * @param lag records not yet consumed, 0 when only transaction markers remain (see {@link
 *     #measure})
 * @param timeLagMs age of the oldest record not yet consumed, 0 when caught up, {@link
 *     #UNKNOWN_TIME_LAG} when it could not be read
 * @param committedSinceMs when the current committed offset was first observed: the monitor
 *     cannot see commit times, so this is the sample that first saw the value (a commit of an
 *     unchanged offset does not reset it)
 */
public record LagSample(long timeMs, long committedOffset, long endOffset, long lag, long timeLagMs,
                        long committedSinceMs) {

  /** {@link #committedOffset} of a partition the group has never committed. */
  public static final long NO_OFFSET = -1L;

  /** {@link #timeLagMs} when the oldest unconsumed record could not be read. */
  public static final long UNKNOWN_TIME_LAG = -1L;

  public LagSample {
    if (lag < 0) {
      throw new IllegalArgumentException("lag must be >= 0, got " + lag);
    }
    if (committedOffset < NO_OFFSET) {
      throw new IllegalArgumentException("committedOffset must be >= 0 or NO_OFFSET, got " + committedOffset);
    }
  }

  /** Whether the group has a committed offset on this partition. */
  public boolean hasCommit() {
    return committedOffset != NO_OFFSET;
  }

  /**
   * Computes one sample from what the monitor read.
   *
   * <p>The group's position is its committed offset, or the log-start offset when it has none
   * or when retention deleted records it never consumed (every stage of the pipeline starts
   * from the earliest offset). The lag is measured against the <em>last stable offset</em>,
   * never the raw log end, and from the oldest consumable record on:
   *
   * <ul>
   *   <li>no gap up to the last stable offset: lag 0, time lag 0;
   *   <li>the gap holds only transaction markers or aborted records ({@link
   *       OldestUnconsumed.OnlyMarkers}): lag 0, time lag 0. This is the usual state of an
   *       exactly-once consumer at the end of a transactional topic: Flink's KafkaSource and
   *       Kafka Streams commit "last record + 1", which is the offset of the commit marker, so
   *       the last stable offset stays one (or more) beyond the committed offset for good;
   *   <li>a record was found: lag = last stable offset - offset of that record (markers in
   *       front of it are not counted), time lag = now - its timestamp;
   *   <li>the fetch timed out: lag = last stable offset - position, time lag unknown.
   * </ul>
   *
   * @param previous the partition's previous sample of the same group, or null
   */
  public static LagSample measure(long timeMs, long committedOffset, long logStartOffset, long lastStableOffset,
                                  OldestUnconsumed oldest, LagSample previous) {
    long position = consumerPosition(committedOffset, logStartOffset);
    long lag;
    long timeLag;
    if (lastStableOffset <= position) {
      lag = 0;
      timeLag = 0;
    } else if (oldest instanceof OldestUnconsumed.Found found) {
      lag = Math.max(0, lastStableOffset - Math.max(found.offset(), position));
      timeLag = found.timestampMs() < 0 ? UNKNOWN_TIME_LAG : Math.max(0, timeMs - found.timestampMs());
    } else if (oldest instanceof OldestUnconsumed.OnlyMarkers) {
      lag = 0;
      timeLag = 0;
    } else {
      lag = lastStableOffset - position;
      timeLag = UNKNOWN_TIME_LAG;
    }
    long since = previous != null && previous.committedOffset() == committedOffset
        ? previous.committedSinceMs() : timeMs;
    return new LagSample(timeMs, committedOffset, lastStableOffset, lag, timeLag, since);
  }

  /** Where the group's next read starts: its committed offset, but never below the log start. */
  public static long consumerPosition(long committedOffset, long logStartOffset) {
    return committedOffset == NO_OFFSET ? logStartOffset : Math.max(committedOffset, logStartOffset);
  }
}
