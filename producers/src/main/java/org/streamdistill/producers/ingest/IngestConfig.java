package org.streamdistill.producers.ingest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.http.BearerToken;
import org.streamdistill.schemas.metrics.MetricsEndpoint;
import org.streamdistill.schemas.http.BoundedHttpServer;
import org.streamdistill.schemas.http.HttpTls;
import org.streamdistill.schemas.registry.RegistryClientSettings;
import org.streamdistill.schemas.time.EventTimeWindow;

/**
 * Settings of the live chat endpoint. The token is a {@link Password}: Kafka's config
 * machinery prints it as {@code [hidden]}, and this record's {@code toString} leaves it out.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param registry how to reach the schema registry (URL, credentials, TLS)
 * @param namespace topic namespace; empty for production
 * @param bindAddress address the HTTP server listens on
 * @param port HTTP port; 0 picks a free one
 * @param token the bearer token clients must send
 * @param maxTextBytes largest accepted text, in UTF-8 bytes
 * @param maxInFlight turns handed to Kafka and not yet acknowledged, at most
 * @param httpThreads threads serving requests (each waits for its turn's acknowledgement)
 * @param maxBlock how long a send may wait for metadata or buffer space before 503
 * @param deliveryTimeout how long Kafka may take to acknowledge a turn before 503
 * @param lingerMs the producer's {@code linger.ms}
 * @param recoverIndexes whether start-up reads the topic to continue each conversation's numbering
 * @param eventTimeWindow client timestamps accepted around the server's clock
 * @param httpLimits bounds of the HTTP server ({@code httpThreads} request slots, queue, timeouts, sizes)
 * @param conversationIdleExpiry a conversation idle this long is forgotten (its numbering restarts)
 * @param maxConversations conversations whose numbering is kept in memory, at most
 * @param tls the endpoint's key store ({@code ingest.http.ssl.*}), or null for plain HTTP
 */
public record IngestConfig(String bootstrapServers, RegistryClientSettings registry, String namespace, String bindAddress,
                           int port, Password token, int maxTextBytes, int maxInFlight, int httpThreads,
                           Duration maxBlock, Duration deliveryTimeout, int lingerMs, boolean recoverIndexes,
                           EventTimeWindow eventTimeWindow, BoundedHttpServer.Limits httpLimits,
                           Duration conversationIdleExpiry, int maxConversations, HttpTls tls,
                           KafkaClientSettings kafka) {

  public static final String BOOTSTRAP_SERVERS = KafkaClientSettings.BOOTSTRAP_SERVERS;
  public static final String REGISTRY_URL = RegistryClientSettings.URL;
  public static final String NAMESPACE = "topic.namespace";
  public static final String BIND_ADDRESS = "ingest.bind-address";
  public static final String PORT = "ingest.port";
  public static final String TOKEN = "ingest.token";
  public static final String MAX_TEXT_BYTES = "ingest.max-text-bytes";
  public static final String MAX_IN_FLIGHT = "ingest.max-in-flight";
  public static final String HTTP_THREADS = "ingest.http-threads";
  public static final String MAX_BLOCK_MS = "ingest.kafka.max-block-ms";
  public static final String DELIVERY_TIMEOUT_MS = "ingest.kafka.delivery-timeout-ms";
  public static final String LINGER_MS = "ingest.kafka.linger-ms";
  public static final String RECOVER_INDEXES = "ingest.recover-indexes";
  public static final String EVENT_TIME_MAX_PAST_MS = "ingest.event-time.max-past-ms";
  public static final String EVENT_TIME_MAX_FUTURE_MS = "ingest.event-time.max-future-ms";
  public static final String CONVERSATION_IDLE_EXPIRY_MS = "ingest.conversation.idle-expiry-ms";
  public static final String MAX_CONVERSATIONS = "ingest.conversation.max-count";
  /** Prefix of the HTTP limits ({@link BoundedHttpServer#define}): {@code ingest.http.header-timeout-ms}, ... */
  public static final String HTTP_PREFIX = "ingest.";

  /** Shorter tokens are refused at start-up: they can be guessed. */
  public static final int MIN_TOKEN_CHARS = BearerToken.MIN_TOKEN_CHARS;

  public static final ConfigDef DEFINITION = HttpTls.define(BoundedHttpServer.define(RegistryClientSettings.define(new ConfigDef()
      .define(KafkaClientSettings.bootstrapServersKey()))
      .define(NAMESPACE, Type.STRING, "", Importance.LOW, "Prefix of every topic (experiments); empty for production.")
      .define(BIND_ADDRESS, Type.STRING, "127.0.0.1", Importance.MEDIUM,
          "Address the HTTP server listens on; 0.0.0.0 for every interface (with TLS: "
              + HTTP_PREFIX + HttpTls.KEYSTORE_LOCATION + ", or a TLS proxy in front).")
      .define(PORT, Type.INT, 8088, Range.between(0, 65_535), Importance.HIGH, "HTTP port; 0 picks a free one.")
      .define(TOKEN, Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, BearerToken.VALIDATOR, Importance.HIGH,
          "Bearer token clients must send (Authorization: Bearer ...). Prefer the environment variable "
              + "STREAMDISTILL_INGEST_TOKEN: flags show up in ps.")
      .define(MAX_TEXT_BYTES, Type.INT, 4096, Range.between(1, 1 << 20), Importance.MEDIUM,
          "Largest accepted turn text, in UTF-8 bytes.")
      .define(MAX_IN_FLIGHT, Type.INT, 1024, Range.atLeast(1), Importance.MEDIUM,
          "Turns waiting for Kafka's acknowledgement, at most; further requests get 503 at once.")
      .define(HTTP_THREADS, Type.INT, 64, Range.between(1, 4096), Importance.LOW,
          "Requests handled at once, a thread each waiting for its turn's acknowledgement; more wait in "
              + "ingest.http.max-queued-requests or get 503.")
      .define(MAX_BLOCK_MS, Type.LONG, 2_000L, Range.atLeast(0), Importance.MEDIUM,
          "How long a send may wait for topic metadata or producer buffer space before the request gets 503.")
      .define(DELIVERY_TIMEOUT_MS, Type.INT, 10_000, Range.atLeast(1_000), Importance.MEDIUM,
          "How long Kafka may take to acknowledge a turn (retries included) before the request gets 503.")
      .define(LINGER_MS, Type.INT, 5, Range.between(0, 1_000), Importance.LOW,
          "Producer linger.ms: a little batching under load.")
      .define(RECOVER_INDEXES, Type.BOOLEAN, true, Importance.MEDIUM,
          "At start, read the turns topic to continue each conversation's turn numbering where it stopped.")
      .define(EVENT_TIME_MAX_PAST_MS, Type.LONG, 7L * 24 * 3_600_000, Range.atLeast(0), Importance.MEDIUM,
          "A turn's timestamp may be at most this far behind the server's clock (400 otherwise); 0: no limit "
              + "(times before 1970 are always refused).")
      .define(EVENT_TIME_MAX_FUTURE_MS, Type.LONG, 300_000L, Range.between(0, 3_600_000), Importance.MEDIUM,
          "A turn's timestamp may be at most this far ahead of the server's clock (client clock skew); at most "
              + "one hour, the broker's default message.timestamp.after.max.ms.")
      .define(CONVERSATION_IDLE_EXPIRY_MS, Type.LONG, TurnSequencer.DEFAULT_IDLE_EXPIRY.toMillis(),
          Range.atLeast(1_000), Importance.LOW,
          "A conversation without a turn for this long is forgotten: its next turn is numbered from 0 again.")
      .define(MAX_CONVERSATIONS, Type.INT, TurnSequencer.DEFAULT_MAX_CONVERSATIONS, Range.between(1, 100_000_000),
          Importance.LOW, "Conversations whose numbering is kept in memory (about 200 bytes each); past it the one "
              + "idle longest is forgotten. Size it above the conversations active within the idle expiry."),
      HTTP_PREFIX), HTTP_PREFIX);

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL", Map.of(
      "bootstrap-servers", BOOTSTRAP_SERVERS, "registry", REGISTRY_URL, "namespace", NAMESPACE,
      "port", PORT, "bind", BIND_ADDRESS, "max-text-bytes", MAX_TEXT_BYTES)).withKafkaClientSettings();

  /** Prefix of the metrics endpoint's settings: {@code ingest.metrics.port}, {@code ingest.metrics.host}. */
  public static final String METRICS_PREFIX = "ingest.";

  static {
    MetricsEndpoint.define(DEFINITION, METRICS_PREFIX);
  }

  /** Where this process serves its Prometheus metrics ({@code ingest.metrics.*}), if at all. */
  public static MetricsEndpoint.Settings metricsEndpoint(List<String> args, Map<String, String> env) {
    return MetricsEndpoint.Settings.from(LOADER.load(args, env), METRICS_PREFIX);
  }


  public IngestConfig {
    if (lingerMs * 2L > deliveryTimeout.toMillis()) {
      throw new ConfigException(LINGER_MS + " (" + lingerMs + ") must be at most half of "
          + DELIVERY_TIMEOUT_MS + " (" + deliveryTimeout.toMillis() + ")");
    }
  }

  public static IngestConfig from(Map<String, Object> v) {
    return new IngestConfig((String) v.get(BOOTSTRAP_SERVERS), RegistryClientSettings.from(v), (String) v.get(NAMESPACE),
        (String) v.get(BIND_ADDRESS), (Integer) v.get(PORT), (Password) v.get(TOKEN), (Integer) v.get(MAX_TEXT_BYTES),
        (Integer) v.get(MAX_IN_FLIGHT), (Integer) v.get(HTTP_THREADS), Duration.ofMillis((Long) v.get(MAX_BLOCK_MS)),
        Duration.ofMillis((Integer) v.get(DELIVERY_TIMEOUT_MS)), (Integer) v.get(LINGER_MS),
        (Boolean) v.get(RECOVER_INDEXES), new EventTimeWindow(Duration.ofMillis((Long) v.get(EVENT_TIME_MAX_PAST_MS)),
        Duration.ofMillis((Long) v.get(EVENT_TIME_MAX_FUTURE_MS))),
        BoundedHttpServer.limits(v, HTTP_PREFIX, (Integer) v.get(HTTP_THREADS)),
        Duration.ofMillis((Long) v.get(CONVERSATION_IDLE_EXPIRY_MS)), (Integer) v.get(MAX_CONVERSATIONS),
        HttpTls.from(v, HTTP_PREFIX), KafkaClientSettings.from(v));
  }

  /** Parses and validates settings given as strings (keys of {@link #DEFINITION}). */
  public static IngestConfig of(Map<String, String> settings) {
    return from(LOADER.parse(settings));
  }

  public static IngestConfig parse(List<String> args, Map<String, String> env) {
    return from(LOADER.load(args, env));
  }

  /** Leaves the token out. */
  @Override
  public String toString() {
    return "IngestConfig[bootstrapServers=" + bootstrapServers + ", registry=" + registry + ", namespace="
        + namespace + ", bind=" + bindAddress + ":" + port + ", token=[hidden], maxTextBytes=" + maxTextBytes
        + ", maxInFlight=" + maxInFlight + ", httpThreads=" + httpThreads + ", maxBlock=" + maxBlock
        + ", deliveryTimeout=" + deliveryTimeout + ", lingerMs=" + lingerMs + ", recoverIndexes=" + recoverIndexes
        + ", eventTimeWindow=" + eventTimeWindow + ", httpLimits=" + httpLimits + ", conversationIdleExpiry="
        + conversationIdleExpiry + ", maxConversations=" + maxConversations + ", tls=" + tls + ", kafka=" + kafka
        + "]";
  }

  /** The schema registry's base URL. */
  public String registryUrl() {
    return registry.url();
  }
}
