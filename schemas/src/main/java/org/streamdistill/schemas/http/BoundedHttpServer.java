package org.streamdistill.schemas.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP endpoint on Jetty with every resource bounded: it takes the endpoint's core {@link
 * Handler} and its {@link Limits}, and serves until {@link #close()}.
 *
 * <ul>
 *   <li>At most {@code maxConcurrentRequests} requests are in the handler at once; up to {@code
 *       maxQueuedRequests} more wait (holding no thread) for at most {@code maxQueueWait}; any
 *       other request is answered at once with 503, {@code Retry-After: 1} and the endpoint's
 *       own busy body.
 *   <li>A connection must deliver a request's line and headers within {@code headerTimeout} (of
 *       connecting, or of the first byte of a later request on a kept-alive connection), else it
 *       is closed: a client sending headers byte by byte (slowloris) holds a connection only that
 *       long. Headers are at most {@code maxHeaderBytes} (431 beyond).
 *   <li>A connection silent for {@code idleTimeout} is closed; bodies are read with {@link
 *       #readBody}, which refuses more than the endpoint's maximum with 413 before reading the
 *       rest and gives up after {@code bodyTimeout}.
 *   <li>At most {@code maxConnections} connections are open; further ones wait in a bounded
 *       accept queue.
 * </ul>
 *
 * <p>Each endpoint gets its own server and thread pool, so a flood on one never takes threads
 * from another in the same process.
 */
public final class BoundedHttpServer implements AutoCloseable {

  /** What a client is told to wait, in seconds, after a 503 for load. */
  public static final String RETRY_AFTER_SECONDS = "1";

  public static final String MAX_QUEUED_REQUESTS = "http.max-queued-requests";
  public static final String MAX_QUEUE_WAIT_MS = "http.max-queue-wait-ms";
  public static final String HEADER_TIMEOUT_MS = "http.header-timeout-ms";
  public static final String BODY_TIMEOUT_MS = "http.body-timeout-ms";
  public static final String IDLE_TIMEOUT_MS = "http.idle-timeout-ms";
  public static final String MAX_HEADER_BYTES = "http.max-header-bytes";
  public static final String MAX_CONNECTIONS = "http.max-connections";

  private static final Logger LOG = LoggerFactory.getLogger(BoundedHttpServer.class);

  // Jetty's own threads: one accepts, one selects (reads headers of every connection without a
  // thread per connection); two cores do not profit from more.
  private static final int ACCEPTORS = 1;
  private static final int SELECTORS = 1;
  // Threads beyond the request slots: they write the 503s, resume queued requests and run I/O
  // callbacks, so a rejection stays quick even while every slot blocks (on Kafka, say).
  private static final int SPARE_THREADS = 4;
  // The kernel's queue of connections not yet accepted; beyond it new connections are refused.
  private static final int ACCEPT_QUEUE = 128;

  /**
   * The bounds of one server.
   *
   * @param maxConcurrentRequests requests in the handler at once (each endpoint's own thread setting)
   * @param maxQueuedRequests requests waiting for a slot; 0 answers 503 as soon as all slots are busy
   * @param maxQueueWait how long a request may wait for a slot before 503
   * @param headerTimeout how long a request's line and headers may take to arrive
   * @param bodyTimeout how long a request's body may take to arrive, after its headers
   * @param idleTimeout how long a connection may be silent
   * @param maxHeaderBytes largest request line plus headers
   * @param maxConnections open connections at most
   */
  public record Limits(int maxConcurrentRequests, int maxQueuedRequests, Duration maxQueueWait,
                       Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout, int maxHeaderBytes,
                       int maxConnections) {

    public Limits {
      requireAtLeast("maxConcurrentRequests", maxConcurrentRequests, 1);
      requireAtLeast("maxQueuedRequests", maxQueuedRequests, 0);
      requireAtLeast("maxHeaderBytes", maxHeaderBytes, 1024);
      requireAtLeast("maxConnections", maxConnections, 1);
      // Jetty reads a zero queue wait as "wait forever": the opposite of a bound.
      for (Duration d : new Duration[] {maxQueueWait, headerTimeout, bodyTimeout, idleTimeout}) {
        if (Objects.requireNonNull(d, "timeout").toMillis() < 1) {
          throw new IllegalArgumentException("HTTP timeouts must be at least 1 ms, got " + d);
        }
      }
    }

    /** The defaults of {@link #define}, with the given number of request slots. */
    public static Limits defaults(int maxConcurrentRequests) {
      return new Limits(maxConcurrentRequests, 128, Duration.ofSeconds(1), Duration.ofSeconds(10),
          Duration.ofSeconds(30), Duration.ofSeconds(30), 8 * 1024, 512);
    }

    public Limits withMaxQueuedRequests(int queued) {
      return new Limits(maxConcurrentRequests, queued, maxQueueWait, headerTimeout, bodyTimeout, idleTimeout,
          maxHeaderBytes, maxConnections);
    }

    public Limits withMaxQueueWait(Duration wait) {
      return new Limits(maxConcurrentRequests, maxQueuedRequests, wait, headerTimeout, bodyTimeout, idleTimeout,
          maxHeaderBytes, maxConnections);
    }

    public Limits withTimeouts(Duration header, Duration body, Duration idle) {
      return new Limits(maxConcurrentRequests, maxQueuedRequests, maxQueueWait, header, body, idle,
          maxHeaderBytes, maxConnections);
    }

    private static void requireAtLeast(String name, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
      }
    }
  }

  /**
   * Adds the HTTP limits under {@code prefix} (e.g. {@code "ingest."} gives {@code
   * ingest.http.header-timeout-ms}) to an app's settings: one definition for every endpoint,
   * each app with its own values.
   */
  public static ConfigDef define(ConfigDef definition, String prefix) {
    Limits d = Limits.defaults(1);
    return definition
        .define(prefix + MAX_QUEUED_REQUESTS, Type.INT, d.maxQueuedRequests(), Range.between(0, 100_000),
            Importance.LOW, "Requests waiting for a free request thread, at most; beyond, 503 with Retry-After: 1 "
                + "at once. Waiting requests hold no thread.")
        .define(prefix + MAX_QUEUE_WAIT_MS, Type.LONG, d.maxQueueWait().toMillis(), Range.between(1, 600_000),
            Importance.LOW, "How long a request may wait for a free request thread before 503 with Retry-After: 1.")
        .define(prefix + HEADER_TIMEOUT_MS, Type.LONG, d.headerTimeout().toMillis(), Range.between(10, 600_000),
            Importance.LOW, "A request's line and headers must arrive within this long (of connecting, or of its "
                + "first byte on a kept-alive connection); else the connection is closed (slow clients, slowloris).")
        .define(prefix + BODY_TIMEOUT_MS, Type.LONG, d.bodyTimeout().toMillis(), Range.between(10, 600_000),
            Importance.LOW, "A request's body must arrive within this long after its headers; else 408.")
        .define(prefix + IDLE_TIMEOUT_MS, Type.LONG, d.idleTimeout().toMillis(), Range.between(10, 3_600_000),
            Importance.LOW, "A connection with no traffic for this long is closed.")
        .define(prefix + MAX_HEADER_BYTES, Type.INT, d.maxHeaderBytes(), Range.between(1024, 1 << 20),
            Importance.LOW, "Largest request line plus headers, in bytes; larger requests get 431.")
        .define(prefix + MAX_CONNECTIONS, Type.INT, d.maxConnections(), Range.between(1, 100_000),
            Importance.LOW, "Open HTTP connections at most; further ones wait in the operating system's accept "
                + "queue.");
  }

  /** The limits defined by {@link #define} under {@code prefix}, read from parsed settings. */
  public static Limits limits(Map<String, Object> values, String prefix, int maxConcurrentRequests) {
    return new Limits(maxConcurrentRequests, (Integer) values.get(prefix + MAX_QUEUED_REQUESTS),
        Duration.ofMillis((Long) values.get(prefix + MAX_QUEUE_WAIT_MS)),
        Duration.ofMillis((Long) values.get(prefix + HEADER_TIMEOUT_MS)),
        Duration.ofMillis((Long) values.get(prefix + BODY_TIMEOUT_MS)),
        Duration.ofMillis((Long) values.get(prefix + IDLE_TIMEOUT_MS)),
        (Integer) values.get(prefix + MAX_HEADER_BYTES), (Integer) values.get(prefix + MAX_CONNECTIONS));
  }

  /** The endpoint's own answer to a request it has no room for: content type and body of the 503. */
  public record Busy(String contentType, byte[] body) {
    public static Busy of(String contentType, String body) {
      return new Busy(contentType, body.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** A request body that cannot be used: too large (413) or too slow (408). */
  public static final class BodyException extends Exception {
    private final int status;

    private BodyException(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    /** 413 or 408. */
    public int status() {
      return status;
    }
  }

  private final String name;
  private final Server server;
  private final ServerConnector connector;
  private final Limits limits;
  private final BusyAnswering qos;
  private final boolean tls;
  private final AtomicLong slowConnectionsClosed = new AtomicLong();

  private BoundedHttpServer(String name, Server server, ServerConnector connector, Limits limits,
                            BusyAnswering qos, boolean tls) {
    this.name = name;
    this.server = server;
    this.connector = connector;
    this.limits = limits;
    this.qos = qos;
    this.tls = tls;
  }

  /**
   * Binds {@code address} and serves {@code handler} within {@code limits}.
   *
   * @param name names the threads and log lines (e.g. {@code ingest-http})
   * @param busy what a request gets when there is no room for it (status 503, {@code Retry-After: 1})
   * @throws UncheckedIOException when the address cannot be bound
   */
  public static BoundedHttpServer start(String name, InetSocketAddress address, Limits limits, Handler handler,
                                        Busy busy) {
    return start(name, address, limits, null, handler, busy);
  }

  /**
   * Binds {@code address} and serves {@code handler} within {@code limits}, over TLS when {@code
   * tls} is given (HTTPS only: a plain HTTP request on that port gets no answer but a closed
   * connection).
   *
   * @param tls the endpoint's key store, or null for plain HTTP
   * @throws UncheckedIOException when the address cannot be bound
   */
  public static BoundedHttpServer start(String name, InetSocketAddress address, Limits limits, HttpTls tls,
                                        Handler handler, Busy busy) {
    int maxThreads = limits.maxConcurrentRequests() + ACCEPTORS + SELECTORS + SPARE_THREADS;
    // The pool's job queue is not where requests wait (QoSHandler below is), and its length is bounded
    // without a cap of its own: Jetty queues at most a task per connection (capped by maxConnections) plus
    // the resumption of each queued request (capped by maxQueuedRequests). A capped job queue would let
    // Jetty drop its own tasks (a resumption, a write completion) and strand requests; Jetty warns
    // against it at start-up.
    QueuedThreadPool threads = new QueuedThreadPool(maxThreads, Math.min(maxThreads, ACCEPTORS + SELECTORS + 2),
        60_000, -1, new BlockingArrayQueue<>(64, 64), null);
    threads.setName(name);
    threads.setDaemon(true);
    ScheduledExecutorScheduler scheduler = new ScheduledExecutorScheduler(name + "-scheduler", true);
    Server server = new Server(threads, scheduler, null);
    // Jetty's own error answers (a malformed request, an exception a handler let through) say the
    // status and nothing more: its default page quotes the exception's message, which may name files
    // or hosts of this machine.
    server.setErrorHandler(new StatusOnlyErrors());

    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(limits.maxHeaderBytes());
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    // Every handler here routes on the raw path and decodes segments itself (a registry subject may
    // hold an encoded '/'), so encodings Jetty calls ambiguous cannot confuse them.
    http.setUriCompliance(UriCompliance.DEFAULT.with("raw-path-routing",
        UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR, UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
        UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT, UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT));
    ServerConnector connector;
    if (tls == null) {
      connector = new ServerConnector(server, ACCEPTORS, SELECTORS, new HttpConnectionFactory(http));
    } else {
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setKeyStore(tls.keyStore());
      ssl.setKeyStorePassword(tls.keyStorePassword());
      ssl.setKeyManagerPassword(tls.keyPassword());
      // No SNI host check: clients verify the certificate against the host they asked for, and a
      // client of 127.0.0.1 sends no SNI at all, which the check would refuse.
      http.addCustomizer(new SecureRequestCustomizer(false, false, -1, false));
      connector = new ServerConnector(server, ACCEPTORS, SELECTORS,
          new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()), new HttpConnectionFactory(http));
    }
    connector.setHost(address.getHostString());
    connector.setPort(address.getPort());
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    connector.setAcceptQueueSize(ACCEPT_QUEUE);
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));

    // Why QoSHandler rather than a bounded thread-pool queue: when a bounded QueuedThreadPool queue is
    // full, Jetty can only refuse the task and close the connection (no status, no Retry-After), and it
    // may be one of Jetty's own tasks; queued tasks would also each wait for a thread. QoSHandler counts
    // requests in the handler, parks the excess without a thread in a queue of bounded length and age,
    // and answers the rest 503 with Retry-After at once, on one of the spare threads.
    BusyAnswering qos = new BusyAnswering(busy, name);
    qos.setMaxRequestCount(limits.maxConcurrentRequests());
    qos.setMaxSuspendedRequestCount(limits.maxQueuedRequests());
    qos.setMaxSuspend(limits.maxQueueWait());
    qos.setRejectStatusCode(503);
    qos.setHandler(handler);
    server.setHandler(qos);

    BoundedHttpServer bounded = new BoundedHttpServer(name, server, connector, limits, qos, tls != null);
    try {
      server.start();
    } catch (Exception e) {
      bounded.close();
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(), io);
      }
      throw new IllegalStateException("cannot start the HTTP server on " + address + ": " + e.getMessage(), e);
    }
    bounded.sweepSlowRequests(new IdentityHashMap<>());
    return bounded;
  }

  /** The bound port. */
  public int port() {
    return connector.getLocalPort();
  }

  /**
   * {@code http://host:port} ({@code https://} over TLS) without a trailing slash; the wildcard
   * address shows as 127.0.0.1.
   */
  public URI baseUri() {
    String host = connector.getHost();
    if (host == null || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = "127.0.0.1";
    }
    return URI.create((tls ? "https://" : "http://") + host + ":" + port());
  }

  /** Whether the endpoint speaks HTTPS. */
  public boolean tls() {
    return tls;
  }

  public Limits limits() {
    return limits;
  }

  /** Requests answered 503 because no slot or queue place was free, or their wait ran out. */
  public long busyRejections() {
    return qos.getTotalExceededRequestCount() + qos.getTotalExpiredRequestCount();
  }

  /** Connections closed because a request's headers did not arrive within the header timeout. */
  public long slowConnectionsClosed() {
    return slowConnectionsClosed.get();
  }

  /** Excess bodies up to this size are read and discarded before the 413, larger ones are not. */
  static final long DRAIN_LIMIT_BYTES = 1 << 20;

  /**
   * Reads a whole request body of at most {@code maxBytes}, in the calling (request) thread.
   * A declared {@code Content-Length} above the limit is refused before a byte is read; a
   * chunked body is refused as soon as it passes the limit; the rest is never read (Jetty then
   * closes the connection).
   *
   * @throws BodyException 413 over the limit, 408 when the body takes longer than {@code timeout}
   * @throws IOException when the client's connection fails while sending
   */
  public static byte[] readBody(Request request, int maxBytes, Duration timeout) throws BodyException, IOException {
    long declared = request.getLength();
    long deadline = System.nanoTime() + timeout.toNanos();
    if (declared > maxBytes) {
      if (declared <= DRAIN_LIMIT_BYTES) {
        // Read a modest excess to the end before refusing it: answering 413 mid-upload and closing
        // makes the client's TCP stack drop the answer (the client sees "no bytes"), and the
        // connection stays usable. Larger bodies are refused at once and the connection closed.
        readChunks(request, deadline, timeout, bytes -> {});
      }
      throw tooLarge(maxBytes);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream((int) Math.min(maxBytes, declared >= 0 ? declared : 4096));
    readChunks(request, deadline, timeout, bytes -> {
      if (body.size() + bytes.remaining() > maxBytes) {
        throw tooLarge(maxBytes);
      }
      byte[] copy = new byte[bytes.remaining()];
      bytes.get(copy);
      body.write(copy, 0, copy.length);
    });
    return body.toByteArray();
  }

  /** What {@link #readChunks} does with each chunk's bytes; may refuse the body. */
  @FunctionalInterface
  private interface ChunkSink {
    void accept(ByteBuffer bytes) throws BodyException;
  }

  /** Reads the body to its last chunk, waiting for content until {@code deadline}. */
  private static void readChunks(Request request, long deadline, Duration timeout, ChunkSink sink)
      throws BodyException, IOException {
    while (true) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        awaitContent(request, deadline, timeout);
        continue;
      }
      try {
        if (Content.Chunk.isFailure(chunk)) {
          throw new IOException("request body failed: " + chunk.getFailure().getMessage(), chunk.getFailure());
        }
        sink.accept(chunk.getByteBuffer());
        if (chunk.isLast()) {
          return;
        }
      } finally {
        chunk.release();
      }
    }
  }

  private static void awaitContent(Request request, long deadline, Duration timeout)
      throws BodyException, IOException {
    CompletableFuture<Void> available = new CompletableFuture<>();
    request.demand(() -> available.complete(null));
    try {
      available.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new BodyException(408, "request body did not arrive within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading a request body");
    } catch (ExecutionException e) {
      throw new IOException(e.getCause()); // the demand callback only completes normally
    }
  }

  private static BodyException tooLarge(int maxBytes) {
    return new BodyException(413, "request body is larger than " + maxBytes + " bytes");
  }

  /** Writes a complete answer with a Content-Length and completes {@code callback}. */
  public static void answer(Response response, Callback callback, int status, String contentType, byte[] body) {
    // A request whose body was not read to the end (refused as too large or too slow, or answered
    // before its body mattered) leaves the connection unusable: say so, or a client that reuses
    // pooled connections sends its next request into a socket the server is about to close.
    if (status == 408 || !response.getRequest().consumeAvailable()) {
      response.getHeaders().put(HttpHeader.CONNECTION, org.eclipse.jetty.http.HttpHeaderValue.CLOSE.asString());
    }
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  /**
   * Closes connections whose request headers are overdue, then schedules itself again. Jetty
   * itself only has an idle timeout, which a client sending a byte now and then never reaches.
   * {@code seen} holds what each connection had done at the previous sweep; only the scheduler's
   * thread touches it.
   */
  private void sweepSlowRequests(Map<EndPoint, Progress> seen) {
    if (!server.isRunning()) {
      return;
    }
    long headerTimeout = limits.headerTimeout().toMillis();
    long now = System.currentTimeMillis();
    Map<EndPoint, Progress> next = new IdentityHashMap<>();
    for (EndPoint endPoint : connector.getConnectedEndPoints()) {
      Connection connection = endPoint.getConnection();
      if (connection instanceof SslConnection ssl) {
        // Over TLS the HTTP connection sits on the decrypted end point; its counts are the requests'.
        Connection decrypted = ssl.getSslEndPoint().getConnection();
        connection = decrypted != null ? decrypted : connection;
      }
      if (connection == null) {
        continue;
      }
      long requests = connection.getMessagesIn();
      long responses = connection.getMessagesOut();
      long bytes = connection.getBytesIn();
      long partialSince = -1;
      if (requests == 0) {
        partialSince = endPoint.getCreatedTimeStamp(); // the first request is due from connecting
      } else {
        Progress before = seen.get(endPoint);
        // Between requests (every request answered) and no new request since the previous sweep:
        // bytes that arrived meanwhile are a request whose headers have not completed.
        boolean waiting = before != null && requests == before.requests() && responses >= requests
            && before.responses() >= before.requests();
        if (waiting && before.partialSince() >= 0) {
          partialSince = before.partialSince();
        } else if (waiting && bytes > before.bytes()) {
          partialSince = now;
        }
      }
      if (partialSince >= 0 && now - partialSince >= headerTimeout) {
        long closed = slowConnectionsClosed.incrementAndGet();
        if (closed == 1 || closed % 100 == 0) {
          LOG.warn("{}: closed a connection from {} whose request headers took over {} ms ({} so far)", name,
              endPoint.getRemoteSocketAddress(), headerTimeout, closed);
        }
        endPoint.close(new TimeoutException("request headers not received within " + headerTimeout + " ms"));
      } else {
        next.put(endPoint, new Progress(requests, responses, bytes, partialSince));
      }
    }
    long period = Math.max(10, headerTimeout / 4);
    try {
      server.getScheduler().schedule(() -> sweepSlowRequests(next), period, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      // the scheduler refuses once the server stops: nothing left to sweep
    }
  }

  /** What a connection had done at a sweep; {@code partialSince} is -1 when no request is overdue-able. */
  private record Progress(long requests, long responses, long bytes, long partialSince) {}

  /** Stops accepting, closes every connection and stops the threads. */
  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("{}: stopping the HTTP server failed: {}", name, e.getMessage(), e);
    }
  }

  /** Answers Jetty's errors with {@code <status> <reason>} in plain text, never a message or a stack. */
  private static final class StatusOnlyErrors implements Request.Handler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      int status = response.getStatus();
      byte[] body = (status + " " + org.eclipse.jetty.http.HttpStatus.getMessage(status) + "\n")
          .getBytes(StandardCharsets.UTF_8);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
      response.write(true, ByteBuffer.wrap(body), callback);
      return true;
    }
  }

  /** Jetty's QoSHandler, with the endpoint's own 503 body and {@code Retry-After}. */
  private static final class BusyAnswering extends QoSHandler {
    private final Busy busy;
    private final String name;
    private final AtomicLong logged = new AtomicLong();

    BusyAnswering(Busy busy, String name) {
      this.busy = busy;
      this.name = name;
    }

    @Override
    protected void reject(Request request, Response response, Callback callback, int status) {
      answerBusy(response, callback);
    }

    @Override
    protected void failSuspended(Request request, Response response, Callback callback, int status,
                                 Throwable failure) {
      if (status == 503 && !response.isCommitted()) {
        answerBusy(response, callback);
      } else {
        super.failSuspended(request, response, callback, status, failure);
      }
    }

    private void answerBusy(Response response, Callback callback) {
      long count = logged.incrementAndGet();
      // One line per rejection would flood the log during the very overload it reports.
      if (count == 1 || count % 100 == 0) {
        LOG.warn("{}: at capacity, answering 503 ({} so far)", name, count);
      }
      response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
      answer(response, callback, 503, busy.contentType(), busy.body());
    }
  }
}
