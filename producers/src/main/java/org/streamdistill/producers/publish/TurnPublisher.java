package org.streamdistill.producers.publish;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.wire.AvroWireCodec;

/**
 * Writes dialogue turns to the turns topic, keyed by conversation id so a conversation's
 * turns stay in order on one partition. The producer is idempotent with {@code acks=all}:
 * a retried send neither duplicates nor reorders. A send that still fails after Kafka's own
 * retries stops the publisher: losing turns silently is worse than stopping.
 */
public final class TurnPublisher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TurnPublisher.class);

  /** Told about progress after every acknowledged turn (cheap: called on the producer's I/O thread). */
  public interface Progress {
    void acknowledged(long count);
  }

  private final Topic<DialogueTurn> topic;
  private final AvroWireCodec<DialogueTurn> codec;
  private final KafkaProducer<String, byte[]> producer;
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  public TurnPublisher(String bootstrapServers, SchemaRegistryClient registry, Topic<DialogueTurn> topic) {
    this(bootstrapServers, KafkaClientSettings.NONE, registry, topic);
  }

  /** @param kafka {@code kafka.*} settings of the producer (security, say) */
  public TurnPublisher(String bootstrapServers, KafkaClientSettings kafka, SchemaRegistryClient registry,
                       Topic<DialogueTurn> topic) {
    this.topic = topic;
    this.codec = new AvroWireCodec<>(registry, topic.valueSubject(), DialogueTurn.class);
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // One request in flight per broker: right after a topic is created (replays into a fresh
    // namespace do that) a partition may answer NOT_LEADER_OR_FOLLOWER to the first batch yet take
    // the next one, after which the retried first batch is refused as out of order until the
    // delivery timeout (seen with the 4.2 broker in the integration tests). Batches still fill up.
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "turn-publisher");
    kafka.applyTo(props);
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Sends every turn, paced by {@code limiter}, and waits until all are acknowledged.
   *
   * @return the number of turns of this call that Kafka acknowledged
   * @throws IllegalStateException when a send failed for good
   */
  public long publish(Iterable<DialogueTurn> turns, RateLimiter limiter, Progress progress) throws InterruptedException {
    return publish(turns, (Pacer) limiter, progress);
  }

  /**
   * Sends every turn when {@code pacer} says it is due, and waits until all are acknowledged.
   *
   * @return the number of turns Kafka acknowledged
   * @throws IllegalStateException when a send failed for good
   */
  public long publish(Iterable<DialogueTurn> turns, Pacer pacer, Progress progress) throws InterruptedException {
    long sent = 0;
    AtomicLong acknowledgedNow = new AtomicLong();
    for (DialogueTurn turn : turns) {
      Exception failed = failure.get();
      if (failed != null) {
        break;
      }
      pacer.await(sent);
      byte[] value = codec.encode(turn);
      // Stamped with the send time, not the event time (which the value carries): replayed
      // turns with their original, older times would otherwise fall to retention at once.
      producer.send(new ProducerRecord<>(topic.name(), null, null, turn.getConversationId(), value),
          (metadata, exception) -> {
            if (exception != null) {
              failure.compareAndSet(null, exception);
            } else {
              acknowledged.incrementAndGet();
              progress.acknowledged(acknowledgedNow.incrementAndGet());
            }
          });
      sent++;
    }
    producer.flush();
    Exception failed = failure.get();
    if (failed != null) {
      throw new IllegalStateException("writing turns to " + topic.name() + " failed after " + acknowledgedNow.get()
          + " of " + sent + " were acknowledged: " + failed.getMessage(), failed);
    }
    LOG.info("published {} turns to {}", acknowledgedNow.get(), topic.name());
    return acknowledgedNow.get();
  }

  /** Turns acknowledged over the publisher's lifetime. */
  public long acknowledged() {
    return acknowledged.get();
  }

  @Override
  public void close() {
    producer.close();
  }
}
