package org.streamdistill.evaluator.app;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.schemas.lifecycle.Failures;
import org.streamdistill.schemas.lifecycle.StageSupervisor;
import org.streamdistill.schemas.registry.RetryingSchemaRegistryClient;
import org.streamdistill.schemas.registry.SchemaRegistryException;

/**
 * What the evaluator does when a stream thread dies. Poison never gets here (the
 * deserialization handler dead-letters it), so what does is an outage, a client that gave up
 * on one, or a defect:
 *
 * <ul>
 *   <li>A failure that a restart cannot fix ({@link Failures#restartCannotFix}: fencing, refused
 *       credentials or permissions, a bad setting) shuts the application down loudly.
 *   <li>Anything else replaces the thread after a pause of 1 s doubling up to 30 s (the pauses
 *       start over once no thread died for {@link #QUIET_PERIOD}); the new thread resumes from
 *       the last committed transaction, so nothing is lost or counted twice. Outages that
 *       Kafka signals as retriable (the timeout Kafka Streams throws once the broker has been
 *       away for {@code task.timeout.ms}) and a registry that is down are logged at WARN;
 *       anything else at ERROR with its stack trace, since it may be a defect.
 * </ul>
 *
 * <p>Why not stop on unknown errors: the Kafka client does not sort its own errors reliably.
 * Seen in the soak, after the broker came back from a 90-second freeze: {@code KafkaException:
 * Unexpected error from SyncGroup: The coordinator is loading}, a plain (not retriable)
 * exception for a state that passes in seconds; stopping on it would end the evaluator for
 * good. A defect that repeats costs one log line every 30 s, not a stopped pipeline.
 *
 * <p>The pause runs on the dying thread, before Kafka Streams starts its replacement.
 */
final class StreamThreadFailureHandler implements StreamsUncaughtExceptionHandler {

  /** A thread that did not die for this long ends the current run of growing pauses. */
  static final Duration QUIET_PERIOD = Duration.ofMinutes(5);
  static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(StreamThreadFailureHandler.class);

  private final String applicationId;
  private final StageSupervisor.Sleeper sleeper;
  private final LongSupplier clockMillis;
  private final AtomicInteger replaced = new AtomicInteger();
  private long backoffMillis = INITIAL_BACKOFF.toMillis();
  private long lastFailureMillis = Long.MIN_VALUE;

  StreamThreadFailureHandler(String applicationId, StageSupervisor.Sleeper sleeper, LongSupplier clockMillis) {
    this.applicationId = applicationId;
    this.sleeper = sleeper;
    this.clockMillis = clockMillis;
  }

  @Override
  public StreamThreadExceptionResponse handle(Throwable error) {
    if (Failures.restartCannotFix(error)) {
      LOG.error("evaluator {} stops after an error a restart cannot fix", applicationId, error);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    long pause;
    synchronized (this) {
      long now = clockMillis.getAsLong();
      if (lastFailureMillis != Long.MIN_VALUE && now - lastFailureMillis >= QUIET_PERIOD.toMillis()) {
        backoffMillis = INITIAL_BACKOFF.toMillis();
      }
      lastFailureMillis = now;
      pause = backoffMillis;
      backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
    }
    int count = replaced.incrementAndGet();
    if (isOutage(error)) {
      LOG.warn("evaluator {}: a stream thread stopped during an outage ({}); replacing it in {} ms (replacement {})",
          applicationId, rootMessage(error), pause, count);
    } else {
      LOG.error("evaluator {}: a stream thread stopped after an unexpected error; replacing it in {} ms "
          + "(replacement {})", applicationId, pause, count, error);
    }
    try {
      sleeper.sleep(pause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  /** How many stream threads were replaced after an outage. */
  int replacedThreads() {
    return replaced.get();
  }

  /** Whether {@code error} says a service was away, as opposed to something unexpected. */
  static boolean isOutage(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RetriableException) {
        return true;
      }
      if (t instanceof SchemaRegistryException registryError && RetryingSchemaRegistryClient.isTransient(registryError)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }
}
