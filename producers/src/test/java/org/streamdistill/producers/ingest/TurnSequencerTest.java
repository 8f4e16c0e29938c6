package org.streamdistill.producers.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.DialogueTurn;

class TurnSequencerTest {

  private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

  /** Records turns in hand-over order, as a partition would. */
  private static final class RecordingSink implements TurnSink {
    final List<DialogueTurn> written = Collections.synchronizedList(new ArrayList<>());

    @Override
    public CompletableFuture<Void> write(DialogueTurn turn) {
      written.add(turn);
      return CompletableFuture.completedFuture(null);
    }
  }

  private static TurnRequest request(String conversation, String text) {
    return new TurnRequest(conversation, "user", text, null, null);
  }

  @Test
  void shouldNumberEachConversationFromZeroAndStampLiveChatFields() throws Exception {
    RecordingSink sink = new RecordingSink();
    AtomicInteger ids = new AtomicInteger();
    TurnSequencer sequencer = new TurnSequencer(sink, () -> NOW, () -> "t" + ids.getAndIncrement());

    sequencer.submit(request("a", "one"));
    sequencer.submit(request("b", "two"));
    TurnSequencer.Pending third = sequencer.submit(new TurnRequest("a", "agent", "three",
        Instant.parse("2020-01-01T00:00:00Z"), "lost_card"));

    assertThat(sink.written).extracting(DialogueTurn::getTurnId, DialogueTurn::getConversationId,
        DialogueTurn::getTurnIndex).containsExactly(
            org.assertj.core.groups.Tuple.tuple("t0", "a", 0), org.assertj.core.groups.Tuple.tuple("t1", "b", 0),
            org.assertj.core.groups.Tuple.tuple("t2", "a", 1));
    assertThat(third.turn()).isEqualTo(DialogueTurn.newBuilder().setTurnId("t2").setConversationId("a")
        .setTurnIndex(1).setSpeaker("agent").setText("three").setEventTime(Instant.parse("2020-01-01T00:00:00Z"))
        .setSource("live-chat").setGoldLabel("lost_card").setHeldOut(false).build());
    assertThat(sink.written.get(0).getEventTime()).isEqualTo(NOW);
  }

  @Test
  void shouldContinueFromRecoveredIndexes() throws Exception {
    RecordingSink sink = new RecordingSink();
    TurnSequencer sequencer = new TurnSequencer(sink, () -> NOW);
    sequencer.continueFrom(Map.of("a", 7));

    assertThat(sequencer.submit(request("a", "x")).turn().getTurnIndex()).isEqualTo(7);
    assertThat(sequencer.submit(request("b", "x")).turn().getTurnIndex()).isEqualTo(0);
  }

  @Test
  void shouldHandOverEveryConversationInIndexOrderUnderConcurrency() throws Exception {
    RecordingSink sink = new RecordingSink();
    TurnSequencer sequencer = new TurnSequencer(sink, () -> NOW);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < 8_000; i++) {
      String conversation = "c" + (i % 40);
      futures.add(pool.submit(() -> sequencer.submit(request(conversation, "x"))));
    }
    for (Future<?> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();

    Map<String, List<Integer>> indexes = new HashMap<>();
    synchronized (sink.written) {
      sink.written.forEach(t -> indexes.computeIfAbsent(t.getConversationId(), c -> new ArrayList<>()).add(t.getTurnIndex()));
    }
    assertThat(indexes).hasSize(40);
    List<Integer> expected = java.util.stream.IntStream.range(0, 200).boxed().toList();
    assertThat(indexes.values()).allSatisfy(list -> assertThat(list).isEqualTo(expected));
  }

  @Test
  void shouldGiveTheIndexBackWhenTheSinkRefusesAtHandOver() throws Exception {
    RecordingSink ok = new RecordingSink();
    boolean[] refuse = {true};
    TurnSink sink = turn -> {
      if (refuse[0]) {
        throw new SinkUnavailableException("overloaded", null);
      }
      return ok.write(turn);
    };
    TurnSequencer sequencer = new TurnSequencer(sink, () -> NOW);

    assertThatThrownBy(() -> sequencer.submit(request("a", "x"))).isInstanceOf(SinkUnavailableException.class);
    refuse[0] = false;

    assertThat(sequencer.submit(request("a", "x")).turn().getTurnIndex()).isEqualTo(0);
  }

  @Test
  void shouldGiveTheIndexBackWhenTheSendFailsBeforeItReturns() throws Exception {
    boolean[] fail = {true};
    TurnSink sink = turn -> fail[0]
        ? CompletableFuture.failedFuture(new TimeoutException("Topic not present in metadata after 1000 ms."))
        : CompletableFuture.completedFuture(null);
    TurnSequencer sequencer = new TurnSequencer(sink, () -> NOW);

    assertThatThrownBy(() -> sequencer.submit(request("a", "x")))
        .isInstanceOf(SinkUnavailableException.class)
        .hasMessageContaining("Topic not present in metadata");
    fail[0] = false;

    assertThat(sequencer.submit(request("a", "x")).turn().getTurnIndex()).isEqualTo(0);
  }

  @Test
  void shouldKeepTheIndexOfATurnThatFailsAfterHandOverLeavingAGap() throws Exception {
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    TurnSink sink = turn -> {
      CompletableFuture<Void> ack = new CompletableFuture<>();
      acks.add(ack);
      return ack;
    };
    TurnSequencer sequencer = new TurnSequencer(sink, () -> NOW);

    sequencer.submit(request("a", "x"));
    acks.get(0).completeExceptionally(new TimeoutException("expired"));

    assertThat(sequencer.submit(request("a", "y")).turn().getTurnIndex()).isEqualTo(1);
  }

  @Test
  void shouldForgetConversationsIdlePastTheExpiryAndKeepNumberingActiveOnes() throws Exception {
    // Given a one-hour expiry and two conversations
    java.util.concurrent.atomic.AtomicReference<Instant> clock = new java.util.concurrent.atomic.AtomicReference<>(NOW);
    TurnSequencer sequencer = new TurnSequencer(new RecordingSink(), clock::get, java.time.Duration.ofHours(1), 1000);
    sequencer.submit(request("a", "x"));
    sequencer.submit(request("b", "x"));

    // When a speaks again after 30 min, and c starts 40 min later (b idle for 70 min)
    clock.set(NOW.plusSeconds(30 * 60));
    sequencer.submit(request("a", "x"));
    clock.set(NOW.plusSeconds(70 * 60));
    sequencer.submit(request("c", "x"));

    // Then b is forgotten, a keeps its numbering, and b starts from 0 when it speaks again
    assertThat(sequencer.expiredConversations()).isEqualTo(1);
    assertThat(sequencer.conversations()).isEqualTo(2);
    assertThat(sequencer.submit(request("a", "x")).turn().getTurnIndex()).isEqualTo(2);
    assertThat(sequencer.submit(request("b", "x")).turn().getTurnIndex()).isZero();
    assertThat(sequencer.conversations()).isEqualTo(3);
    assertThat(sequencer.evictedConversations()).isZero();
  }

  @Test
  void shouldKeepAtMostTheCapForgettingTheConversationIdleLongest() throws Exception {
    // Given a cap of 3 conversations: a, b, c, then a again (b is now idle longest)
    java.util.concurrent.atomic.AtomicReference<Instant> clock = new java.util.concurrent.atomic.AtomicReference<>(NOW);
    TurnSequencer sequencer = new TurnSequencer(new RecordingSink(), clock::get, java.time.Duration.ofHours(24), 3);
    for (String conversation : List.of("a", "b", "c", "a")) {
      clock.set(clock.get().plusSeconds(1));
      sequencer.submit(request(conversation, "x"));
    }

    // When a fourth conversation starts
    sequencer.submit(request("d", "x"));

    // Then b is forgotten and the others keep numbering where they were
    assertThat(sequencer.conversations()).isEqualTo(3);
    assertThat(sequencer.evictedConversations()).isEqualTo(1);
    assertThat(sequencer.nextIndex("b")).isZero();
    assertThat(List.of(sequencer.nextIndex("a"), sequencer.nextIndex("c"), sequencer.nextIndex("d")))
        .containsExactly(2, 1, 1);
    assertThat(sequencer.submit(request("c", "x")).turn().getTurnIndex()).isEqualTo(1);
  }

  @Test
  void shouldHoldTheCapWhileManyConversationsComeAndGo() throws Exception {
    // Given a cap of 100 and 10,000 one-turn conversations interleaved with an active one
    TurnSequencer sequencer = new TurnSequencer(new RecordingSink(), () -> NOW, java.time.Duration.ofHours(24), 100);
    for (int i = 0; i < 10_000; i++) {
      sequencer.submit(request("once-" + i, "x"));
      if (i % 50 == 0) {
        sequencer.submit(request("active", "x"));
      }
    }

    // Then memory holds 100 conversations, and the active one was numbered without a gap
    assertThat(sequencer.conversations()).isEqualTo(100);
    assertThat(sequencer.evictedConversations()).isEqualTo(10_001 - 100);
    assertThat(sequencer.nextIndex("active")).isEqualTo(200);
  }
}
