package org.streamdistill.deploy.soak;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * When each fault happens: one every {@code intervalMillis}, from {@code startMillis} until
 * {@code endMillis}, in rounds that each hold every kind once in a seeded order, so a soak of
 * any length exercises every kind about equally and the same seed gives the same schedule.
 * Pure: no clock, no I/O.
 */
public final class FaultSchedule {

  /** A fault due {@code atMillis} after the soak's start. */
  public record Planned(long atMillis, Fault fault) {}

  private FaultSchedule() {}

  public static List<Planned> plan(List<Fault> kinds, long seed, long startMillis, long endMillis,
                                   long intervalMillis) {
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("no fault kinds to schedule");
    }
    if (intervalMillis <= 0) {
      throw new IllegalArgumentException("fault interval must be > 0 ms, got " + intervalMillis);
    }
    Random random = new Random(seed);
    List<Planned> planned = new ArrayList<>();
    List<Fault> round = new ArrayList<>();
    for (long at = startMillis; at < endMillis; at += intervalMillis) {
      if (round.isEmpty()) {
        round.addAll(kinds);
        Collections.shuffle(round, random);
      }
      planned.add(new Planned(at, round.remove(0)));
    }
    return List.copyOf(planned);
  }
}
