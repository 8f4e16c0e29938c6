package org.streamdistill.producers.publish;

/**
 * Paces work to a fixed rate by sleeping until each permit's slot. Slots are computed from
 * the start time, so a slow send is made up for by the next ones instead of drifting.
 */
public final class RateLimiter implements Pacer {

  private final double perSecond;
  private long start = -1;
  private long granted = 0;

  /** @param perSecond permits per second; 0 or less means unlimited */
  public RateLimiter(double perSecond) {
    this.perSecond = perSecond;
  }

  public static RateLimiter unlimited() {
    return new RateLimiter(0);
  }

  /** Paces by count only: the position does not matter. */
  @Override
  public void await(long position) throws InterruptedException {
    acquire();
  }

  /** Blocks until the next permit is due. */
  public void acquire() throws InterruptedException {
    if (perSecond <= 0) {
      return;
    }
    long now = System.nanoTime();
    if (start < 0) {
      start = now;
    }
    long due = start + (long) (granted++ * 1e9 / perSecond);
    long wait = due - now;
    if (wait > 0) {
      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
  }
}
