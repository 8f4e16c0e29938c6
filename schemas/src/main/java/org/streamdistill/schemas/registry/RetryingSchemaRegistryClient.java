package org.streamdistill.schemas.registry;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits out a schema registry outage: a request that fails because the registry cannot be
 * reached or answers 5xx (or 408, 429) is tried again after a pause that doubles from {@code
 * initialBackoff} up to {@code maxBackoff}, until it succeeds or {@code maxWait} has passed.
 * Definite answers pass through at once: 404 (no such schema id: the caller dead-letters the
 * record), 409 (incompatible schema), 401/403 (wrong credentials, which waiting does not fix),
 * and a TLS handshake that fails on certificates (an untrusted or misnamed certificate).
 *
 * <p>Why a decorator and not retries in every stage: the teacher operator, the trainer, the
 * evaluator's serdes and the serving feed all decode through {@link
 * org.streamdistill.schemas.wire.AvroWireCodec}, and an outage must look the same to each of
 * them: slower, never "unknown schema id". Successful answers are cached by the wrapped client,
 * so an outage only stalls records with a schema id not seen before.
 */
public final class RetryingSchemaRegistryClient implements SchemaRegistryClient {

  private static final Logger LOG = LoggerFactory.getLogger(RetryingSchemaRegistryClient.class);

  /** Pauses the calling thread; a test replaces it to run without waiting. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  private final SchemaRegistryClient delegate;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration maxWait;
  private final Sleeper sleeper;
  private final AtomicLong retries = new AtomicLong();
  private volatile boolean waiting;

  /** Retries for as long as the outage lasts, pausing 200 ms doubling up to 30 s. */
  public RetryingSchemaRegistryClient(SchemaRegistryClient delegate) {
    this(delegate, Duration.ofMillis(200), Duration.ofSeconds(30), null, Thread::sleep);
  }

  /** @param maxWait give up (and rethrow) once this much time was spent waiting; null: never */
  public RetryingSchemaRegistryClient(SchemaRegistryClient delegate, Duration initialBackoff, Duration maxBackoff,
                                      Duration maxWait, Sleeper sleeper) {
    if (initialBackoff.isZero() || initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("backoff must be > 0 and max >= initial, got " + initialBackoff + " and "
          + maxBackoff);
    }
    this.delegate = delegate;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.maxWait = maxWait;
    this.sleeper = sleeper;
  }

  /**
   * Whether a failure that waiting may fix: no answer, a timeout, a server error, or "slow down".
   * A TLS handshake refused on certificates gives no answer either, but waiting never fixes it.
   */
  public static boolean isTransient(SchemaRegistryException e) {
    int status = e.status();
    return (status == 0 && !e.isTlsFailure()) || status >= 500 || status == 408 || status == 429;
  }

  @Override
  public int register(String subject, Schema schema) {
    return withRetries("register a schema under " + subject, () -> delegate.register(subject, schema));
  }

  @Override
  public Schema schemaById(int id) {
    return withRetries("fetch schema id " + id, () -> delegate.schemaById(id));
  }

  /** Requests tried again since this client was made: a health figure for operators. */
  public long retries() {
    return retries.get();
  }

  /** Whether a request is waiting for the registry right now. */
  public boolean waiting() {
    return waiting;
  }

  private <T> T withRetries(String what, java.util.function.Supplier<T> request) {
    long backoff = initialBackoff.toMillis();
    long waited = 0;
    int attempt = 1;
    while (true) {
      try {
        T result = request.get();
        if (attempt > 1) {
          waiting = false;
          LOG.info("schema registry answered again after {} ms; {} went through on attempt {}", waited, what, attempt);
        }
        return result;
      } catch (SchemaRegistryException e) {
        if (!isTransient(e) || (maxWait != null && waited >= maxWait.toMillis())) {
          waiting = false;
          throw e;
        }
        waiting = true;
        retries.incrementAndGet();
        LOG.warn("schema registry unavailable (attempt {} to {}): {}; retrying in {} ms", attempt, what,
            e.getMessage(), backoff);
        try {
          sleeper.sleep(backoff);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          waiting = false;
          throw new SchemaRegistryException("interrupted while waiting for the schema registry to " + what, e);
        }
        waited += backoff;
        backoff = Math.min(backoff * 2, maxBackoff.toMillis());
        attempt++;
      }
    }
  }

  @Override
  public String toString() {
    return "Retrying[" + delegate + "]";
  }
}
