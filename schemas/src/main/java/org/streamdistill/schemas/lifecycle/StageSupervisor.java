package org.streamdistill.schemas.lifecycle;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one stage running, as a process supervisor keeps a stage process running: when the
 * stage's {@code run()} fails, the failed instance is closed, handed to {@code onReplaced} (so
 * its counters can be kept), and a new one is made and run after a pause that doubles from
 * {@code initialBackoff} up to {@code maxBackoff}. Making the new instance may fail too (its
 * clients cannot reach the broker yet, say); that is retried the same way. A run that lasted at
 * least {@code maxBackoff} before it failed starts the pauses over from {@code initialBackoff}.
 *
 * <p>A failure that a restart cannot fix ({@code isFinal}: another instance took over, the
 * input is poison as a whole, a bad setting, refused credentials, inconsistent state) ends
 * {@link #run()} with that failure, as does {@link #stop()}.
 *
 * <p>Restarting is safe only for a stage that resumes from committed state, so that a restart
 * loses nothing and publishes nothing twice (the trainer resumes from its last committed
 * transaction and checkpoint).
 */
public final class StageSupervisor<T extends Runnable & AutoCloseable> implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(StageSupervisor.class);

  /** Pauses the calling thread; tests replace it. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  private final String name;
  private final Supplier<T> factory;
  private final Consumer<T> stopper;
  private final Predicate<Throwable> isFinal;
  private final Consumer<T> onReplaced;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Sleeper sleeper;
  private final LongSupplier clockMillis;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile T current;
  private volatile int restarts;

  /**
   * A supervisor whose pauses end early when {@link #stop()} is called.
   *
   * @param factory makes a new instance; the first is made here, so a bad setting fails the caller
   */
  public StageSupervisor(String name, Supplier<T> factory, Consumer<T> stopper, Predicate<Throwable> isFinal,
                         Consumer<T> onReplaced, Duration initialBackoff, Duration maxBackoff) {
    this(name, factory, stopper, isFinal, onReplaced, initialBackoff, maxBackoff, null, System::currentTimeMillis);
  }

  /** As the other constructor, with the pauses and the clock of the caller's choosing (tests). */
  public StageSupervisor(String name, Supplier<T> factory, Consumer<T> stopper, Predicate<Throwable> isFinal,
                         Consumer<T> onReplaced, Duration initialBackoff, Duration maxBackoff, Sleeper sleeper,
                         LongSupplier clockMillis) {
    if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("backoff must be positive and initial <= max, got " + initialBackoff
          + " and " + maxBackoff);
    }
    this.name = name;
    this.factory = factory;
    this.stopper = stopper;
    this.isFinal = isFinal;
    this.onReplaced = onReplaced;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.sleeper = sleeper != null ? sleeper : millis -> stopRequested.await(millis, TimeUnit.MILLISECONDS);
    this.clockMillis = clockMillis;
    this.current = factory.get();
  }

  @Override
  public void run() {
    long backoff = initialBackoff.toMillis();
    T stage = current;
    while (true) {
      long started = clockMillis.getAsLong();
      try {
        if (stage == null) {
          stage = factory.get();
          current = stage;
          if (!running) {
            stopper.accept(stage);
          }
        }
        stage.run();
        return; // a stage returns only when asked to stop
      } catch (RuntimeException e) {
        if (!running || isFinal.test(e)) {
          throw e;
        }
        if (clockMillis.getAsLong() - started >= maxBackoff.toMillis()) {
          backoff = initialBackoff.toMillis(); // it ran a while: a new outage, not the same one
        }
        restarts++;
        LOG.warn("{} failed ({}); restarting it in {} ms (restart {})", name, rootMessage(e), backoff, restarts);
        if (stage != null) {
          current = null; // before onReplaced: never both current and replaced
          closeQuietly(stage);
          onReplaced.accept(stage);
          stage = null;
        }
        try {
          sleeper.sleep(backoff);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
        backoff = Math.min(backoff * 2, maxBackoff.toMillis());
        if (!running) {
          return;
        }
      }
    }
  }

  /** The instance running now, or null between a failure and the making of its replacement. */
  public T current() {
    return current;
  }

  /** How often the stage failed and was (or is about to be) started again. */
  public int restarts() {
    return restarts;
  }

  /** Asks the running instance to stop and ends {@link #run()} after it; a pause in progress ends at once. */
  public void stop() {
    running = false;
    stopRequested.countDown();
    T stage = current;
    if (stage != null) {
      stopper.accept(stage);
    }
  }

  private void closeQuietly(T stage) {
    try {
      stage.close();
    } catch (Exception e) {
      LOG.warn("closing the failed {}: {}", name, e.toString());
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
    return cause == e ? message : e.getMessage() + "; cause: " + message;
  }
}
