package org.streamdistill.producers.publish;

/**
 * Decides when the next turn of a replay may be sent: at a fixed rate ({@link RateLimiter})
 * or at the pace the turns originally happened ({@link OriginalPace}).
 */
@FunctionalInterface
public interface Pacer {

  /**
   * Blocks until the turn at {@code position} (0-based, in replay order) is due.
   */
  void await(long position) throws InterruptedException;
}
