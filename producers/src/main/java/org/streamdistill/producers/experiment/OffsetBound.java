package org.streamdistill.producers.experiment;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One end of a range given as offsets: nothing, one offset for every partition ({@code 500})
 * or one per partition ({@code 0:120,1:98,2:130,3:101}).
 */
public final class OffsetBound {

  private static final OffsetBound NONE = new OffsetBound(OptionalLong.empty(), Map.of());

  private final OptionalLong all;
  private final Map<Integer, Long> perPartition;

  private OffsetBound(OptionalLong all, Map<Integer, Long> perPartition) {
    this.all = all;
    this.perPartition = perPartition;
  }

  public static OffsetBound none() {
    return NONE;
  }

  /**
   * @throws IllegalArgumentException naming the part that is wrong
   */
  public static OffsetBound parse(String text) {
    String value = text == null ? "" : text.strip();
    if (value.isEmpty()) {
      return NONE;
    }
    if (!value.contains(":")) {
      return new OffsetBound(OptionalLong.of(offset(value)), Map.of());
    }
    Map<Integer, Long> offsets = new LinkedHashMap<>();
    for (String part : value.split(",")) {
      String[] pair = part.strip().split(":", -1);
      if (pair.length != 2) {
        throw new IllegalArgumentException("'" + part.strip() + "' is not partition:offset");
      }
      int partition;
      try {
        partition = Integer.parseInt(pair[0].strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + pair[0].strip() + "' is not a partition number");
      }
      if (partition < 0) {
        throw new IllegalArgumentException("partition must be >= 0, got " + partition);
      }
      if (offsets.put(partition, offset(pair[1].strip())) != null) {
        throw new IllegalArgumentException("partition " + partition + " is given twice");
      }
    }
    return new OffsetBound(OptionalLong.empty(), Map.copyOf(offsets));
  }

  private static long offset(String text) {
    try {
      long offset = Long.parseLong(text);
      if (offset < 0) {
        throw new IllegalArgumentException("offset must be >= 0, got " + offset);
      }
      return offset;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not an offset");
    }
  }

  public boolean isPresent() {
    return all.isPresent() || !perPartition.isEmpty();
  }

  /** Per-partition offsets as given (empty for a single or absent bound). */
  public Map<Integer, Long> perPartition() {
    return perPartition;
  }

  /**
   * The offset for {@code partition}.
   *
   * @throws IllegalArgumentException when the bound lists partitions but not this one
   */
  public long offsetFor(int partition) {
    if (all.isPresent()) {
      return all.getAsLong();
    }
    Long offset = perPartition.get(partition);
    if (offset == null) {
      throw new IllegalArgumentException("no offset for partition " + partition + "; give one for each partition, "
          + "or a single number for all");
    }
    return offset;
  }

  @Override
  public String toString() {
    return all.isPresent() ? Long.toString(all.getAsLong()) : perPartition.toString();
  }
}
