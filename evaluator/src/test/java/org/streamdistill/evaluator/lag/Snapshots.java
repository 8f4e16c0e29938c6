package org.streamdistill.evaluator.lag;

import java.time.Instant;
import java.util.List;

/** Hand-built snapshots for the formatter tests. */
final class Snapshots {

  private Snapshots() {}

  /**
   * A stalled trainer (one partition behind by 12 records, 3.5 s; one never committed, time
   * lag unknown), a teacher job at the end of a transactional topic (committed 100, last stable
   * offset 101, lag 0), and a group without partitions.
   */
  static LagSnapshot mixed() {
    return new LagSnapshot(Instant.parse("2025-01-02T03:04:05.678Z"), List.of(
        new GroupLag("student-trainer", ConsumerStatus.STALL, List.of(
            new PartitionLag("teacher.soft-labels", 0, 10, 22, 12, 3_500, ConsumerStatus.STALL),
            new PartitionLag("teacher.soft-labels", 1, LagSample.NO_OFFSET, 5, 5, LagSample.UNKNOWN_TIME_LAG,
                ConsumerStatus.STALL))),
        new GroupLag("teacher-stream", ConsumerStatus.OK, List.of(
            new PartitionLag("dialogue.turns", 0, 100, 101, 0, 0, ConsumerStatus.OK))),
        new GroupLag("idle", ConsumerStatus.OK, List.of())));
  }
}
