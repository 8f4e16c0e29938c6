package org.streamdistill.evaluator.lag;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.http.BearerToken;
import org.streamdistill.schemas.http.BoundedHttpServer;
import org.streamdistill.schemas.http.HttpTls;

/**
 * Settings of the {@code lag} command: every key with type, default, validator and doc in
 * {@link #DEFINITION}; loaded by {@link ConfigLoader} (defaults, then a {@code --config} file,
 * then {@code STREAMDISTILL_LAG_...} environment variables, then flags).
 *
 * @param monitor what the monitor watches and how
 * @param once print one table after a full window and exit
 * @param httpHost address the HTTP endpoint binds
 * @param httpPort port of the HTTP endpoint, -1 for none, 0 for a free one
 * @param printInterval how often the long-running mode prints the table, zero for never
 * @param httpLimits bounds of the HTTP endpoint ({@code lag.http.*})
 * @param httpToken bearer token the endpoint requires ({@code lag.http.token}), null for none
 * @param httpTls the endpoint's key store ({@code lag.http.ssl.*}), null for plain HTTP
 */
public record LagConfig(ConsumerLagMonitor.Settings monitor, boolean once, String httpHost, int httpPort,
                        Duration printInterval, BoundedHttpServer.Limits httpLimits, BearerToken httpToken,
                        HttpTls httpTls) {

  public static final String BOOTSTRAP_SERVERS = KafkaClientSettings.BOOTSTRAP_SERVERS;
  public static final String GROUPS = "lag.groups";
  public static final String NAMESPACE = "topic.namespace";
  /** The lag command's own names of the shared keys, before they were shared: deprecated. */
  public static final Map<String, String> RENAMED = Map.of(
      "lag.bootstrap.servers", BOOTSTRAP_SERVERS, "lag.topic.namespace", NAMESPACE);
  public static final String INTERVAL_MS = "lag.interval.ms";
  public static final String WINDOW_SAMPLES = "lag.window.samples";
  public static final String STOP_AFTER_MS = "lag.stop-after.ms";
  public static final String TIMEOUT_MS = "lag.timeout.ms";
  public static final String ONCE = "lag.once";
  public static final String HTTP_HOST = "lag.http.host";
  public static final String HTTP_PORT = "lag.http.port";
  public static final String PRINT_INTERVAL_MS = "lag.print.interval.ms";
  /** Prefix of the HTTP limits ({@link BoundedHttpServer#define}): {@code lag.http.header-timeout-ms}, ... */
  public static final String HTTP_PREFIX = "lag.";

  /** Named validators (not lambdas), so that --help can say what they accept. */
  private static final ConfigDef.Validator NON_BLANK = org.streamdistill.schemas.config.NotBlank.INSTANCE;

  private static final ConfigDef.Validator GROUP_LIST = new ConfigDef.Validator() {
    @Override
    public void ensureValid(String name, Object value) {
      List<?> groups = (List<?>) value;
      if (groups == null || groups.isEmpty() || groups.stream().anyMatch(g -> g.toString().isBlank())) {
        throw new ConfigException(name, value, "must name at least one consumer group, comma-separated");
      }
    }

    @Override
    public String toString() {
      return "one or more group ids";
    }
  };

  public static final ConfigDef DEFINITION = HttpTls.define(BearerToken.define(BoundedHttpServer.define(new ConfigDef()
      .define(KafkaClientSettings.bootstrapServersKey())
      .define(GROUPS, Type.LIST, MonitoredGroup.PIPELINE_GROUP_IDS, GROUP_LIST, Importance.HIGH,
          "Consumer groups to watch, comma-separated; the pipeline's groups also report their input topic's"
              + " partitions before their first commit. Left at its default with " + NAMESPACE + " set, the"
              + " namespace's own groups are watched (exp1-teacher-stream, exp1-student-trainer,"
              + " exp1-streamdistill-evaluator).")
      .define(NAMESPACE, Type.STRING, "", Importance.LOW,
          "Topic namespace of the pipeline's input topics (experiments); empty for production names.")
      .define(INTERVAL_MS, Type.LONG, 2_000L, Range.between(10, 3_600_000), Importance.MEDIUM,
          "Milliseconds between two samples.")
      .define(WINDOW_SAMPLES, Type.INT, 10, Range.between(2, 10_000), Importance.MEDIUM,
          "Samples per sliding window: the window spans (samples - 1) intervals and must exceed the slowest"
              + " commit interval of a healthy group.")
      .define(STOP_AFTER_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.MEDIUM,
          "A group whose committed offset has not changed for this many milliseconds while records wait is STOP.")
      .define(TIMEOUT_MS, Type.LONG, 10_000L, Range.between(100, 600_000), Importance.LOW,
          "Milliseconds every Kafka request of a sample may take.")
      .define(ONCE, Type.BOOLEAN, false, Importance.MEDIUM,
          "Sample one full window, print the table and exit.")
      .define(HTTP_HOST, Type.STRING, "127.0.0.1", NON_BLANK, Importance.LOW,
          "Address the HTTP endpoint binds; 0.0.0.0 for every interface (then set lag.http.token, and TLS).")
      .define(HTTP_PORT, Type.INT, -1, Range.between(-1, 65_535), Importance.MEDIUM,
          "Serve /metrics (Prometheus) and /lag (JSON) on this port until Ctrl-C; 0 picks a free port, -1 serves"
              + " nothing.")
      .define(PRINT_INTERVAL_MS, Type.LONG, 30_000L, Range.atLeast(0), Importance.LOW,
          "Without --once, print the table every this many milliseconds; 0 never."),
      HTTP_PREFIX), HTTP_PREFIX), HTTP_PREFIX);

  /** Short flag names (without dashes) of the keys. */
  public static final Map<String, String> ALIASES = Map.ofEntries(
      Map.entry("bootstrap-servers", BOOTSTRAP_SERVERS), Map.entry("groups", GROUPS), Map.entry("namespace", NAMESPACE),
      Map.entry("interval", INTERVAL_MS), Map.entry("window", WINDOW_SAMPLES), Map.entry("stop-after", STOP_AFTER_MS),
      Map.entry("timeout", TIMEOUT_MS), Map.entry("once", ONCE), Map.entry("http-port", HTTP_PORT),
      Map.entry("http-host", HTTP_HOST), Map.entry("print-every", PRINT_INTERVAL_MS));

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL", ALIASES, List.of(), RENAMED)
      .withKafkaClientSettings();

  private static final Map<String, String> FLAG_BY_KEY = ALIASES.entrySet().stream()
      .collect(Collectors.toUnmodifiableMap(Map.Entry::getValue, Map.Entry::getKey));

  private static final Pattern KEY_IN_MESSAGE = Pattern.compile("configuration ([a-z.\\-]+)");

  /**
   * Parses flags ({@code --once} may stand alone) and the environment.
   *
   * @throws ConfigException naming the flag (and its key) when a flag is unknown or invalid
   */
  public static LagConfig parse(List<String> args, Map<String, String> env) {
    return parse(args, env, warning -> { });
  }

  /** The same, handing a warning to {@code warnings} for each deprecated key used. */
  public static LagConfig parse(List<String> args, Map<String, String> env,
                                java.util.function.Consumer<String> warnings) {
    Map<String, Object> v;
    try {
      v = LOADER.parse(LOADER.collect(withBooleanFlags(args), env, warnings));
    } catch (ConfigException e) {
      throw new ConfigException(withFlagNames(e.getMessage()));
    }
    String namespace = (String) v.get(NAMESPACE);
    @SuppressWarnings("unchecked")
    List<String> groupIds = (List<String>) v.get(GROUPS);
    List<MonitoredGroup> groups = !namespace.isEmpty() && groupIds.equals(MonitoredGroup.PIPELINE_GROUP_IDS)
        ? MonitoredGroup.pipeline(namespace)
        : groupIds.stream().distinct().map(id -> MonitoredGroup.of(id, namespace)).toList();
    ConsumerLagMonitor.Settings settings = new ConsumerLagMonitor.Settings((String) v.get(BOOTSTRAP_SERVERS), groups,
        Duration.ofMillis((Long) v.get(INTERVAL_MS)), (Integer) v.get(WINDOW_SAMPLES),
        Duration.ofMillis((Long) v.get(STOP_AFTER_MS)), Duration.ofMillis((Long) v.get(TIMEOUT_MS)),
        KafkaClientSettings.from(v));
    boolean once = (Boolean) v.get(ONCE);
    int httpPort = (Integer) v.get(HTTP_PORT);
    if (once && httpPort >= 0) {
      throw new ConfigException("--once prints one table and exits, --http-port serves until Ctrl-C: give one of them");
    }
    return new LagConfig(settings, once, (String) v.get(HTTP_HOST), httpPort,
        Duration.ofMillis((Long) v.get(PRINT_INTERVAL_MS)),
        BoundedHttpServer.limits(v, HTTP_PREFIX, LagHttpServer.REQUEST_THREADS), BearerToken.from(v, HTTP_PREFIX),
        HttpTls.from(v, HTTP_PREFIX));
  }

  /** {@code --once} alone means {@code --once=true}. */
  private static List<String> withBooleanFlags(List<String> args) {
    List<String> normalized = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      boolean bare = i + 1 >= args.size() || args.get(i + 1).startsWith("--");
      normalized.add(arg.equals("--once") && bare ? "--once=true" : arg);
    }
    return normalized;
  }

  /** "Invalid value -5 for configuration lag.interval.ms" becomes "... for --interval (lag.interval.ms)". */
  static String withFlagNames(String message) {
    Matcher matcher = KEY_IN_MESSAGE.matcher(message);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String key = matcher.group(1);
      String flag = FLAG_BY_KEY.get(key);
      matcher.appendReplacement(out, Matcher.quoteReplacement(
          flag == null ? "--" + key : "--" + flag + " (" + key + ")"));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
