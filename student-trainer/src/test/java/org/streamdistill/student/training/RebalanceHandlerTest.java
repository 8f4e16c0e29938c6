package org.streamdistill.student.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.streamdistill.student.training.TrainerHarness.P0;
import static org.streamdistill.student.training.TrainerHarness.P1;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the trainer is told to do, in which order, on each rebalance callback. */
class RebalanceHandlerTest {

  private final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
  private final LogConsumer consumer = new LogConsumer().withTopic(TrainerHarness.SOFT_LABELS, 2)
      .withGroupOffsets(() -> committed);
  private final FakeTrainer trainer = new FakeTrainer();
  private final RebalanceHandler handler = new RebalanceHandler(consumer, trainer, "trainer");

  /** Records the calls; holds positions like the trainer's PartitionProgress. */
  private static final class FakeTrainer implements RebalanceHandler.Trainer {
    final List<String> calls = new ArrayList<>();
    final Map<TopicPartition, Long> next = new HashMap<>();
    Map<TopicPartition, Long> restoredNext = Map.of();
    boolean active = true;
    boolean forgotten;
    RuntimeException commitFailure;

    @Override
    public boolean active() {
      return active;
    }

    @Override
    public void commit() {
      calls.add("commit");
      if (commitFailure != null) {
        throw commitFailure;
      }
    }

    @Override
    public void abort() {
      calls.add("abort");
    }

    @Override
    public void fenced() {
      calls.add("fenced");
    }

    @Override
    public void forget() {
      calls.add("forget");
      forgotten = true;
      next.clear();
    }

    @Override
    public boolean forgotten() {
      return forgotten;
    }

    @Override
    public void restore(Collection<TopicPartition> assigned) {
      calls.add("restore " + new TreeSet<>(assigned.stream().map(TopicPartition::toString).toList()));
      forgotten = false;
      restoredNext.forEach((tp, offset) -> {
        if (assigned.contains(tp)) {
          next.put(tp, offset);
        }
      });
    }

    @Override
    public Long next(TopicPartition partition) {
      return next.get(partition);
    }

    @Override
    public void start(TopicPartition partition, long offset) {
      calls.add("start " + partition + "@" + offset);
      next.put(partition, offset);
    }
  }

  @BeforeEach
  void subscribe() {
    consumer.subscribe(List.of(TrainerHarness.SOFT_LABELS), handler);
  }

  @Test
  void shouldStartNewPartitionsAtTheirBeginningAndKnownOnesWhereTheTrainerIs() {
    // Given a trainer restored at offset 7 of partition 0 and nothing of partition 1
    trainer.next.put(P0, 7L);

    // When both are assigned
    consumer.rebalance(List.of(P0, P1));

    // Then partition 0 is read from 7, partition 1 from its beginning, without a restore
    assertThat(trainer.calls).containsExactly("start " + P1 + "@0");
    assertThat(consumer.position(P0)).isEqualTo(7);
    assertThat(consumer.position(P1)).isZero();
  }

  @Test
  void shouldCommitThenForgetOnRevocationAndRestoreEveryAssignedPartitionAtTheNextAssignment() {
    // Given partitions 0 and 1, read up to 9 and 4
    trainer.next.putAll(Map.of(P0, 9L, P1, 4L));
    consumer.rebalance(List.of(P0, P1));
    trainer.restoredNext = Map.of(P0, 3L, P1, 2L);

    // When partition 1 is revoked
    consumer.rebalance(List.of(P0));

    // Then the transaction commits, the state is dropped, and partition 0 replays from its restored offset
    assertThat(trainer.calls).containsExactly("commit", "forget", "restore [" + P0 + "]");
    assertThat(consumer.position(P0)).isEqualTo(3);
  }

  @Test
  void shouldAbortWhenTheCommitFailsAndStillRestore() {
    trainer.next.put(P0, 9L);
    consumer.rebalance(List.of(P0));
    trainer.commitFailure = new KafkaException("the coordinator moved on");

    consumer.rebalance(List.of());

    assertThat(trainer.calls).containsExactly("commit", "abort", "forget", "restore []");
  }

  @Test
  void shouldLeaveTheCallbackOnFencingWithoutDroppingAnything() {
    trainer.next.put(P0, 9L);
    consumer.rebalance(List.of(P0));
    trainer.commitFailure = new KafkaException("wrapped", new ProducerFencedException("a newer trainer"));

    assertThatThrownBy(() -> handler.onPartitionsRevoked(List.of(P0))).hasRootCauseInstanceOf(
        ProducerFencedException.class);
    assertThat(trainer.calls).containsExactly("commit", "fenced");
  }

  @Test
  void shouldAbortAndForgetALostPartitionThenRestoreWhenItIsAssignedAgain() {
    // Given partition 0 read up to 9
    trainer.next.put(P0, 9L);
    consumer.rebalance(List.of(P0));
    trainer.restoredNext = Map.of(P0, 5L);

    // When it is lost, then assigned again after the trainer rejoins
    handler.onPartitionsLost(List.of(P0));
    handler.onPartitionsAssigned(List.of(P0));

    // Then nothing is committed: the transaction is aborted, and the partition replays from 5
    assertThat(trainer.calls).containsExactly("abort", "forget", "restore [" + P0 + "]");
    assertThat(consumer.position(P0)).isEqualTo(5);
  }

  @Test
  void shouldCommitAndRestoreWhenAPartitionGivenUpEarlierComesBackWithCommittedProgress() {
    // Given the trainer holds partition 0 only, and partition 1 has committed progress
    trainer.next.put(P0, 9L);
    consumer.rebalance(List.of(P0));
    committed.put(P1, new OffsetAndMetadata(4, "checkpoint=1;resume=2;cuts="));
    trainer.restoredNext = Map.of(P0, 3L, P1, 2L);

    // When partition 1 is assigned besides
    consumer.rebalance(List.of(P0, P1));

    // Then the trainer commits, forgets and restores both
    assertThat(trainer.calls).containsExactly("commit", "forget", "restore [" + P0 + ", " + P1 + "]");
    assertThat(consumer.position(P0)).isEqualTo(3);
    assertThat(consumer.position(P1)).isEqualTo(2);
  }

  @Test
  void shouldDoNothingOnceTheTrainerStopped() {
    trainer.next.put(P0, 9L);
    consumer.rebalance(List.of(P0));
    trainer.active = false;

    consumer.rebalance(List.of());
    handler.onPartitionsLost(List.of(P0));

    assertThat(trainer.calls).isEmpty();
  }
}
