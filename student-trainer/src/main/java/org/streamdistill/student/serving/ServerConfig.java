package org.streamdistill.student.serving;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.http.BearerToken;
import org.streamdistill.schemas.metrics.MetricsEndpoint;
import org.streamdistill.schemas.http.BoundedHttpServer;
import org.streamdistill.schemas.http.HttpTls;
import org.streamdistill.schemas.registry.RegistryClientSettings;

/**
 * Settings of the {@link StudentServer}: where to listen, how many requests to run at once, and
 * which Kafka topics (and model line) name the champion. {@code token} (null: no
 * authentication) and {@code tls} (null: plain HTTP) secure the endpoint; the record's {@code
 * toString} shows neither secret ({@link BearerToken} and {@link HttpTls} hide them).
 */
public record ServerConfig(String bootstrapServers, RegistryClientSettings registry, String namespace,
    String host, int port, int threads, String modelName, int topK, int intraOpThreads,
    int maxRequestBytes, String modelDir, BoundedHttpServer.Limits httpLimits, BearerToken token, HttpTls tls,
    KafkaClientSettings kafka) {

  public static final String BOOTSTRAP_SERVERS = KafkaClientSettings.BOOTSTRAP_SERVERS;
  public static final String REGISTRY_URL = RegistryClientSettings.URL;
  public static final String NAMESPACE = "topic.namespace";
  public static final String HOST = "server.host";
  public static final String PORT = "server.port";
  public static final String THREADS = "server.threads";
  public static final String MODEL_NAME = "server.model-name";
  public static final String TOP_K = "server.top-k";
  public static final String INTRA_OP_THREADS = "server.onnx.intra-op-threads";
  public static final String MAX_REQUEST_BYTES = "server.max-request-bytes";
  public static final String MODEL_DIR = "server.model-dir";
  /** Prefix of the HTTP limits ({@link BoundedHttpServer#define}): {@code server.http.header-timeout-ms}, ... */
  public static final String HTTP_PREFIX = "server.";

  public static final ConfigDef DEFINITION = HttpTls.define(BearerToken.define(BoundedHttpServer.define(
      RegistryClientSettings.define(new ConfigDef()
      .define(KafkaClientSettings.bootstrapServersKey()))
      .define(NAMESPACE, Type.STRING, "", Importance.LOW, "Prefix of every topic (experiments); empty for production.")
      .define(HOST, Type.STRING, "127.0.0.1", Importance.MEDIUM,
          "Address the HTTP endpoint binds to; 0.0.0.0 for every interface (then set server.http.token, and TLS).")
      .define(PORT, Type.INT, 8090, Range.between(0, 65535), Importance.HIGH,
          "HTTP port of POST /v1/classify; 0 picks a free port.")
      .define(THREADS, Type.INT, 4, Range.between(1, 256), Importance.MEDIUM, "Requests handled at once; more wait in server.http.max-queued-requests or get 503.")
      .define(MODEL_NAME, Type.STRING, "student", Importance.LOW,
          "Model line whose champion is served (key of promotions and checkpoints).")
      .define(TOP_K, Type.INT, 5, Range.between(1, 1000), Importance.LOW,
          "Labels listed in the 'top' field of a response, most probable first.")
      .define(INTRA_OP_THREADS, Type.INT, 1, Range.between(1, 64), Importance.LOW,
          "ONNX Runtime threads inside one request; concurrency comes from server.threads.")
      .define(MAX_REQUEST_BYTES, Type.INT, 65_536, Range.between(64, 16 << 20), Importance.LOW,
          "Largest accepted request body; larger ones get 413.")
      .define(MODEL_DIR, Type.STRING, "target/student-checkpoints", Importance.MEDIUM,
          "The trainer's trainer.checkpoint.dir: only ONNX exports inside it are loaded; a checkpoint record "
              + "naming a file elsewhere is refused and logged. Empty: any file (not for production)."),
      HTTP_PREFIX), HTTP_PREFIX), HTTP_PREFIX);

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL",
      Map.of("bootstrap-servers", BOOTSTRAP_SERVERS, "registry", REGISTRY_URL, "port", PORT,
          "host", HOST)).withKafkaClientSettings();

  /** Prefix of the metrics endpoint's settings: {@code server.metrics.port}, {@code server.metrics.host}. */
  public static final String METRICS_PREFIX = "server.";

  static {
    MetricsEndpoint.define(DEFINITION, METRICS_PREFIX);
  }

  /** Where this process serves its Prometheus metrics ({@code server.metrics.*}), if at all. */
  public static MetricsEndpoint.Settings metricsEndpoint(List<String> args, Map<String, String> env) {
    return MetricsEndpoint.Settings.from(LOADER.load(args, env), METRICS_PREFIX);
  }


  public static ServerConfig from(Map<String, Object> v) {
    return new ServerConfig((String) v.get(BOOTSTRAP_SERVERS), RegistryClientSettings.from(v),
        (String) v.get(NAMESPACE), (String) v.get(HOST), (Integer) v.get(PORT),
        (Integer) v.get(THREADS), (String) v.get(MODEL_NAME), (Integer) v.get(TOP_K),
        (Integer) v.get(INTRA_OP_THREADS), (Integer) v.get(MAX_REQUEST_BYTES), (String) v.get(MODEL_DIR),
        BoundedHttpServer.limits(v, HTTP_PREFIX, (Integer) v.get(THREADS)), BearerToken.from(v, HTTP_PREFIX),
        HttpTls.from(v, HTTP_PREFIX), KafkaClientSettings.from(v));
  }

  /** Settings from flags, environment and an optional {@code --config} file. */
  public static ServerConfig parse(List<String> args, Map<String, String> env) {
    return from(LOADER.load(args, env));
  }

  /** Settings from a plain map of strings (tests, embedded use), validated. */
  public static ServerConfig of(Map<String, String> settings) {
    return from(LOADER.parse(settings));
  }

  /** The schema registry's base URL. */
  public String registryUrl() {
    return registry.url();
  }
}
