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
}
