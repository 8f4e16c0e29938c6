package org.streamdistill.teacher.selection;

import java.nio.charset.StandardCharsets;

/**
 * Seeded uniform draws in [0, 1) that are a function of the turn id: the same turn, seed and
 * purpose always draw the same number. The job keeps no random state, so a replay after a
 * restart (which scores the same turns again into a new transaction) makes the same choices.
 * Mixing is SplitMix64's finaliser over an FNV-1a hash of the id's UTF-8 bytes.
 */
public final class TurnDraw {

  /** Purpose of a draw: different purposes of one turn draw independent numbers. */
  public enum Purpose { AUDIT, UNIFORM, TIE_BREAK }

  private final long seed;

  public TurnDraw(long seed) {
    this.seed = seed;
  }

  /** The draw for {@code turnId} and {@code purpose}, in [0, 1). */
  public double draw(String turnId, Purpose purpose) {
    long h = 0xcbf29ce484222325L;
    for (byte b : turnId.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    long z = h ^ mix(seed + 0x9e3779b97f4a7c15L * (purpose.ordinal() + 1));
    return (mix(z) >>> 11) * 0x1.0p-53;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
