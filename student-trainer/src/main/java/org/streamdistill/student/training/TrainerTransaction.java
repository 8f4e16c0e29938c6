package org.streamdistill.student.training;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's one transactional producer: every prediction, dead letter and checkpoint
 * record goes into the open transaction (begun on the first send), and a commit adds the
 * consumed offsets ({@code sendOffsetsToTransaction}) so that outputs and progress become
 * visible together or not at all. A send failure is remembered and surfaces at the next commit
 * or check, never silently.
 */
final class TrainerTransaction {

  private static final Logger LOG = LoggerFactory.getLogger(TrainerTransaction.class);

  private final Producer<byte[], byte[]> producer;
  private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
  private final AtomicLong acknowledged = new AtomicLong();
  private boolean open;
  private long predictionsInTransaction;
  /** Set once the producer is fenced: it must not be used again, not even to abort. */
  private volatile boolean fenced;

  TrainerTransaction(Producer<byte[], byte[]> producer) {
    this.producer = producer;
  }

  /** Fences a predecessor with the same transactional.id and aborts its open transaction. */
  void init() {
    producer.initTransactions();
  }

  /** Sends within the open transaction (begun if needed); a failure surfaces at the next commit. */
  void send(ProducerRecord<byte[], byte[]> record) {
    begin();
    producer.send(record, (metadata, exception) -> {
      if (exception != null) {
        sendFailure.compareAndSet(null, exception);
      }
    });
  }

  /** Sends a prediction, counted as acknowledged once its transaction commits. */
  void sendPrediction(ProducerRecord<byte[], byte[]> record) {
    send(record);
    predictionsInTransaction++;
  }

  /** Whether a transaction is open (something was sent since the last commit or abort). */
  boolean open() {
    return open;
  }

  /** Commits the open transaction (begun if needed) with {@code offsets} of {@code group}. */
  void commit(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
    failOnSendError();
    begin();
    if (!offsets.isEmpty()) {
      producer.sendOffsetsToTransaction(offsets, group);
    }
    producer.commitTransaction();
    open = false;
    acknowledged.addAndGet(predictionsInTransaction);
    predictionsInTransaction = 0;
  }

  /** Best effort: lets read_committed readers move on without waiting for the transaction timeout. */
  void abort() {
    predictionsInTransaction = 0;
    if (!open || fenced) {
      return;
    }
    open = false;
    try {
      producer.abortTransaction();
    } catch (KafkaException e) {
      LOG.warn("could not abort the open transaction ({}); it will time out or be aborted by the next start",
          e.getMessage());
    }
  }

  /** Throws the first send failure: as is when it is fencing (the caller stops), else wrapped. */
  void failOnSendError() {
    Exception failure = sendFailure.get();
    if (failure instanceof ProducerFencedException | failure instanceof InvalidProducerEpochException) {
      throw (KafkaException) failure;
    }
    if (failure != null) {
      throw new IllegalStateException("student trainer cannot write to Kafka: " + failure.getMessage(), failure);
    }
  }

  /**
   * Whether {@code e}, or one of its causes, says that another trainer took over: another
   * producer initialised the transactional.id, or another consumer holds the static group
   * instance id.
   */
  static boolean isFencing(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof ProducerFencedException || cause instanceof FencedInstanceIdException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code e}, or one of its causes, says the broker moved the producer's epoch on: either
   * another trainer took over, or the open transaction outlived {@code transaction.timeout.ms}
   * and its coordinator aborted it (a broker or registry outage that held this trainer up; the
   * 20-minute soak saw it). {@link #abortAfterEpochError()} tells the two apart.
   */
  static boolean isEpochError(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof InvalidProducerEpochException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Aborts after an epoch error: the producer bumps its epoch on the way (an abortable error since
   * KIP-588), which only a producer that still owns its transactional.id can do.
   *
   * @return true when the abort went through (the transaction had timed out: the trainer may
   *     resume from its last commit); false when it was fenced (another trainer took over)
   */
  boolean abortAfterEpochError() {
    predictionsInTransaction = 0;
    try {
      producer.abortTransaction();
      open = false;
      return true;
    } catch (ProducerFencedException e) {
      fenced = true;
      return false;
    } catch (KafkaException e) {
      LOG.warn("could not abort after the epoch error ({}); a restart's initTransactions settles it", e.getMessage());
      return true;
    }
  }

  void markFenced() {
    fenced = true;
  }

  /** Predictions in committed transactions: what read_committed readers see. */
  long acknowledged() {
    return acknowledged.get();
  }

  void close(Duration timeout) {
    producer.close(timeout);
  }

  private void begin() {
    if (!open) {
      producer.beginTransaction();
      open = true;
    }
  }
}
