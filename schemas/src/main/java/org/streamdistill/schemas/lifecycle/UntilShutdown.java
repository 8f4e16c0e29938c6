package org.streamdistill.schemas.lifecycle;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * Runs a command that serves until Ctrl-C (or SIGTERM): the JVM's shutdown completes the {@code
 * stop} future the command waits on, then waits up to a grace period for the command to return,
 * so that it closes its clients (consumer groups left cleanly, servers unbound) before the JVM
 * halts. Shared by the commands that run until stopped ({@code lag}, {@code console}).
 */
public final class UntilShutdown {

  private UntilShutdown() {}

  /**
   * Runs {@code command} with a future that completes when the JVM shuts down; returns its exit code.
   *
   * @param name names the shutdown hook's thread, e.g. {@code console-shutdown}
   * @param grace how long shutdown waits for {@code command} to return
   */
  public static int run(String name, Duration grace, ToIntFunction<CompletableFuture<?>> command) {
    CompletableFuture<Void> stop = new CompletableFuture<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.complete(null);
      try {
        stopped.await(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, name);
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return command.applyAsInt(stop);
    } finally {
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it ends now that stopped is counted down
      }
    }
  }
}
