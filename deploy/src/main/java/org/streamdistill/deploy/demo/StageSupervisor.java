package org.streamdistill.deploy.demo;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one stage of the embedded pipeline running, as a process supervisor keeps a stage
 * process running in production: when the stage's {@code run()} fails, the failed instance is
 * closed, handed to {@code onReplaced} (so its counters can be kept), and a new one is made and
 * run after a pause that doubles from {@code initialBackoff} up to {@code maxBackoff}. A failure
 * that a restart cannot fix ({@code isFinal}: another instance took over, the input is poison as
 * a whole, a bad setting) ends {@link #run()} with that failure, as does {@link #stop()}.
 *
 * <p>Why restarting is safe for the trainer: it resumes from its last committed transaction and
 * checkpoint, so a restart loses nothing and publishes nothing twice.
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
  private volatile boolean running = true;
  private volatile T current;
  private volatile int restarts;

  public StageSupervisor(String name, Supplier<T> factory, Consumer<T> stopper, Predicate<Throwable> isFinal,
                         Consumer<T> onReplaced, Duration initialBackoff, Duration maxBackoff, Sleeper sleeper) {
    this.name = name;
    this.factory = factory;
    this.stopper = stopper;
    this.isFinal = isFinal;
    this.onReplaced = onReplaced;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.sleeper = sleeper;
    this.current = factory.get();
  }

  @Override
  public void run() {
    long backoff = initialBackoff.toMillis();
    while (true) {
      T stage = current;
      try {
        stage.run();
        return; // a stage returns only when asked to stop
      } catch (RuntimeException e) {
        if (!running || isFinal.test(e)) {
          throw e;
        }
        restarts++;
        LOG.warn("{} failed ({}); restarting it in {} ms (restart {})", name, e.getMessage(), backoff, restarts);
        closeQuietly(stage);
        onReplaced.accept(stage);
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
        current = factory.get();
      }
    }
  }

  /** The instance running now (or about to). */
  public T current() {
    return current;
  }

  /** How often the stage was started again after a failure. */
  public int restarts() {
    return restarts;
  }

  /** Asks the running instance to stop and ends {@link #run()} after it. */
  public void stop() {
    running = false;
    stopper.accept(current);
  }

  private void closeQuietly(T stage) {
    try {
      stage.close();
    } catch (Exception e) {
      LOG.warn("closing the failed {}: {}", name, e.toString());
    }
  }
}
