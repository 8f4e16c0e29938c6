package org.streamdistill.producers.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A range of a topic, fixed when the replay starts: per partition, offsets from {@code
 * start} (inclusive) to {@code end} (exclusive). Printed as the two flags that replay
 * exactly this range again.
 */
public record ReplayRange(String topic, List<PartitionRange> partitions) {

  /** One partition's part of the range. */
  public record PartitionRange(int partition, long start, long end) {
    public long size() {
      return end - start;
    }
  }

  public ReplayRange {
    partitions = List.copyOf(partitions);
  }

  /** Offsets in the range (records, plus any transaction markers among them). */
  public long size() {
    return partitions.stream().mapToLong(PartitionRange::size).sum();
  }

  /** {@code --replay.from-offsets 0:12,1:40 --replay.to-offsets 0:90,1:77}. */
  public String asFlags() {
    return "--" + TopicReplayConfig.FROM_OFFSETS + " " + join(PartitionRange::start) + " --"
        + TopicReplayConfig.TO_OFFSETS + " " + join(PartitionRange::end);
  }

  private String join(java.util.function.ToLongFunction<PartitionRange> offset) {
    return partitions.stream().map(p -> p.partition() + ":" + offset.applyAsLong(p)).collect(Collectors.joining(","));
  }

  /**
   * Resolves the bounds against what the topic holds now. Offsets before the earliest
   * retained one start at the earliest; ends past the current end (the last stable offset)
   * stop there, so records written during the replay are never part of it.
   *
   * @param earliest each partition's first retained offset
   * @param latest each partition's end offset now
   * @param fromTime per partition, the first offset at or after the start time ({@code null}
   *     value: none, i.e. the end); {@code null} map when the start is not a time
   * @param toTime likewise for the end time
   * @throws IllegalArgumentException when a bound names partitions the topic lacks or leaves some out
   */
  public static ReplayRange resolve(String topic, Map<Integer, Long> earliest, Map<Integer, Long> latest,
                                    OffsetBound from, OffsetBound to, Map<Integer, Long> fromTime,
                                    Map<Integer, Long> toTime) {
    for (OffsetBound bound : List.of(from, to)) {
      for (int partition : bound.perPartition().keySet()) {
        if (!latest.containsKey(partition)) {
          throw new IllegalArgumentException(topic + " has no partition " + partition + " (it has "
              + latest.size() + ")");
        }
      }
    }
    List<PartitionRange> ranges = new ArrayList<>();
    for (int partition : latest.keySet().stream().sorted().toList()) {
      long first = earliest.get(partition);
      long last = latest.get(partition);
      long start;
      if (from.isPresent()) {
        start = from.offsetFor(partition);
      } else if (fromTime != null) {
        Long found = fromTime.get(partition);
        start = found == null ? last : found;
      } else {
        start = first;
      }
      long end;
      if (to.isPresent()) {
        end = to.offsetFor(partition);
      } else if (toTime != null) {
        Long found = toTime.get(partition);
        end = found == null ? last : found;
      } else {
        end = last;
      }
      start = Math.min(Math.max(start, first), last);
      end = Math.max(Math.min(end, last), start);
      ranges.add(new PartitionRange(partition, start, end));
    }
    return new ReplayRange(topic, ranges);
  }
}
