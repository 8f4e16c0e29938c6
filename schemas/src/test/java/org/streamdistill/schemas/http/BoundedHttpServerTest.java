package org.streamdistill.schemas.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bounds of {@link BoundedHttpServer} over real loopback connections: slow headers, idle
 * connections, floods beyond the request slots and oversized or slow bodies.
 */
class BoundedHttpServerTest {

  private static final int MAX_BODY = 1024;
  private static final BoundedHttpServer.Busy BUSY = BoundedHttpServer.Busy.of("text/plain; charset=utf-8",
      "busy; retry later\n");

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final List<AutoCloseable> closeAtEnd = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeAtEnd) {
      c.close();
    }
  }

  /** {@code /block} waits for {@link #release}; {@code /echo} reads the body; anything else answers "ok". */
  private static final class TestHandler extends Handler.Abstract {
    final AtomicInteger entered = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    private final Duration bodyTimeout;

    TestHandler(Duration bodyTimeout) {
      this.bodyTimeout = bodyTimeout;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String path = request.getHttpURI().getPath();
      if (path.equals("/block")) {
        entered.incrementAndGet();
        boolean released = release.await(30, TimeUnit.SECONDS);
        text(response, callback, 200, released ? "released" : "not released");
      } else if (path.equals("/echo")) {
        try {
          byte[] body = BoundedHttpServer.readBody(request, MAX_BODY, bodyTimeout);
          text(response, callback, 200, "read " + body.length);
        } catch (BoundedHttpServer.BodyException e) {
          text(response, callback, e.status(), e.getMessage());
        }
      } else {
        text(response, callback, 200, "ok");
      }
      return true;
    }

    private static void text(Response response, Callback callback, int status, String body) {
      BoundedHttpServer.answer(response, callback, status, "text/plain; charset=utf-8",
          body.getBytes(StandardCharsets.UTF_8));
    }
  }

  private BoundedHttpServer start(BoundedHttpServer.Limits limits, TestHandler handler) {
    BoundedHttpServer server = BoundedHttpServer.start("test-http", new InetSocketAddress("127.0.0.1", 0), limits,
        handler, BUSY);
    closeAtEnd.add(0, server);
    return server;
  }

  private HttpResponse<String> get(BoundedHttpServer server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(server.baseUri().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private Socket connect(BoundedHttpServer server) throws IOException {
    Socket socket = new Socket("127.0.0.1", server.port());
    closeAtEnd.add(socket);
    return socket;
  }

  /** True when the server closed the connection: end of stream or a reset. */
  private static boolean closedByServer(Socket socket) {
    try {
      socket.setSoTimeout(1);
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** Reads what the server sends until it closes the connection (at most 10 s). */
  private static String readUntilClosed(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void shouldCloseAConnectionWhoseHeadersTrickleInWhileAnsweringANormalRequest() throws Exception {
    // Given a server with a 1 s header timeout and a 30 s idle timeout
    Duration headerTimeout = Duration.ofSeconds(1);
    BoundedHttpServer server = start(BoundedHttpServer.Limits.defaults(2)
        .withTimeouts(headerTimeout, Duration.ofSeconds(30), Duration.ofSeconds(30)), new TestHandler(Duration.ofSeconds(5)));

    // When a client sends its request line, then one header byte every 50 ms (never idle for long)
    byte[] headers = ("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "a".repeat(2000) + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    Socket slow = connect(server);
    long connected = System.nanoTime();
    OutputStream out = slow.getOutputStream();
    out.write(headers, 0, 20);
    out.flush();
    AtomicInteger sent = new AtomicInteger(20);

    // Then a normal request to the same server is answered meanwhile
    HttpResponse<String> normal = get(server, "/hello");
    assertThat(normal.statusCode()).isEqualTo(200);
    assertThat(normal.body()).isEqualTo("ok");

    // And the slow connection is closed once its headers are overdue, long before it could finish them
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
      try {
        out.write(headers[sent.getAndIncrement()]);
        out.flush();
      } catch (IOException e) {
        return true;
      }
      return closedByServer(slow);
    });
    long aliveMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connected);
    assertThat(aliveMillis).isGreaterThanOrEqualTo(headerTimeout.toMillis());
    assertThat(sent.get()).isLessThan(headers.length);
    assertThat(server.slowConnectionsClosed()).isEqualTo(1);
    assertThat(get(server, "/hello").statusCode()).isEqualTo(200);
  }

  @Test
  void shouldCloseAKeptAliveConnectionWhoseNextRequestTrickles() throws Exception {
    // Given a connection that got one answer quickly
    BoundedHttpServer server = start(BoundedHttpServer.Limits.defaults(2)
        .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(30)),
        new TestHandler(Duration.ofSeconds(5)));
    Socket socket = connect(server);
    OutputStream out = socket.getOutputStream();
    out.write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    socket.setSoTimeout(10_000);
    InputStream in = socket.getInputStream();
    byte[] first = new byte[4096];
    int read = in.read(first);
    assertThat(new String(first, 0, read, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200 ");

    // When its second request trickles in a byte every 50 ms
    byte[] next = ("GET /b HTTP/1.1\r\nHost: x\r\nX-Slow: " + "b".repeat(2000) + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    AtomicInteger sent = new AtomicInteger();

    // Then the server closes it before the headers are complete
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
      try {
        out.write(next[sent.getAndIncrement()]);
        out.flush();
      } catch (IOException e) {
        return true;
      }
      return closedByServer(socket);
    });
    assertThat(sent.get()).isLessThan(next.length);
    assertThat(server.slowConnectionsClosed()).isEqualTo(1);
  }

  @Test
  void shouldCloseASilentKeptAliveConnectionAfterTheIdleTimeout() throws Exception {
    // Given an idle timeout of 300 ms and a connection that got its answer
    BoundedHttpServer server = start(BoundedHttpServer.Limits.defaults(2)
        .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMillis(300)),
        new TestHandler(Duration.ofSeconds(5)));
    Socket socket = connect(server);
    socket.getOutputStream().write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

    // When the client then stays silent, the server closes the connection: the answer, then end of stream
    String everything = readUntilClosed(socket);

    assertThat(everything).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\nok");
    assertThat(server.slowConnectionsClosed()).isZero();
  }

  @Test
  void shouldAnswer503WithRetryAfterBeyondSlotsAndQueueAndRecoverAfterwards() throws Exception {
    // Given 2 request slots and 2 queue places, and a handler that blocks until released
    TestHandler handler = new TestHandler(Duration.ofSeconds(5));
    BoundedHttpServer server = start(BoundedHttpServer.Limits.defaults(2).withMaxQueuedRequests(2)
        .withMaxQueueWait(Duration.ofSeconds(30)), handler);
    TestHandler otherHandler = new TestHandler(Duration.ofSeconds(5));
    BoundedHttpServer other = start(BoundedHttpServer.Limits.defaults(2), otherHandler);

    // When 10 clients call it at once
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(http.sendAsync(HttpRequest.newBuilder(server.baseUri().resolve("/block"))
          .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    // Then 2 run, 2 wait, and the other 6 are answered 503 at once, without waiting for a slot
    await().atMost(Duration.ofSeconds(10))
        .until(() -> calls.stream().filter(CompletableFuture::isDone).count() == 6 && handler.entered.get() == 2);
    List<HttpResponse<String>> rejected = calls.stream().filter(CompletableFuture::isDone)
        .map(CompletableFuture::join).toList();
    assertThat(rejected).hasSize(6).allSatisfy(r -> {
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
      assertThat(r.body()).isEqualTo("busy; retry later\n");
    });
    assertThat(server.busyRejections()).isEqualTo(6);
    // And another server in the same process is not affected
    assertThat(get(other, "/hello").statusCode()).isEqualTo(200);

    // When the blocked requests are released, the 4 admitted ones succeed, and later requests too
    handler.release.countDown();
    Map<Integer, Integer> statuses = new TreeMap<>();
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      statuses.merge(call.get(30, TimeUnit.SECONDS).statusCode(), 1, Integer::sum);
    }
    assertThat(statuses).isEqualTo(Map.of(200, 4, 503, 6));
    assertThat(handler.entered.get()).isEqualTo(4);
    assertThat(get(server, "/hello").statusCode()).isEqualTo(200);
    assertThat(server.busyRejections()).isEqualTo(6);
  }

  @Test
  void shouldAnswer503WhenARequestWaitedTooLongForASlot() throws Exception {
    // Given one slot, held, and one queue place with a wait of 200 ms
    TestHandler handler = new TestHandler(Duration.ofSeconds(5));
    BoundedHttpServer server = start(BoundedHttpServer.Limits.defaults(1).withMaxQueuedRequests(1)
        .withMaxQueueWait(Duration.ofMillis(200)), handler);
    CompletableFuture<HttpResponse<String>> holder = http.sendAsync(HttpRequest.newBuilder(
        server.baseUri().resolve("/block")).build(), HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(10)).until(() -> handler.entered.get() == 1);

    // When another request comes, it waits, then is answered 503 with Retry-After
    HttpResponse<String> waited = get(server, "/hello");

    assertThat(waited.statusCode()).isEqualTo(503);
    assertThat(waited.headers().firstValue("Retry-After")).hasValue("1");
    handler.release.countDown();
    assertThat(holder.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(server.busyRejections()).isEqualTo(1);
  }

  @Test
  void shouldAnswer413WithoutReadingTheRestOfAnOversizedBody() throws Exception {
    BoundedHttpServer server = start(BoundedHttpServer.Limits.defaults(2), new TestHandler(Duration.ofSeconds(5)));

    // Given a client that announces 100 MB and sends only 2 KB of it
    Socket socket = connect(server);
    OutputStream out = socket.getOutputStream();
    out.write(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.write(new byte[2048]);
    out.flush();

    // Then it gets 413 at once and the connection is closed: the rest is never awaited
    String answer = readUntilClosed(socket);
    assertThat(answer).startsWith("HTTP/1.1 413 ").endsWith("request body is larger than 1024 bytes");
    // and says so, so that a client pooling connections does not send its next request into it
    assertThat(answer).containsIgnoringCase("\r\nConnection: close\r\n");

    // And a chunked body (no declared length) is cut off as soon as it passes the limit
    HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(server.baseUri().resolve("/echo"))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[MAX_BODY + 1])))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(chunked.statusCode()).isEqualTo(413);
    // And a body at the limit is read whole
    HttpResponse<String> fits = http.send(HttpRequest.newBuilder(server.baseUri().resolve("/echo"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[MAX_BODY])).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(fits.statusCode()).isEqualTo(200);
    assertThat(fits.body()).isEqualTo("read 1024");
  }

  @Test
  void shouldAnswer408ForABodyThatStopsAnd431ForHugeHeaders() throws Exception {
    BoundedHttpServer server = start(BoundedHttpServer.Limits.defaults(2), new TestHandler(Duration.ofMillis(300)));

    // Given a client that announces 10 bytes of body and sends 2
    Socket socket = connect(server);
    socket.getOutputStream().write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab"
        .getBytes(StandardCharsets.US_ASCII));

    // Then it gets 408 once the body timeout passed
    assertThat(readUntilClosed(socket)).startsWith("HTTP/1.1 408 ")
        .endsWith("request body did not arrive within 300 ms");

    // And headers over the limit get 431
    HttpResponse<String> huge = http.send(HttpRequest.newBuilder(server.baseUri().resolve("/hello"))
        .header("X-Big", "x".repeat(10_000)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(huge.statusCode()).isEqualTo(431);
  }

  @Test
  void shouldRefuseLimitsThatWouldNotBound() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> BoundedHttpServer.Limits.defaults(1)
            .withMaxQueueWait(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("HTTP timeouts must be at least 1 ms, got PT0S");
  }
}
