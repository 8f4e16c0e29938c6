package org.streamdistill.producers.ingest;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * <p>Counters live in memory, one entry per conversation, and are bounded: a conversation
 * idle for longer than the idle expiry is forgotten, and past the cap on conversations the
 * one idle longest is forgotten first. A forgotten conversation that speaks again starts at
 * 0, as one whose turns left the topic's retention does after a restart (turn ids, not
 * (conversation, index), identify turns); conversations in use are never forgotten while
 * fewer than the cap are in use within the expiry. {@link #continueFrom} seeds the counters
 * from the topic at start-up; two sequencers (two endpoint processes) taking turns of the
 * same conversation would number independently, so route a conversation to one endpoint.
 */
public final class TurnSequencer {

  /** Tag of turns from live chat in {@code DialogueTurn.source}. */
  public static final String SOURCE = "live-chat";

  private static final Logger LOG = LoggerFactory.getLogger(TurnSequencer.class);
  private static final int STRIPES = 256;

  /** Conversations idle this long are forgotten, unless configured otherwise. */
  public static final Duration DEFAULT_IDLE_EXPIRY = Duration.ofHours(24);
  /** Conversations kept at most, unless configured otherwise (about 200 bytes each). */
  public static final int DEFAULT_MAX_CONVERSATIONS = 100_000;

  /** A turn handed to the sink, and the future of its acknowledgement. */
  public record Pending(DialogueTurn turn, CompletableFuture<Void> acknowledged) {}

  private final TurnSink sink;
  private final Supplier<Instant> clock;
  private final Supplier<String> turnIds;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  private final long idleExpiryMillis;
  private final int maxConversations;
  /**
   * Conversation to counter, least recently used first (a use moves its entry to the end), so
   * expiry and the cap both take from the front. Guarded by itself; held only for map updates,
   * never while the sink is called.
   */
  private final LinkedHashMap<String, Counter> counters = new LinkedHashMap<>();
  private long expired;
  private long evicted;

  /** A conversation's next index, and when it was last used (epoch millis). */
  private static final class Counter {
    // Written only under the conversation's stripe lock; read under it or for a snapshot.
    volatile int next;
    long lastUsed;

    Counter(int next, long lastUsed) {
      this.next = next;
      this.lastUsed = lastUsed;
    }
  }

  /** A sequencer with the default expiry (24 h) and cap ({@value #DEFAULT_MAX_CONVERSATIONS}). */
  public TurnSequencer(TurnSink sink, Supplier<Instant> clock) {
    this(sink, clock, DEFAULT_IDLE_EXPIRY, DEFAULT_MAX_CONVERSATIONS);
  }

  /**
   * @param idleExpiry a conversation idle this long is forgotten
   * @param maxConversations conversations kept at most; past it the one idle longest is forgotten
   */
  public TurnSequencer(TurnSink sink, Supplier<Instant> clock, Duration idleExpiry, int maxConversations) {
    this(sink, clock, () -> UUID.randomUUID().toString(), idleExpiry, maxConversations);
  }

  TurnSequencer(TurnSink sink, Supplier<Instant> clock, Supplier<String> turnIds) {
    this(sink, clock, turnIds, DEFAULT_IDLE_EXPIRY, DEFAULT_MAX_CONVERSATIONS);
  }

  TurnSequencer(TurnSink sink, Supplier<Instant> clock, Supplier<String> turnIds, Duration idleExpiry,
                int maxConversations) {
    if (idleExpiry.toMillis() < 1) {
      throw new IllegalArgumentException("conversation idle expiry must be >= 1 ms, got " + idleExpiry);
    }
    if (maxConversations < 1) {
      throw new IllegalArgumentException("max conversations must be >= 1, got " + maxConversations);
    }
    this.sink = sink;
    this.clock = clock;
    this.turnIds = turnIds;
    this.idleExpiryMillis = idleExpiry.toMillis();
    this.maxConversations = maxConversations;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /**
   * Continues numbering after the given next indexes (conversation id to next index); call
   * before serving. Seeded conversations count as used now; beyond the cap, the ones seeded
   * first are forgotten.
   */
  public void continueFrom(Map<String, Integer> next) {
    next.forEach((conversation, index) -> {
      Counter counter = touch(conversation);
      counter.next = Math.max(counter.next, index);
    });
  }

  /**
   * The conversation's counter, marked as used now (created at 0 if unknown), after forgetting
   * conversations idle past the expiry and, at the cap, the one idle longest.
   */
  private Counter touch(String conversation) {
    long now = clock.get().toEpochMilli();
    synchronized (counters) {
      Counter counter = counters.remove(conversation);
      forgetIdle(now);
      if (counter == null) {
        if (counters.size() >= maxConversations) {
          Iterator<Counter> eldest = counters.values().iterator();
          eldest.next();
          eldest.remove();
          if (++evicted == 1 || evicted % 10_000 == 0) {
            LOG.warn("{} conversations in use within {} ms: forgot the one idle longest ({} so far); raise "
                + "ingest.conversation.max-count", maxConversations, idleExpiryMillis, evicted);
          }
        }
        counter = new Counter(0, now);
      }
      counter.lastUsed = now;
      counters.put(conversation, counter);
      return counter;
    }
  }

  /** Drops conversations idle past the expiry: they sit at the front, least recently used first. */
  private void forgetIdle(long now) {
    for (Iterator<Counter> it = counters.values().iterator(); it.hasNext(); ) {
      if (now - it.next().lastUsed < idleExpiryMillis) {
        return;
      }
      it.remove();
      expired++;
    }
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
      Counter counter = touch(conversation);
      int index = counter.next;
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
      counter.next = index + 1;
      return new Pending(turn, acknowledged);
    } finally {
      lock.unlock();
    }
  }

  /** The index the next turn of {@code conversation} gets (0 once it is forgotten); does not count as a use. */
  public int nextIndex(String conversation) {
    synchronized (counters) {
      Counter counter = counters.get(conversation);
      return counter == null ? 0 : counter.next;
    }
  }

  /** Conversations with a counter. */
  public int conversations() {
    synchronized (counters) {
      return counters.size();
    }
  }

  /** Conversations forgotten because they were idle past the expiry. */
  public long expiredConversations() {
    synchronized (counters) {
      return expired;
    }
  }

  /** Conversations forgotten because the cap was reached (before their expiry). */
  public long evictedConversations() {
    synchronized (counters) {
      return evicted;
    }
  }
}
