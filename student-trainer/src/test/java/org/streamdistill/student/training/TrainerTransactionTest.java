package org.streamdistill.student.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** What the trainer's one transactional producer makes visible, and when. */
class TrainerTransactionTest {

  private static final ConsumerGroupMetadata GROUP = new ConsumerGroupMetadata("trainer", 3, "member", Optional.empty());
  private static final TopicPartition P0 = new TopicPartition("teacher.soft-labels", 0);

  private static ProducerRecord<byte[], byte[]> record(String value) {
    return new ProducerRecord<>("student.predictions", value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldCommitSendsAndOffsetsTogetherAndCountOnlyCommittedPredictions() {
    // Given a transaction with two predictions and a dead letter
    MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
        new ByteArraySerializer());
    TrainerTransaction transaction = new TrainerTransaction(producer);
    transaction.init();
    transaction.sendPrediction(record("a"));
    transaction.send(record("dead"));
    transaction.sendPrediction(record("b"));
    assertThat(transaction.open()).isTrue();
    assertThat(transaction.acknowledged()).isZero();

    // When it commits offset 3
    transaction.commit(Map.of(P0, new OffsetAndMetadata(3, "checkpoint=0;resume=0;cuts=")), GROUP);

    // Then the three records and the offset became visible at once, and two predictions count
    assertThat(producer.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
        .containsExactly("a", "dead", "b");
    assertThat(producer.consumerGroupOffsetsHistory())
        .containsExactly(Map.of("trainer", Map.of(P0, new OffsetAndMetadata(3, "checkpoint=0;resume=0;cuts="))));
    assertThat(transaction.open()).isFalse();
    assertThat(transaction.acknowledged()).isEqualTo(2);
  }

  @Test
  void shouldDiscardAnAbortedTransactionAndCountNothingFromIt() {
    MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
        new ByteArraySerializer());
    TrainerTransaction transaction = new TrainerTransaction(producer);
    transaction.init();
    transaction.sendPrediction(record("lost"));

    transaction.abort();
    transaction.sendPrediction(record("kept"));
    transaction.commit(Map.of(), GROUP);

    assertThat(producer.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
        .containsExactly("kept");
    assertThat(producer.consumerGroupOffsetsHistory()).isEmpty();
    assertThat(transaction.acknowledged()).isEqualTo(1);
  }

  @Test
  void shouldSurfaceAFailedSendAtTheNextCommitAndAFencingAsItIs() {
    MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(),
        new ByteArraySerializer());
    TrainerTransaction transaction = new TrainerTransaction(producer);
    transaction.init();
    transaction.send(record("a"));
    producer.errorNext(new ProducerFencedException("a newer trainer"));

    assertThatThrownBy(() -> transaction.commit(Map.of(), GROUP)).isInstanceOf(ProducerFencedException.class);
    assertThat(producer.transactionCommitted()).isFalse();

    MockProducer<byte[], byte[]> other = new MockProducer<>(false, null, new ByteArraySerializer(),
        new ByteArraySerializer());
    TrainerTransaction failing = new TrainerTransaction(other);
    failing.init();
    failing.send(record("b"));
    other.errorNext(new org.apache.kafka.common.errors.RecordTooLargeException("too large"));
    assertThatThrownBy(failing::failOnSendError).isInstanceOf(IllegalStateException.class)
        .hasMessage("student trainer cannot write to Kafka: too large");
    assertThat(List.of(other.history().size())).containsExactly(0);
  }

  @Test
  void shouldTellATimedOutTransactionFromFencingByAborting() {
    // Given a send failed with an epoch error: the coordinator aborted the transaction after its timeout
    MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(),
        new ByteArraySerializer());
    TrainerTransaction transaction = new TrainerTransaction(producer);
    transaction.init();
    transaction.send(record("a"));
    producer.errorNext(new org.apache.kafka.common.errors.InvalidProducerEpochException("old epoch"));
    RuntimeException failure = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
        () -> transaction.commit(Map.of(), GROUP));

    // Then it is an epoch error, not fencing, and the abort goes through: the trainer may resume
    assertThat(TrainerTransaction.isEpochError(failure)).isTrue();
    assertThat(TrainerTransaction.isFencing(failure)).isFalse();
    assertThat(transaction.abortAfterEpochError()).isTrue();
    assertThat(producer.transactionAborted()).isTrue();
    assertThat(transaction.open()).isFalse();

    // But when another trainer took over, the abort itself is fenced: that trainer must stop
    MockProducer<byte[], byte[]> fenced = new MockProducer<>(false, null, new ByteArraySerializer(),
        new ByteArraySerializer());
    TrainerTransaction taken = new TrainerTransaction(fenced);
    taken.init();
    taken.send(record("b"));
    fenced.abortTransactionException = new ProducerFencedException("a newer trainer");
    assertThat(taken.abortAfterEpochError()).isFalse();
    assertThat(TrainerTransaction.isFencing(new ProducerFencedException("x"))).isTrue();
  }
}
