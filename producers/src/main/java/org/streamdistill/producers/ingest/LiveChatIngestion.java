package org.streamdistill.producers.ingest;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.http.BearerToken;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;

/**
 * Live chat ingestion assembled from its configuration: the Kafka sink, the sequencer
 * (seeded from the topic when {@code ingest.recover-indexes} is on) and the HTTP endpoint.
 * Owns all three and closes them in reverse order: first no new requests, then the
 * producer flushes what it holds.
 */
public final class LiveChatIngestion implements AutoCloseable {

  /** Start-up gives up reading the topic for index recovery after this long. */
  public static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(5);

  private final KafkaTurnSink sink;
  private final TurnSequencer sequencer;
  private final LiveChatEndpoint endpoint;
  private final Topic<DialogueTurn> topic;
  private final PrometheusRegistry metricsRegistry = new PrometheusRegistry();

  private LiveChatIngestion(KafkaTurnSink sink, TurnSequencer sequencer, LiveChatEndpoint endpoint,
                            Topic<DialogueTurn> topic) {
    this.sink = sink;
    this.sequencer = sequencer;
    this.endpoint = endpoint;
    this.topic = topic;
    IngestMetrics.register(metricsRegistry, topic.name(), endpoint::stats);
  }

  /** This endpoint's Prometheus metrics ({@link IngestMetrics}), for its metrics endpoint. */
  public PrometheusRegistry metricsRegistry() {
    return metricsRegistry;
  }

  public static LiveChatIngestion start(IngestConfig config, SchemaRegistryClient registry) {
    Topic<DialogueTurn> topic = Topics.TURNS.inNamespace(config.namespace());
    KafkaTurnSink sink = new KafkaTurnSink(config.bootstrapServers(), config.kafka(), registry, topic, config.maxInFlight(),
        config.maxBlock(), config.deliveryTimeout(), config.lingerMs());
    try {
      sink.checkSchemaRegistered();
      TurnSequencer sequencer = new TurnSequencer(sink, Instant::now, config.conversationIdleExpiry(),
          config.maxConversations());
      if (config.recoverIndexes()) {
        Map<String, Integer> next = TurnIndexRecovery.nextIndexes(config.bootstrapServers(), config.kafka(), registry, topic,
            RECOVERY_TIMEOUT);
        sequencer.continueFrom(next);
      }
      // Wait a little longer than Kafka's own delivery timeout, so the producer decides.
      Duration ackWait = config.deliveryTimeout().plus(config.maxBlock()).plusSeconds(2);
      LiveChatEndpoint endpoint = LiveChatEndpoint.start(new InetSocketAddress(config.bindAddress(), config.port()),
          config.httpLimits(), config.tls(), new BearerToken(config.token().value()),
          new TurnRequestParser(config.maxTextBytes(), config.eventTimeWindow(), Instant::now), sequencer, ackWait);
      return new LiveChatIngestion(sink, sequencer, endpoint, topic);
    } catch (RuntimeException | Error e) {
      sink.close();
      throw e;
    }
  }

  public URI baseUri() {
    return endpoint.baseUri();
  }

  public int port() {
    return endpoint.port();
  }

  public Topic<DialogueTurn> topic() {
    return topic;
  }

  public LiveChatEndpoint.Stats stats() {
    return endpoint.stats();
  }

  public TurnSequencer sequencer() {
    return sequencer;
  }

  @Override
  public void close() {
    try {
      endpoint.close();
    } finally {
      sink.close();
    }
  }
}
