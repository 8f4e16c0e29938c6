package org.streamdistill.producers.ingest;

import java.util.concurrent.CompletableFuture;
import org.streamdistill.records.DialogueTurn;

/**
 * Where accepted turns go. {@link #write} hands the turn over before it returns, so turns
 * written one after the other (by one thread, or under one lock) keep that order; the
 * future completes when the turn is durable.
 */
public interface TurnSink {

  /**
   * @return completes normally once the turn is acknowledged, exceptionally when it was not
   * @throws SinkUnavailableException when the turn was not taken at all (overloaded,
   *     unreachable): nothing was written and the caller may retry
   */
  CompletableFuture<Void> write(DialogueTurn turn) throws SinkUnavailableException;
}
