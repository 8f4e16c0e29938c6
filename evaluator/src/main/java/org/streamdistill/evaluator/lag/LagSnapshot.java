package org.streamdistill.evaluator.lag;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The lag of every monitored group at one sample: what {@code /metrics}, {@code /lag} and the
 * table show.
 *
 * @param sampledAt when the sample was taken; null for {@link #EMPTY}, before the first sample
 * @param groups one entry per monitored group, in configuration order
 */
public record LagSnapshot(Instant sampledAt, List<GroupLag> groups) {

  /** The snapshot before the first sample. */
  public static final LagSnapshot EMPTY = new LagSnapshot(null, List.of());

  public LagSnapshot {
    groups = List.copyOf(groups);
  }

  /** The entry of one group. */
  public Optional<GroupLag> group(String groupId) {
    return groups.stream().filter(g -> g.group().equals(groupId)).findFirst();
  }
}
