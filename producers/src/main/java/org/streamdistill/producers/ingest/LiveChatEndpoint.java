package org.streamdistill.producers.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.schemas.http.BearerToken;
import org.streamdistill.schemas.http.BoundedHttpServer;
import org.streamdistill.schemas.http.HttpTls;

/**
 * The HTTP side of live chat ingestion, a Jetty handler on a {@link BoundedHttpServer}:
 *
 * <pre>
 * POST /v1/conversations/{id}/turns
 * Authorization: Bearer &lt;token&gt;
 * {"speaker": "user", "text": "I lost my card", "timestamp": "2026-12-03T12:00:00Z", "gold_label": "report_lost_card"}
 * </pre>
 *
 * <p>The timestamp is optional (the server's clock when absent) and must lie within {@code
 * ingest.event-time.max-past-ms} before and {@code ingest.event-time.max-future-ms} after the
 * server's clock. A gold label the teacher does not know is accepted here and dead-lettered by
 * the teacher job, which names the label.
 *
 * <p>Answers 202 {@code {"turn_id": "...", "turn_index": n}} once Kafka acknowledged the
 * turn; 401 without the token; 400 naming the field that is wrong; 413 for a body larger
 * than any valid turn (before reading it); 408 for a body that does not arrive in time; 503
 * with {@code Retry-After} when the sink refused, Kafka did not acknowledge in time, or every
 * request thread and queue place is taken; 404 and 405 for other paths and methods. Every
 * error body is JSON {@code {"error": ..., "field": ..., "message": ...}}. Request contents
 * and the token are never logged.
 */
public final class LiveChatEndpoint implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LiveChatEndpoint.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern TURNS_PATH = Pattern.compile("/v1/conversations/([^/]*)/turns/?");
  private static final String RETRY_AFTER_SECONDS = BoundedHttpServer.RETRY_AFTER_SECONDS;
  private static final String CONTENT_TYPE = "application/json; charset=utf-8";

  /** Counts of answers by outcome, for operators and tests. */
  public record Stats(long accepted, long unauthorized, long invalid, long unavailable) {}

  private final BearerToken token;
  private final TurnRequestParser parser;
  private final TurnSequencer sequencer;
  private final Duration ackWait;
  private final Duration bodyTimeout;
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong unauthorized = new AtomicLong();
  private final AtomicLong invalid = new AtomicLong();
  private final AtomicLong unavailable = new AtomicLong();
  private final AtomicInteger active = new AtomicInteger();
  private volatile boolean closing;
  private BoundedHttpServer server;

  private LiveChatEndpoint(BearerToken token, TurnRequestParser parser, TurnSequencer sequencer, Duration ackWait,
                           Duration bodyTimeout) {
    this.token = token;
    this.parser = parser;
    this.sequencer = sequencer;
    this.ackWait = ackWait;
    this.bodyTimeout = bodyTimeout;
  }

  /** Starts serving with the default HTTP limits and {@code httpThreads} request slots. */
  public static LiveChatEndpoint start(InetSocketAddress address, int httpThreads, BearerToken token,
                                       TurnRequestParser parser, TurnSequencer sequencer, Duration ackWait) {
    return start(address, BoundedHttpServer.Limits.defaults(httpThreads), null, token, parser, sequencer, ackWait);
  }

  /**
   * Starts serving.
   *
   * @param address where to listen (port 0 picks a free one)
   * @param limits HTTP bounds; its request slots each wait for their turn's acknowledgement
   * @param tls the key store to serve HTTPS with, or null for plain HTTP
   * @param ackWait how long a request waits for the acknowledgement before 503; set it
   *     above the producer's delivery timeout so Kafka, not this wait, decides
   * @throws UncheckedIOException when the address cannot be bound
   */
  public static LiveChatEndpoint start(InetSocketAddress address, BoundedHttpServer.Limits limits, HttpTls tls,
                                       BearerToken token, TurnRequestParser parser, TurnSequencer sequencer,
                                       Duration ackWait) {
    LiveChatEndpoint endpoint = new LiveChatEndpoint(token, parser, sequencer, ackWait, limits.bodyTimeout());
    BoundedHttpServer.Busy busy = new BoundedHttpServer.Busy(CONTENT_TYPE, bytes(error("unavailable", null,
        "the endpoint is at capacity; retry later")));
    endpoint.server = BoundedHttpServer.start("ingest-http", address, limits, tls, endpoint.new TurnsHandler(), busy);
    LOG.info("live chat endpoint listening on {}", endpoint.baseUri());
    return endpoint;
  }

  public int port() {
    return server.port();
  }

  /** {@code http://host:port}, without a trailing slash. */
  public URI baseUri() {
    return server.baseUri();
  }

  public Stats stats() {
    return new Stats(accepted.get(), unauthorized.get(), invalid.get(), unavailable.get());
  }

  /** The endpoint's requests, on Jetty's request threads (blocking: each waits for Kafka). */
  private final class TurnsHandler extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      active.incrementAndGet();
      try {
        LiveChatEndpoint.this.handle(request, response, callback);
      } catch (RuntimeException e) {
        LOG.error("live chat request failed unexpectedly", e);
        if (response.isCommitted()) {
          callback.failed(e);
        } else {
          respond(response, callback, 500, error("internal", null, "internal error"));
        }
      } finally {
        active.decrementAndGet();
      }
      return true;
    }
  }

  private void handle(Request request, Response response, Callback callback) {
    if (closing) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
      respond(response, callback, 503, error("unavailable", null, "the endpoint is shutting down; retry later"));
      return;
    }
    if (!token.accepts(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
      unauthorized.incrementAndGet();
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"streamdistill\"");
      respond(response, callback, 401,
          error("unauthorized", null, "a valid bearer token is required (Authorization: Bearer <token>)"));
      return;
    }
    Matcher path = TURNS_PATH.matcher(request.getHttpURI().getPath());
    if (!path.matches()) {
      respond(response, callback, 404, error("not_found", null, "no such resource; POST /v1/conversations/{id}/turns"));
      return;
    }
    if (!"POST".equals(request.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, "POST");
      respond(response, callback, 405, error("method_not_allowed", null, "use POST"));
      return;
    }
    byte[] body;
    try {
      body = BoundedHttpServer.readBody(request, parser.maxBodyBytes(), bodyTimeout);
    } catch (BoundedHttpServer.BodyException e) {
      invalid.incrementAndGet();
      if (e.status() == 413) {
        respond(response, callback, 413, error("too_large", "body",
            InvalidTurnException.bodyTooLarge(parser.maxBodyBytes()).getMessage()));
      } else {
        respond(response, callback, e.status(), error("timeout", "body", e.getMessage()));
      }
      return;
    } catch (IOException e) {
      callback.failed(e); // the client's connection broke: nobody to answer
      return;
    }
    TurnRequest turn;
    try {
      turn = parser.parse(path.group(1), body);
    } catch (InvalidTurnException e) {
      invalid.incrementAndGet();
      respond(response, callback, e.tooLarge() ? 413 : 400,
          error(e.tooLarge() ? "too_large" : "invalid", e.field(), e.getMessage()));
      return;
    }
    accept(turn, response, callback);
  }

  private void accept(TurnRequest request, Response response, Callback callback) {
    TurnSequencer.Pending pending;
    try {
      pending = sequencer.submit(request);
    } catch (SinkUnavailableException e) {
      unavailableResponse(request, e.getMessage(), response, callback);
      return;
    }
    try {
      pending.acknowledged().get(ackWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      unavailableResponse(request, "Kafka did not acknowledge the turn: " + e.getCause().getMessage(), response,
          callback);
      return;
    } catch (TimeoutException e) {
      unavailableResponse(request, "Kafka did not acknowledge the turn within " + ackWait.toMillis() + " ms",
          response, callback);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      unavailableResponse(request, "the endpoint is shutting down", response, callback);
      return;
    }
    accepted.incrementAndGet();
    ObjectNode body = JSON.createObjectNode()
        .put("turn_id", pending.turn().getTurnId())
        .put("turn_index", pending.turn().getTurnIndex());
    respond(response, callback, 202, body);
  }

  private void unavailableResponse(TurnRequest request, String reason, Response response, Callback callback) {
    long count = unavailable.incrementAndGet();
    // One line per failure would flood the log during an outage: the 1st, then every 100th.
    if (count == 1 || count % 100 == 0) {
      LOG.warn("answering 503 ({} so far), conversation {}: {}", count, request.conversationId(), reason);
    }
    response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
    respond(response, callback, 503, error("unavailable", null, reason + "; retry later"));
  }

  private static ObjectNode error(String error, String field, String message) {
    ObjectNode node = JSON.createObjectNode().put("error", error);
    if (field != null) {
      node.put("field", field);
    }
    return node.put("message", message);
  }

  private static byte[] bytes(ObjectNode body) {
    try {
      return JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // an ObjectNode always serializes
    }
  }

  private static void respond(Response response, Callback callback, int status, ObjectNode body) {
    BoundedHttpServer.answer(response, callback, status, CONTENT_TYPE, bytes(body));
  }

  /**
   * Answers new requests with 503, lets running ones finish (waiting at most the
   * acknowledgement wait), then stops the server.
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
    server.close();
    LOG.info("live chat endpoint stopped: {}", stats());
  }
}
