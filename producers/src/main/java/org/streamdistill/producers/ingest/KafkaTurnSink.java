package org.streamdistill.producers.ingest;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.registry.SchemaRegistryException;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.wire.AvroWireCodec;

/**
 * Writes turns to the turns topic with an idempotent producer ({@code acks=all}), keyed by
 * conversation id, stamped with the time they were accepted (their event time is in the value). Memory stays bounded whatever Kafka does: at most {@code maxInFlight}
 * turns wait for an acknowledgement (further writes are refused at once), a send blocks at
 * most {@code maxBlock} for metadata or buffer space, and every handed-over turn is
 * acknowledged or failed within {@code deliveryTimeout}.
 */
public final class KafkaTurnSink implements TurnSink, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaTurnSink.class);

  private final Topic<DialogueTurn> topic;
  private final AvroWireCodec<DialogueTurn> codec;
  private final KafkaProducer<String, byte[]> producer;
  private final Semaphore inFlight;
  private final int maxInFlight;
  private final java.util.concurrent.atomic.AtomicLong registryFailures = new java.util.concurrent.atomic.AtomicLong();

  public KafkaTurnSink(String bootstrapServers, KafkaClientSettings kafka, SchemaRegistryClient registry,
                       Topic<DialogueTurn> topic, int maxInFlight, Duration maxBlock, Duration deliveryTimeout,
                       int lingerMs) {
    this.topic = topic;
    this.codec = new AvroWireCodec<>(registry, topic.valueSubject(), DialogueTurn.class);
    this.maxInFlight = maxInFlight;
    this.inFlight = new Semaphore(maxInFlight);
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // One request in flight per broker: right after a topic is created (replays into a fresh
    // namespace do that) a partition may answer NOT_LEADER_OR_FOLLOWER to the first batch yet take
    // the next one, after which the retried first batch is refused as out of order until the
    // delivery timeout (seen with the 4.2 broker in the integration tests). Batches still fill up.
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlock.toMillis());
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeout.toMillis());
    // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(30_000, deliveryTimeout.toMillis() - lingerMs));
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "live-chat-ingest");
    kafka.applyTo(props);
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Registers the writer schema now, so a missing registry fails start-up rather than the
   * first request.
   */
  public void checkSchemaRegistered() {
    codec.writerSchemaId();
  }

  @Override
  public CompletableFuture<Void> write(DialogueTurn turn) throws SinkUnavailableException {
    if (!inFlight.tryAcquire()) {
      throw new SinkUnavailableException(maxInFlight + " turns are already waiting for Kafka", null);
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        inFlight.release();
      }
    };
    byte[] value;
    try {
      value = codec.encode(turn);
    } catch (SchemaRegistryException e) {
      release.run();
      // The detail (the registry's URL, a user name) is for the operator's log, not for the client's 503.
      long count = registryFailures.incrementAndGet();
      if (count == 1 || count % 100 == 0) {
        LOG.warn("cannot encode a turn ({} so far): {}", count, e.getMessage());
      }
      throw new SinkUnavailableException("schema registry unavailable", e);
    }
    CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    try {
      // A metadata timeout (max.block.ms) completes the callback before send returns. The
      // record timestamp is the time of acceptance, not the client's event time (kept in the
      // value): a turn stamped in the past would otherwise fall to retention at once.
      producer.send(new ProducerRecord<>(topic.name(), null, null, turn.getConversationId(), value),
          (metadata, exception) -> {
            release.run();
            if (exception != null) {
              acknowledged.completeExceptionally(exception);
            } else {
              acknowledged.complete(null);
            }
          });
    } catch (KafkaException | IllegalStateException e) {
      release.run();
      throw new SinkUnavailableException("Kafka refused the turn: " + e.getMessage(), e);
    }
    return acknowledged;
  }

  /** Turns handed to Kafka and not yet acknowledged or failed. */
  public int inFlight() {
    return maxInFlight - inFlight.availablePermits();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
    LOG.info("live chat producer for {} closed", topic.name());
  }
}
