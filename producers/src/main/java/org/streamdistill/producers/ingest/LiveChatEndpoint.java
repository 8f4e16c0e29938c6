package org.streamdistill.producers.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of live chat ingestion, on the JDK's built-in server:
 *
 * <pre>
 * POST /v1/conversations/{id}/turns
 * Authorization: Bearer &lt;token&gt;
 * {"speaker": "user", "text": "I lost my card", "timestamp": "2024-05-01T12:00:00Z", "gold_label": "lost_card"}
 * </pre>
 *
 * <p>Answers 202 {@code {"turn_id": "...", "turn_index": n}} once Kafka acknowledged the
 * turn; 401 without the token; 400 naming the field that is wrong; 413 for a body larger
 * than any valid turn; 503 with {@code Retry-After} when the sink refused or Kafka did not
 * acknowledge in time; 404 and 405 for other paths and methods. Every error body is JSON
 * {@code {"error": ..., "field": ..., "message": ...}}. Request contents and the token are
 * never logged.
 */
public final class LiveChatEndpoint implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LiveChatEndpoint.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern TURNS_PATH = Pattern.compile("/v1/conversations/([^/]*)/turns/?");
  private static final String RETRY_AFTER_SECONDS = "1";

  /** Counts of answers by outcome, for operators and tests. */
  public record Stats(long accepted, long unauthorized, long invalid, long unavailable) {}

  private final HttpServer server;
  private final ExecutorService threads;
  private final BearerToken token;
  private final TurnRequestParser parser;
  private final TurnSequencer sequencer;
  private final Duration ackWait;
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong unauthorized = new AtomicLong();
  private final AtomicLong invalid = new AtomicLong();
  private final AtomicLong unavailable = new AtomicLong();
  private final AtomicInteger active = new AtomicInteger();
  private volatile boolean closing;

  private LiveChatEndpoint(HttpServer server, ExecutorService threads, BearerToken token, TurnRequestParser parser,
                           TurnSequencer sequencer, Duration ackWait) {
    this.server = server;
    this.threads = threads;
    this.token = token;
    this.parser = parser;
    this.sequencer = sequencer;
    this.ackWait = ackWait;
  }

  /**
   * Starts serving.
   *
   * @param address where to listen (port 0 picks a free one)
   * @param httpThreads request threads; each waits for its turn's acknowledgement
   * @param ackWait how long a request waits for the acknowledgement before 503; set it
   *     above the producer's delivery timeout so Kafka, not this wait, decides
   */
  public static LiveChatEndpoint start(InetSocketAddress address, int httpThreads, BearerToken token,
                                       TurnRequestParser parser, TurnSequencer sequencer, Duration ackWait) {
    HttpServer server;
    try {
      server = HttpServer.create(address, 256);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(), e);
    }
    AtomicInteger counter = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(httpThreads, r -> {
      Thread thread = new Thread(r, "ingest-http-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    LiveChatEndpoint endpoint = new LiveChatEndpoint(server, threads, token, parser, sequencer, ackWait);
    server.createContext("/", endpoint::handle);
    server.setExecutor(threads);
    server.start();
    LOG.info("live chat endpoint listening on {}", endpoint.baseUri());
    return endpoint;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://host:port}, without a trailing slash. */
  public URI baseUri() {
    InetSocketAddress address = server.getAddress();
    String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
    return URI.create("http://" + host + ":" + address.getPort());
  }

  public Stats stats() {
    return new Stats(accepted.get(), unauthorized.get(), invalid.get(), unavailable.get());
  }

  private void handle(HttpExchange exchange) throws IOException {
    active.incrementAndGet();
    try (exchange) {
      if (closing) {
        exchange.getResponseHeaders().set("Retry-After", RETRY_AFTER_SECONDS);
        respond(exchange, 503, error("unavailable", null, "the endpoint is shutting down; retry later"));
        return;
      }
      if (!token.accepts(exchange.getRequestHeaders().getFirst("Authorization"))) {
        unauthorized.incrementAndGet();
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"streamdistill\"");
        respond(exchange, 401, error("unauthorized", null, "a valid bearer token is required (Authorization: Bearer <token>)"));
        return;
      }
      Matcher path = TURNS_PATH.matcher(exchange.getRequestURI().getRawPath());
      if (!path.matches()) {
        respond(exchange, 404, error("not_found", null, "no such resource; POST /v1/conversations/{id}/turns"));
        return;
      }
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "POST");
        respond(exchange, 405, error("method_not_allowed", null, "use POST"));
        return;
      }
      TurnRequest request;
      try {
        request = parser.parse(path.group(1), readBody(exchange));
      } catch (InvalidTurnException e) {
        invalid.incrementAndGet();
        respond(exchange, e.tooLarge() ? 413 : 400, error(e.tooLarge() ? "too_large" : "invalid", e.field(), e.getMessage()));
        return;
      }
      accept(exchange, request);
    } catch (RuntimeException e) {
      LOG.error("live chat request failed unexpectedly", e);
      respond(exchange, 500, error("internal", null, "internal error"));
    } finally {
      active.decrementAndGet();
    }
  }

  private void accept(HttpExchange exchange, TurnRequest request) throws IOException {
    TurnSequencer.Pending pending;
    try {
      pending = sequencer.submit(request);
    } catch (SinkUnavailableException e) {
      unavailableResponse(exchange, request, e.getMessage());
      return;
    }
    try {
      pending.acknowledged().get(ackWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      unavailableResponse(exchange, request, "Kafka did not acknowledge the turn: " + e.getCause().getMessage());
      return;
    } catch (TimeoutException e) {
      unavailableResponse(exchange, request, "Kafka did not acknowledge the turn within " + ackWait.toMillis() + " ms");
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      unavailableResponse(exchange, request, "the endpoint is shutting down");
      return;
    }
    accepted.incrementAndGet();
    ObjectNode body = JSON.createObjectNode()
        .put("turn_id", pending.turn().getTurnId())
        .put("turn_index", pending.turn().getTurnIndex());
    respond(exchange, 202, body);
  }

  private void unavailableResponse(HttpExchange exchange, TurnRequest request, String reason) throws IOException {
    long count = unavailable.incrementAndGet();
    // One line per failure would flood the log during an outage: the 1st, then every 100th.
    if (count == 1 || count % 100 == 0) {
      LOG.warn("answering 503 ({} so far), conversation {}: {}", count, request.conversationId(), reason);
    }
    exchange.getResponseHeaders().set("Retry-After", RETRY_AFTER_SECONDS);
    respond(exchange, 503, error("unavailable", null, reason + "; retry later"));
  }

  /** Reads at most one byte more than the largest valid body, whatever the client sends. */
  private byte[] readBody(HttpExchange exchange) throws IOException, InvalidTurnException {
    int limit = parser.maxBodyBytes();
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > limit) {
          throw InvalidTurnException.bodyTooLarge(limit);
        }
      } catch (NumberFormatException e) {
        throw new InvalidTurnException("body", "Content-Length '" + declared + "' is not a number");
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream(Math.min(limit, 4096));
    byte[] buffer = new byte[8192];
    try (InputStream in = exchange.getRequestBody()) {
      int read;
      while ((read = in.read(buffer)) >= 0) {
        body.write(buffer, 0, read);
        if (body.size() > limit) {
          throw InvalidTurnException.bodyTooLarge(limit);
        }
      }
    }
    return body.toByteArray();
  }

  private static ObjectNode error(String error, String field, String message) {
    ObjectNode node = JSON.createObjectNode().put("error", error);
    if (field != null) {
      node.put("field", field);
    }
    return node.put("message", message);
  }

  private static void respond(HttpExchange exchange, int status, ObjectNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /**
   * Answers new requests with 503, lets running ones finish (waiting at most the
   * acknowledgement wait), then stops the server. (Not {@code HttpServer.stop(delay)}: on
   * JDK 17 it always waits the whole delay.)
   */
  @Override
  public void close() {
    closing = true;
    long deadline = System.nanoTime() + ackWait.toNanos() + TimeUnit.SECONDS.toNanos(1);
    while (active.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    server.stop(0);
    threads.shutdown();
    try {
      if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
        threads.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      threads.shutdownNow();
    }
    LOG.info("live chat endpoint stopped: {}", stats());
  }
}
