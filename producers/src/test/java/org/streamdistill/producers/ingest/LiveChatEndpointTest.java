package org.streamdistill.producers.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.http.BearerToken;

/** The endpoint over real HTTP with sinks standing in for Kafka; the Kafka-backed cases are in deploy's ITs. */
class LiveChatEndpointTest {

  private static final String TOKEN = "test-token-0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private LiveChatEndpoint endpoint;

  @AfterEach
  void stop() {
    if (endpoint != null) {
      endpoint.close();
    }
  }

  private URI start(TurnSink sink, Duration ackWait) {
    endpoint = LiveChatEndpoint.start(new InetSocketAddress("127.0.0.1", 0), 4, new BearerToken(TOKEN),
        new TurnRequestParser(64), new TurnSequencer(sink, Instant::now), ackWait);
    return endpoint.baseUri();
  }

  private HttpResponse<String> post(URI base, String path, String token, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldAnswer202WithTurnIdAndIndexOnceTheSinkAcknowledged() throws Exception {
    List<DialogueTurn> written = java.util.Collections.synchronizedList(new ArrayList<>());
    URI base = start(turn -> {
      written.add(turn);
      return CompletableFuture.completedFuture(null);
    }, Duration.ofSeconds(5));

    HttpResponse<String> first = post(base, "/v1/conversations/c-1/turns", TOKEN, "{\"speaker\":\"user\",\"text\":\"hi\"}");
    HttpResponse<String> second = post(base, "/v1/conversations/c-1/turns", TOKEN, "{\"speaker\":\"agent\",\"text\":\"yo\"}");

    assertThat(first.statusCode()).isEqualTo(202);
    JsonNode body = JSON.readTree(second.body());
    assertThat(body.get("turn_index").asInt()).isEqualTo(1);
    assertThat(body.get("turn_id").asText()).isEqualTo(written.get(1).getTurnId());
    assertThat(second.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    assertThat(endpoint.stats()).isEqualTo(new LiveChatEndpoint.Stats(2, 0, 0, 0));
  }

  @Test
  void shouldAnswer401WithoutOrWithAWrongTokenBeforeLookingAtTheBody() throws Exception {
    List<DialogueTurn> written = java.util.Collections.synchronizedList(new ArrayList<>());
    URI base = start(turn -> {
      written.add(turn);
      return CompletableFuture.completedFuture(null);
    }, Duration.ofSeconds(5));

    HttpResponse<String> none = post(base, "/v1/conversations/c/turns", null, "{\"speaker\":\"user\",\"text\":\"hi\"}");
    HttpResponse<String> wrong = post(base, "/v1/conversations/c/turns", TOKEN + "x", "not even json");

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"streamdistill\"");
    assertThat(JSON.readTree(wrong.body()).get("error").asText()).isEqualTo("unauthorized");
    assertThat(written).isEmpty();
  }

  @Test
  void shouldAnswer400NamingTheField413ForHugeBodies404And405() throws Exception {
    URI base = start(turn -> CompletableFuture.completedFuture(null), Duration.ofSeconds(5));

    HttpResponse<String> badSpeaker = post(base, "/v1/conversations/c/turns", TOKEN, "{\"speaker\":\"bot\",\"text\":\"hi\"}");
    HttpResponse<String> badId = post(base, "/v1/conversations/a%20b/turns", TOKEN, "{\"speaker\":\"user\",\"text\":\"hi\"}");
    HttpResponse<String> huge = post(base, "/v1/conversations/c/turns", TOKEN, "x".repeat(10_000));
    HttpResponse<String> unknown = post(base, "/v1/other", TOKEN, "{}");
    HttpResponse<String> get = http.send(HttpRequest.newBuilder(base.resolve("/v1/conversations/c/turns"))
        .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());

    assertThat(badSpeaker.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badSpeaker.body()).get("field").asText()).isEqualTo("speaker");
    assertThat(JSON.readTree(badSpeaker.body()).get("error").asText()).isEqualTo("invalid");
    assertThat(badId.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badId.body()).get("field").asText()).isEqualTo("conversation_id");
    assertThat(huge.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(huge.body()).get("field").asText()).isEqualTo("body");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");
  }

  @Test
  void shouldAnswer503WithRetryAfterWhenTheSinkRefusesOrDoesNotAcknowledgeInTime() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean(true);
    URI base = start(turn -> {
      if (refuse.get()) {
        throw new SinkUnavailableException("1024 turns are already waiting for Kafka", null);
      }
      return new CompletableFuture<>(); // never acknowledged
    }, Duration.ofMillis(300));

    HttpResponse<String> refused = post(base, "/v1/conversations/c/turns", TOKEN, "{\"speaker\":\"user\",\"text\":\"hi\"}");
    refuse.set(false);
    long start = System.nanoTime();
    HttpResponse<String> slow = post(base, "/v1/conversations/c/turns", TOKEN, "{\"speaker\":\"user\",\"text\":\"hi\"}");
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(JSON.readTree(refused.body()).get("message").asText())
        .isEqualTo("1024 turns are already waiting for Kafka; retry later");
    assertThat(slow.statusCode()).isEqualTo(503);
    assertThat(millis).isBetween(300L, 5_000L);
    assertThat(endpoint.stats().unavailable()).isEqualTo(2);
  }

  @Test
  void shouldAnswer503WithRetryAfterAtOnceWhenEveryRequestThreadWaitsForKafka() throws Exception {
    // Given 2 request threads, no queue, and a sink that acknowledges only when told
    List<CompletableFuture<Void>> acks = java.util.Collections.synchronizedList(new ArrayList<>());
    endpoint = LiveChatEndpoint.start(new InetSocketAddress("127.0.0.1", 0),
        org.streamdistill.schemas.http.BoundedHttpServer.Limits.defaults(2).withMaxQueuedRequests(0), null,
        new BearerToken(TOKEN), new TurnRequestParser(64), new TurnSequencer(turn -> {
          CompletableFuture<Void> ack = new CompletableFuture<>();
          acks.add(ack);
          return ack;
        }, Instant::now), Duration.ofSeconds(30));
    URI base = endpoint.baseUri();
    List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      waiting.add(http.sendAsync(HttpRequest.newBuilder(base.resolve("/v1/conversations/c" + i + "/turns"))
          .header("Authorization", "Bearer " + TOKEN)
          .POST(HttpRequest.BodyPublishers.ofString("{\"speaker\":\"user\",\"text\":\"hi\"}")).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> acks.size() == 2);

    // When a third turn is posted while both wait for Kafka
    HttpResponse<String> third = post(base, "/v1/conversations/c2/turns", TOKEN, "{\"speaker\":\"user\",\"text\":\"hi\"}");

    // Then it is refused at once with the endpoint's JSON, and the two waiting ones succeed once acknowledged
    assertThat(third.statusCode()).isEqualTo(503);
    assertThat(third.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(third.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    assertThat(JSON.readTree(third.body())).isEqualTo(JSON.readTree(
        "{\"error\":\"unavailable\",\"message\":\"the endpoint is at capacity; retry later\"}"));
    acks.forEach(ack -> ack.complete(null));
    for (CompletableFuture<HttpResponse<String>> call : waiting) {
      assertThat(call.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(202);
    }
    assertThat(endpoint.stats()).isEqualTo(new LiveChatEndpoint.Stats(2, 0, 0, 0));
  }

  @Test
  void shouldAnswer413BeforeReadingABodyDeclaredLargerThanAnyTurn() throws Exception {
    // Given a client that announces 50 MB and sends 1 KB
    URI base = start(turn -> CompletableFuture.completedFuture(null), Duration.ofSeconds(5));
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", base.getPort())) {
      socket.getOutputStream().write(("POST /v1/conversations/c/turns HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
          + TOKEN + "\r\nContent-Length: 50000000\r\n\r\n" + "x".repeat(1024))
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.setSoTimeout(10_000);

      // Then it gets 413 naming the body, and the server closes the connection instead of reading on
      String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 413 ");
      JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
      assertThat(body.get("error").asText()).isEqualTo("too_large");
      assertThat(body.get("field").asText()).isEqualTo("body");
      assertThat(body.get("message").asText()).isEqualTo("request body is over " + (6 * 64 + 6 * 200 + 2048) + " bytes");
    }
    assertThat(endpoint.stats()).isEqualTo(new LiveChatEndpoint.Stats(0, 0, 1, 0));
  }
}
