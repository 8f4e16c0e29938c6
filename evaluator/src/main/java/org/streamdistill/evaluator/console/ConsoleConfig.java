package org.streamdistill.evaluator.console;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.streamdistill.evaluator.lag.ConsumerLagMonitor;
import org.streamdistill.evaluator.lag.LagConfig;
import org.streamdistill.evaluator.lag.MonitoredGroup;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.schemas.config.NotBlank;
import org.streamdistill.schemas.http.BasicAuthUsers;
import org.streamdistill.schemas.http.BoundedHttpServer;
import org.streamdistill.schemas.http.HttpTls;

/**
 * Settings of the {@code console} command, loaded like every command's ({@link ConfigLoader}:
 * defaults, {@code --config} file, {@code STREAMDISTILL_*} environment, flags).
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param registryUrl schema registry of the records read
 * @param namespace topic namespace of the pipeline watched; empty for production names
 * @param httpHost address the page binds
 * @param httpPort port of the page, 0 for a free one
 * @param refresh how often the page asks for new figures and the watcher samples rates and lag
 * @param lookback how far back the topics are read at start
 * @param historyPoints samples kept per time series
 * @param serveUrl base URL of the serving endpoint ({@code serve}), for the page's how-to
 * @param httpLimits bounds of the HTTP endpoint ({@code console.http.*})
 * @param users who may open the console (HTTP basic authentication, which a browser asks for by
 *     itself, unlike a bearer token), or null for anyone
 * @param tls the key store to serve HTTPS with, or null for plain HTTP
 */
public record ConsoleConfig(String bootstrapServers, String registryUrl, String namespace, String httpHost,
                            int httpPort, Duration refresh, Duration lookback, int historyPoints, String serveUrl,
                            BoundedHttpServer.Limits httpLimits, BasicAuthUsers users, HttpTls tls) {

  public static final String BOOTSTRAP_SERVERS = LagConfig.BOOTSTRAP_SERVERS;
  public static final String REGISTRY_URL = "schema.registry.url";
  public static final String NAMESPACE = LagConfig.NAMESPACE;
  public static final String HTTP_HOST = "console.http.host";
  public static final String HTTP_PORT = "console.http.port";
  public static final String REFRESH_MS = "console.refresh.ms";
  public static final String LOOKBACK_MS = "console.lookback.ms";
  public static final String HISTORY_POINTS = "console.history.points";
  public static final String SERVE_URL = "console.serve.url";
  public static final String AUTH_USERS = "console.auth.users";
  /** Prefix of the HTTP limits: {@code console.http.header-timeout-ms}, ... */
  public static final String HTTP_PREFIX = "console.";
  /** Page requests at once: a browser or two polling. */
  public static final int REQUEST_THREADS = 4;

  public static final ConfigDef DEFINITION = HttpTls.define(BoundedHttpServer.define(new ConfigDef()
      .define(KafkaClientSettings.bootstrapServersKey())
      .define(REGISTRY_URL, Type.STRING, "http://127.0.0.1:8081", NotBlank.INSTANCE, Importance.HIGH,
          "Schema registry URL (Confluent REST API).")
      .define(NAMESPACE, Type.STRING, "", Importance.LOW,
          "Topic namespace of the pipeline to watch (experiments); empty for production names.")
      .define(HTTP_HOST, Type.STRING, "127.0.0.1", NotBlank.INSTANCE, Importance.LOW,
          "Address the console binds; 0.0.0.0 for every interface (then set " + AUTH_USERS + ", and TLS).")
      .define(AUTH_USERS, Type.PASSWORD, null, Importance.MEDIUM,
          "Users who may open the console, user:password,user2:password2 (HTTP basic authentication: the browser"
              + " asks for them). Unset: anyone who reaches the address. Prefer the environment variable"
              + " STREAMDISTILL_CONSOLE_AUTH_USERS (flags show up in ps).")
      .define(HTTP_PORT, Type.INT, 8070, Range.between(0, 65_535), Importance.MEDIUM,
          "Port of the console; 0 picks a free one.")
      .define(REFRESH_MS, Type.LONG, 1_000L, Range.between(100, 60_000), Importance.LOW,
          "How often the page updates and the console samples throughput and lag, milliseconds.")
      .define(LOOKBACK_MS, Type.LONG, 3_600_000L, Range.between(0, 30L * 24 * 3_600_000), Importance.LOW,
          "How far back the console reads the topics at start, milliseconds.")
      .define(HISTORY_POINTS, Type.INT, 900, Range.between(10, 100_000), Importance.LOW,
          "Samples kept per time series (lag, throughput, latency).")
      .define(SERVE_URL, Type.STRING, "http://127.0.0.1:8090", NotBlank.INSTANCE, Importance.LOW,
          "Base URL of the serving endpoint (bin/streamdistill serve), shown on how to fetch the champion."),
      HTTP_PREFIX), HTTP_PREFIX);

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL", Map.of(
      "bootstrap-servers", BOOTSTRAP_SERVERS, "registry", REGISTRY_URL, "namespace", NAMESPACE,
      "port", HTTP_PORT, "bind", HTTP_HOST, "serve-url", SERVE_URL));

  public static ConsoleConfig from(Map<String, Object> v) {
    return new ConsoleConfig((String) v.get(BOOTSTRAP_SERVERS), (String) v.get(REGISTRY_URL),
        (String) v.get(NAMESPACE), (String) v.get(HTTP_HOST), (Integer) v.get(HTTP_PORT),
        Duration.ofMillis((Long) v.get(REFRESH_MS)), Duration.ofMillis((Long) v.get(LOOKBACK_MS)),
        (Integer) v.get(HISTORY_POINTS), (String) v.get(SERVE_URL),
        BoundedHttpServer.limits(v, HTTP_PREFIX, REQUEST_THREADS), users(v), HttpTls.from(v, HTTP_PREFIX));
  }

  private static BasicAuthUsers users(Map<String, Object> v) {
    Password users = (Password) v.get(AUTH_USERS);
    if (users == null || users.value() == null || users.value().isBlank()) {
      return null;
    }
    try {
      return BasicAuthUsers.of(BasicAuthUsers.parseList(users.value(), AUTH_USERS));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  public static ConsoleConfig parse(List<String> args, Map<String, String> env) {
    return from(LOADER.load(args, env));
  }

  /** Settings from a plain map of strings (as the demo passes them), validated. */
  public static ConsoleConfig of(Map<String, String> settings) {
    return from(DEFINITION.parse(settings));
  }

  /** The lag monitor of the pipeline's three groups in this namespace, sampling at the refresh interval. */
  public ConsumerLagMonitor.Settings lagSettings() {
    List<MonitoredGroup> groups = namespace.isEmpty()
        ? MonitoredGroup.PIPELINE_GROUP_IDS.stream().map(id -> MonitoredGroup.of(id, "")).toList()
        : MonitoredGroup.pipeline(namespace);
    Duration interval = refresh.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : refresh;
    return new ConsumerLagMonitor.Settings(bootstrapServers, groups, interval, 10, Duration.ofSeconds(60),
        Duration.ofSeconds(10));
  }
}
