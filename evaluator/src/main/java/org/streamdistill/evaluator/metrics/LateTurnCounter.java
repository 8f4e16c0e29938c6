package org.streamdistill.evaluator.metrics;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts turns the time-window metrics dropped because they arrived after every window they
 * belong to had closed (window end plus grace). Shared by every stream thread of one
 * application, hence atomic; read by operators through the application.
 */
public final class LateTurnCounter {

  private final AtomicLong dropped = new AtomicLong();

  void increment() {
    dropped.incrementAndGet();
  }

  /** Late turns dropped since the application started (one per model prediction). */
  public long total() {
    return dropped.get();
  }
}
