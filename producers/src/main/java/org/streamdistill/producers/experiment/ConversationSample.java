package org.streamdistill.producers.experiment;

/**
 * Keeps a seeded share of conversations, whole: whether a conversation is kept depends only
 * on the seed and its key, never on order or on the other records, so a sample is the same
 * in every run and a kept conversation keeps all its turns.
 */
public final class ConversationSample {

  private final long seed;
  private final double fraction;

  public ConversationSample(long seed, double fraction) {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("sample fraction must be within [0, 1], got " + fraction);
    }
    this.seed = seed;
    this.fraction = fraction;
  }

  /** Whether records with this key (a conversation id's bytes; {@code null} for none) are kept. */
  public boolean keeps(byte[] key) {
    if (fraction >= 1) {
      return true;
    }
    if (fraction <= 0) {
      return false;
    }
    long hash = 0xcbf29ce484222325L; // FNV-1a 64
    if (key != null) {
      for (byte b : key) {
        hash ^= b & 0xff;
        hash *= 0x100000001b3L;
      }
    }
    long mixed = mix(hash ^ mix(seed));
    double uniform = (mixed >>> 11) * 0x1.0p-53;
    return uniform < fraction;
  }

  /** SplitMix64's finaliser: spreads nearby inputs over the whole range. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
