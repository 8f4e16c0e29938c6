package org.streamdistill.student.serving;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.schemas.http.BoundedHttpServer;
import org.streamdistill.schemas.http.HttpGuard;
import org.streamdistill.student.export.ExportMetadata;

/**
 * Serves the champion student over HTTP (a Jetty handler on a {@link BoundedHttpServer}, JSON
 * bodies).
 *
 * <h2>Endpoints</h2>
 *
 * <ul>
 *   <li>{@code POST /v1/classify} with {@code {"text": "..."}} or {@code {"token_ids": [101,
 *       ..., 102]}} (raw WordPiece ids as the teacher's tokenizer gives them; the model's own
 *       input contract strips, cuts and pads them) answers {@code {"model_version", "label",
 *       "index", "probability", "top": [{"label", "index", "probability"}, ...]}}.
 *   <li>{@code GET /v1/champion} answers {@code {"model_version", "onnx_export", "label_set_id",
 *       "num_classes"}} of the model served now; {@code onnx_export} is the export's file name
 *       ({@code student-v3.onnx}), never its path on this host.
 * </ul>
 *
 * With {@code server.http.token} set every request needs {@code Authorization: Bearer <token>}
 * (401 otherwise); with {@code server.http.ssl.keystore.location} the endpoint speaks HTTPS only.
 *
 * Errors carry {@code {"error": "..."}}: 400 for a body that is not JSON, lacks both fields,
 * has an empty text or ids outside the model's vocabulary (the message names the field); 413
 * for a body over {@code server.max-request-bytes} (refused before it is read); 405 for a wrong
 * method; 404 for other paths; 503 while no champion has been loaded yet, and 503 with {@code
 * Retry-After: 1} when every request thread ({@code server.threads}) and queue place ({@code
 * server.http.max-queued-requests}) is taken. Slow or silent clients are cut off by the
 * {@code server.http.*} timeouts.
 *
 * <h2>Which model</h2>
 *
 * A {@link ChampionFeed} says which version to serve and where its ONNX export is ({@link
 * KafkaChampionFeed} in production). The server loads the new version beside the old one, then
 * swaps them atomically in a {@link ChampionSlot}: requests running on the old model finish on
 * it, new requests get the new one, and the old ONNX Runtime session is closed by its last
 * request. If a version cannot be loaded the server logs why and keeps serving the one it has.
 *
 * <p>Text input uses a {@link TeacherTokenizer} (the teacher's WordPiece tokenizer, from the
 * MiniLM jar on the class path); without one, only {@code token_ids} are accepted.
 *
 * <p>Owns its HTTP server and request threads, the feed and the tokenizer it is given, and the
 * loaded models; {@link #close()} releases them all.
 */
public final class StudentServer implements ChampionFeed.Listener, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StudentServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONTENT_TYPE = "application/json; charset=utf-8";

  /** Counters for operators and tests. */
  public record Stats(long classified, long rejected, long unavailable, long failed, long swaps,
      long modelsClosed, String championVersion) {}

  private final ServerConfig config;
  private final ChampionFeed feed;
  private final TeacherTokenizer tokenizer;
  private final ChampionSlot slot = new ChampionSlot();
  private final BoundedHttpServer http;
  private final AtomicLong classified = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong unavailable = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong swaps = new AtomicLong();
  private final AtomicLong modelsClosed = new AtomicLong();
  private volatile boolean closed;
  private final PrometheusRegistry metricsRegistry = new PrometheusRegistry();
  private final ServingMetrics metrics = new ServingMetrics(metricsRegistry, this::stats);

  /**
   * Binds the HTTP port; until {@link #start()} loads a champion, requests get 503.
   *
   * @param feed says which version to serve; closed by {@link #close()}
   * @param tokenizerOrNull tokenizer for {@code text} requests, or null to accept only {@code
   *     token_ids}; closed by {@link #close()}
   * @throws IOException if the port cannot be bound
   */
  public StudentServer(ServerConfig config, ChampionFeed feed, TeacherTokenizer tokenizerOrNull)
      throws IOException {
    this.config = config;
    this.feed = feed;
    this.tokenizer = tokenizerOrNull;
    Handler routes = new Routes();
    if (config.token() != null) {
      routes = HttpGuard.bearer(config.token(), "student-server", CONTENT_TYPE,
          error("a valid bearer token is required (Authorization: Bearer <token>)").toString()).protect(routes);
    }
    try {
      this.http = BoundedHttpServer.start("student-server", new InetSocketAddress(config.host(), config.port()),
          config.httpLimits(), config.tls(), routes, BoundedHttpServer.Busy.of(CONTENT_TYPE,
              error("server at capacity; retry later").toString()));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Starts following the feed: requests are answered once a champion is loaded. */
  public void start() {
    feed.start(this);
    LOG.info("student server listening on {}://{}:{}/v1/classify ({})", http.tls() ? "https" : "http", config.host(),
        port(), config.token() != null ? "bearer token required" : "no authentication");
  }

  /** The bound port (useful with {@code server.port=0}). */
  public int port() {
    return http.port();
  }

  /** The version served now, or null before the first champion is loaded. */
  public String championVersion() {
    return slot.version();
  }

  /** This endpoint's Prometheus metrics ({@link ServingMetrics}), for its metrics endpoint. */
  public PrometheusRegistry metricsRegistry() {
    return metricsRegistry;
  }

  public Stats stats() {
    return new Stats(classified.get(), rejected.get(), unavailable.get(), failed.get(),
        swaps.get(), modelsClosed.get(), slot.version());
  }

  // ---------------------------------------------------------------- model swaps

  /** Loads {@code version} from {@code onnxUri} and serves it; on failure keeps the old one. */
  @Override
  public void championChanged(String version, URI onnxUri) {
    String serving = slot.version();
    if (version.equals(serving) || closed) {
      return;
    }
    if (!"file".equals(onnxUri.getScheme())) {
      LOG.error("cannot load champion {}: only file: URIs are supported, got {}; still serving {}",
          version, onnxUri, serving);
      return;
    }
    OnnxStudent model;
    try {
      model = OnnxStudent.open(Path.of(onnxUri), config.intraOpThreads());
    } catch (IOException | RuntimeException e) {
      LOG.error("cannot load champion {} from {}: {}; still serving {}", version, onnxUri,
          e.getMessage(), serving, e);
      return;
    }
    if (!model.version().equals(version)) {
      LOG.error("{} holds model version {}, not the champion {}; still serving {}", onnxUri,
          model.version(), version, serving);
      model.close();
      return;
    }
    try {
      // The first run of a session pays for its initialisation; let the swap, not a request.
      model.probabilities(new int[0]);
    } catch (RuntimeException e) {
      LOG.error("champion {} from {} fails on a blank input: {}; still serving {}", version,
          onnxUri, e.getMessage(), serving, e);
      model.close();
      return;
    }
    slot.swap(new ServedModel(model, modelsClosed::incrementAndGet));
    swaps.incrementAndGet();
    LOG.info("now serving {} from {} (was {})", version, onnxUri, serving);
    if (closed) {
      slot.close();
    }
  }

  // ---------------------------------------------------------------- HTTP

  /** Routes by path prefix, as the contexts of the JDK server this replaced did. */
  private final class Routes extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = request.getHttpURI().getPath();
      if (path.startsWith("/v1/classify")) {
        classify(request, response, callback);
      } else if (path.startsWith("/v1/champion")) {
        champion(request, response, callback);
      } else {
        reply(response, callback, 404, error("no such resource; POST /v1/classify or GET /v1/champion"));
      }
      return true;
    }
  }

  private void classify(Request request, Response response, Callback callback) {
    long start = System.nanoTime();
    try {
      handleClassify(request, response, callback);
      metrics.requestAnswered(System.nanoTime() - start);
    } catch (RuntimeException e) {
      failed.incrementAndGet();
      LOG.error("classify failed: {}", e.getMessage(), e);
      if (response.isCommitted()) {
        callback.failed(e);
      } else {
        // The cause stays in the log: its message may name files of this host.
        reply(response, callback, 500, error("internal error; the server's log has the cause"));
      }
    }
  }

  private void handleClassify(Request httpRequest, Response response, Callback callback) {
    if (!"POST".equals(httpRequest.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, "POST");
      reply(response, callback, 405, error("use POST with a JSON body"));
      return;
    }
    ClassifyRequest request;
    try {
      request = parse(httpRequest);
    } catch (BadRequestException e) {
      rejected.incrementAndGet();
      reply(response, callback, e.status, error(e.getMessage()));
      return;
    } catch (IOException e) {
      callback.failed(e); // the client's connection broke while sending: nobody to answer
      return;
    }
    ServedModel served = slot.acquire();
    if (served == null) {
      unavailable.incrementAndGet();
      reply(response, callback, 503, error("no champion yet: model line '" + config.modelName()
          + "' has not been promoted (or its ONNX export not loaded); retry later"));
      return;
    }
    try {
      int[] ids = request.tokenIds != null ? request.tokenIds : tokenizer.encode(request.text);
      int vocab = served.model().description().input().vocabSize();
      for (int i = 0; i < ids.length; i++) {
        if (ids[i] < 0 || ids[i] >= vocab) {
          rejected.incrementAndGet();
          String where = request.tokenIds != null ? "'token_ids'[" + i + "]"
              : "token " + i + " of 'text'";
          reply(response, callback, 400, error(where + " = " + ids[i] + " is outside the vocabulary [0, "
              + vocab + ") of " + served.version()));
          return;
        }
      }
      float[] probabilities = served.model().probabilities(ids);
      reply(response, callback, 200, answer(served, probabilities));
      classified.incrementAndGet();
    } finally {
      served.release();
    }
  }

  private void champion(Request request, Response response, Callback callback) {
    if (!"GET".equals(request.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET");
      reply(response, callback, 405, error("use GET"));
      return;
    }
    ServedModel served = slot.acquire();
    if (served == null) {
      reply(response, callback, 503, error("no champion yet"));
      return;
    }
    try {
      ObjectNode body = JSON.createObjectNode();
      ExportMetadata metadata = served.model().description().metadata();
      body.put("model_version", served.version());
      // The file name, not the path: an answer must not tell clients how this host's disk is laid out.
      body.put("onnx_export", served.model().file().getFileName().toString());
      body.put("label_set_id", metadata.labelSetId());
      body.put("num_classes", served.model().description().numClasses());
      reply(response, callback, 200, body);
    } finally {
      served.release();
    }
  }

  /** A validated request: exactly one of text and tokenIds is set. */
  private record ClassifyRequest(String text, int[] tokenIds) {}

  private ClassifyRequest parse(Request httpRequest) throws IOException, BadRequestException {
    byte[] bytes;
    try {
      bytes = BoundedHttpServer.readBody(httpRequest, config.maxRequestBytes(), config.httpLimits().bodyTimeout());
    } catch (BoundedHttpServer.BodyException e) {
      throw new BadRequestException(e.status(), e.status() == 413
          ? "request body is larger than " + config.maxRequestBytes() + " bytes (" + ServerConfig.MAX_REQUEST_BYTES + ")"
          : e.getMessage());
    }
    JsonNode json;
    try {
      json = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new BadRequestException(400, "request body is not valid JSON: "
          + e.getOriginalMessage());
    }
    if (json == null || !json.isObject()) {
      throw new BadRequestException(400, "request body must be a JSON object with 'text' (a "
          + "string) or 'token_ids' (an array of integers)");
    }
    JsonNode text = json.get("text");
    JsonNode ids = json.get("token_ids");
    if (text != null && ids != null) {
      throw new BadRequestException(400, "give either 'text' or 'token_ids', not both");
    }
    if (text != null) {
      if (!text.isTextual()) {
        throw new BadRequestException(400, "'text' must be a string, got " + text.getNodeType());
      }
      if (text.asText().isBlank()) {
        throw new BadRequestException(400, "'text' is empty");
      }
      if (tokenizer == null) {
        throw new BadRequestException(400, "this server has no tokenizer: send 'token_ids'");
      }
      return new ClassifyRequest(text.asText(), null);
    }
    if (ids != null) {
      if (!ids.isArray()) {
        throw new BadRequestException(400, "'token_ids' must be an array of integers, got "
            + ids.getNodeType());
      }
      if (ids.isEmpty()) {
        throw new BadRequestException(400, "'token_ids' is empty");
      }
      int[] values = new int[ids.size()];
      for (int i = 0; i < values.length; i++) {
        JsonNode id = ids.get(i);
        if (!id.isIntegralNumber() || !id.canConvertToInt()) {
          throw new BadRequestException(400, "'token_ids'[" + i + "] must be an integer, got "
              + id);
        }
        values[i] = id.intValue();
      }
      return new ClassifyRequest(null, values);
    }
    throw new BadRequestException(400, "request needs 'text' (a string) or 'token_ids' (an "
        + "array of integers)");
  }

  private ObjectNode answer(ServedModel served, float[] probabilities) {
    ExportMetadata metadata = served.model().description().metadata();
    int[] order = IntStream.range(0, probabilities.length).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> -probabilities[i])
            .thenComparingInt(i -> i))
        .limit(config.topK()).mapToInt(Integer::intValue).toArray();
    ObjectNode body = JSON.createObjectNode();
    int best = order[0];
    body.put("model_version", served.version());
    body.put("label", metadata.labelName(best));
    body.put("index", best);
    body.put("probability", probabilities[best]);
    ArrayNode top = body.putArray("top");
    for (int i : order) {
      top.addObject().put("label", metadata.labelName(i)).put("index", i)
          .put("probability", probabilities[i]);
    }
    return body;
  }

  private static ObjectNode error(String message) {
    return JSON.createObjectNode().put("error", message);
  }

  private static void reply(Response response, Callback callback, int status, JsonNode body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a JsonNode always serializes
    }
    BoundedHttpServer.answer(response, callback, status, CONTENT_TYPE, bytes);
  }

  private static final class BadRequestException extends Exception {
    final int status;

    BadRequestException(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Stops following the feed, stops the HTTP server (running requests finish on the model
   * they hold), then closes the served model and the tokenizer.
   */
  @Override
  public void close() {
    closed = true;
    try {
      feed.close();
    } finally {
      http.close();
      slot.close();
      if (tokenizer != null) {
        tokenizer.close();
      }
    }
  }
}
