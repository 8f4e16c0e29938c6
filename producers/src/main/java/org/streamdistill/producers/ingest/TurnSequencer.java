package org.streamdistill.producers.ingest;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.streamdistill.records.DialogueTurn;

/**
 * Numbers turns within their conversation and hands them to the sink in that order.
 *
 * <p>The invariant: a conversation's turn indexes grow with their offsets in the topic, and
 * no two acknowledged turns of a conversation share an index. It holds because the index
 * is taken and the turn handed to the sink under one lock per conversation (striped: a
 * fixed array of locks, so memory does not grow with lock objects), and the sink keeps
 * hand-over order within a partition (one key, one partition, idempotent producer).
 *
 * <p>A turn the sink refuses at hand-over gives its index back. A turn that fails after
 * hand-over (Kafka timed out) keeps its index: by then later turns may hold later indexes,
 * and the write may even have landed, so reusing the number could duplicate it. Such a
 * failure leaves a gap, never a duplicate.
 *
 * <p>Counters live in memory, one entry per conversation seen. {@link #continueFrom} seeds
 * them from the topic at start-up; two sequencers (two endpoint processes) taking turns of
 * the same conversation would number independently, so route a conversation to one endpoint.
 */
public final class TurnSequencer {

  /** Tag of turns from live chat in {@code DialogueTurn.source}. */
  public static final String SOURCE = "live-chat";

  private static final int STRIPES = 256;

  /** A turn handed to the sink, and the future of its acknowledgement. */
  public record Pending(DialogueTurn turn, CompletableFuture<Void> acknowledged) {}

  private final TurnSink sink;
  private final Supplier<Instant> clock;
  private final Supplier<String> turnIds;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  private final Map<String, Integer> nextIndex = new ConcurrentHashMap<>();

  public TurnSequencer(TurnSink sink, Supplier<Instant> clock) {
    this(sink, clock, () -> UUID.randomUUID().toString());
  }

  TurnSequencer(TurnSink sink, Supplier<Instant> clock, Supplier<String> turnIds) {
    this.sink = sink;
    this.clock = clock;
    this.turnIds = turnIds;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /** Continues numbering after the given next indexes (conversation id to next index); call before serving. */
  public void continueFrom(Map<String, Integer> next) {
    next.forEach((conversation, index) -> nextIndex.merge(conversation, index, Math::max));
  }

  /**
   * Numbers the turn and hands it to the sink.
   *
   * @throws SinkUnavailableException when the sink did not take it (the index is not used)
   */
  public Pending submit(TurnRequest request) throws SinkUnavailableException {
    String conversation = request.conversationId();
    ReentrantLock lock = stripes[Math.floorMod(conversation.hashCode(), STRIPES)];
    lock.lock();
    try {
      int index = nextIndex.getOrDefault(conversation, 0);
      DialogueTurn turn = DialogueTurn.newBuilder()
          .setTurnId(turnIds.get())
          .setConversationId(conversation)
          .setTurnIndex(index)
          .setSpeaker(request.speaker())
          .setText(request.text())
          .setEventTime(request.timestamp() != null ? request.timestamp() : clock.get())
          .setSource(SOURCE)
          .setGoldLabel(request.goldLabel())
          .setHeldOut(false)
          .build();
      CompletableFuture<Void> acknowledged = sink.write(turn);
      if (acknowledged.isCompletedExceptionally()) {
        // Failed during hand-over (e.g. no metadata within max.block.ms): nothing was written,
        // and no later turn of this conversation has an index yet, so the number stays free.
        Throwable cause = acknowledged.handle((ok, e) -> e).join();
        throw new SinkUnavailableException("Kafka did not take the turn: " + cause.getMessage(), cause);
      }
      nextIndex.put(conversation, index + 1);
      return new Pending(turn, acknowledged);
    } finally {
      lock.unlock();
    }
  }

  /** The index the next turn of {@code conversation} gets. */
  public int nextIndex(String conversation) {
    return nextIndex.getOrDefault(conversation, 0);
  }

  /** Conversations with a counter. */
  public int conversations() {
    return nextIndex.size();
  }
}
