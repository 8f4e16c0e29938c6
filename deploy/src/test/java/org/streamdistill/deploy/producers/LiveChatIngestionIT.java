package org.streamdistill.deploy.producers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamdistill.deploy.platform.EmbeddedKafka;
import org.streamdistill.deploy.platform.TopicProvisioner;
import org.streamdistill.producers.ingest.IngestConfig;
import org.streamdistill.producers.ingest.LiveChatIngestion;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.topic.Topics;

/**
 * The live chat endpoint over real HTTP (java.net.http) writing to the embedded broker:
 * every status code it answers, and index recovery across a restart.
 */
class LiveChatIngestionIT {

  static final String TOKEN = "it-token-0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ProducersPlatform platform;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private String namespace;

  @BeforeAll
  static void startPlatform() {
    platform = new ProducersPlatform();
  }

  @AfterAll
  static void stopPlatform() {
    platform.close();
  }

  @BeforeEach
  void freshNamespace() {
    namespace = platform.freshNamespace("live");
  }

  static Map<String, String> settings(String bootstrap, String registryUrl, String namespace) {
    Map<String, String> settings = new HashMap<>();
    settings.put(IngestConfig.BOOTSTRAP_SERVERS, bootstrap);
    settings.put(IngestConfig.REGISTRY_URL, registryUrl);
    settings.put(IngestConfig.NAMESPACE, namespace);
    settings.put(IngestConfig.PORT, "0");
    settings.put(IngestConfig.TOKEN, TOKEN);
    settings.put(IngestConfig.MAX_TEXT_BYTES, "100");
    return settings;
  }

  private LiveChatIngestion start(Map<String, String> overrides) {
    Map<String, String> settings = settings(platform.bootstrap(), platform.registryServer.url(), namespace);
    settings.putAll(overrides);
    return LiveChatIngestion.start(IngestConfig.of(settings), platform.registry);
  }

  private HttpResponse<String> post(URI base, String conversation, String token, byte[] body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v1/conversations/" + conversation + "/turns"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(URI base, String conversation, String json) throws Exception {
    return post(base, conversation, TOKEN, json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldAnswer202WithTheTurnIdOnlyOnceTheTurnIsInKafka() throws Exception {
    try (LiveChatIngestion ingestion = start(Map.of())) {
      // When a turn is posted
      long before = System.currentTimeMillis();
      Instant spoken = Instant.ofEpochMilli(before).minusSeconds(90).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      HttpResponse<String> response = post(ingestion.baseUri(), "conv-42",
          "{\"speaker\":\"user\",\"text\":\"I lost my card\",\"timestamp\":\"" + spoken
              + "\",\"gold_label\":\"report_lost_card\"}");

      long after = System.currentTimeMillis();

      // Then the answer is 202 with the id and index, and the turn is already in the topic, keyed by
      // conversation, stamped with the time it was accepted (its event time is in the value)
      assertThat(response.statusCode()).isEqualTo(202);
      JsonNode body = JSON.readTree(response.body());
      assertThat(body.get("turn_index").asInt()).isZero();
      List<DialogueTurn> turns = platform.readTurns(namespace);
      assertThat(turns).containsExactly(DialogueTurn.newBuilder()
          .setTurnId(body.get("turn_id").asText()).setConversationId("conv-42").setTurnIndex(0).setSpeaker("user")
          .setText("I lost my card").setEventTime(spoken).setSource("live-chat")
          .setGoldLabel("report_lost_card").setHeldOut(false).build());
      assertThat(platform.readRaw(Topics.TURNS.inNamespace(namespace).name()))
          .singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("conv-42");
            assertThat(r.timestamp()).isBetween(before, after);
          });
      assertThat(ingestion.stats().accepted()).isEqualTo(1);
    }
  }

  @Test
  void shouldAnswer400ForATimestampBefore1970OrAnHourAheadAndWriteNothing() throws Exception {
    try (LiveChatIngestion ingestion = start(Map.of())) {
      HttpResponse<String> before1970 = post(ingestion.baseUri(), "conv-b",
          "{\"speaker\":\"user\",\"text\":\"what is my balance\",\"timestamp\":\"1969-12-31T23:59:59Z\"}");
      HttpResponse<String> ahead = post(ingestion.baseUri(), "conv-b",
          "{\"speaker\":\"user\",\"text\":\"what is my balance\",\"timestamp\":"
              + (System.currentTimeMillis() + 3_600_000L) + "}");

      assertThat(before1970.statusCode()).isEqualTo(400);
      assertThat(JSON.readTree(before1970.body()).get("field").asText()).isEqualTo("timestamp");
      assertThat(JSON.readTree(before1970.body()).get("message").asText()).contains("before 1970-01-01T00:00:00Z");
      assertThat(ahead.statusCode()).isEqualTo(400);
      assertThat(JSON.readTree(ahead.body()).get("message").asText()).contains("more than 5 minutes after");
      assertThat(platform.readTurns(namespace)).isEmpty();
    }
  }

  @Test
  void shouldAnswer401WithoutOrWithAWrongTokenAndWriteNothing() throws Exception {
    try (LiveChatIngestion ingestion = start(Map.of())) {
      byte[] body = "{\"speaker\":\"user\",\"text\":\"hi\"}".getBytes(StandardCharsets.UTF_8);

      HttpResponse<String> without = post(ingestion.baseUri(), "c1", null, body);
      HttpResponse<String> wrong = post(ingestion.baseUri(), "c1", "it-token-0123456789abcdeX", body);

      assertThat(without.statusCode()).isEqualTo(401);
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(JSON.readTree(wrong.body()).get("error").asText()).isEqualTo("unauthorized");
      assertThat(wrong.body()).doesNotContain(TOKEN);
      assertThat(platform.readTurns(namespace)).isEmpty();
    }
  }

  @Test
  void shouldAnswer400NamingTheFieldForEveryKindOfBadInputAndWriteNothing() throws Exception {
    byte[] invalidUtf8 = concat("{\"speaker\":\"user\",\"text\":\"caf".getBytes(StandardCharsets.UTF_8),
        new byte[] {(byte) 0xE9}, "\"}".getBytes(StandardCharsets.UTF_8)); // Latin-1 é: not UTF-8
    Map<String, byte[]> bodies = new java.util.LinkedHashMap<>();
    bodies.put("text/missing", utf8("{\"speaker\":\"user\"}"));
    bodies.put("text/too long", utf8("{\"speaker\":\"user\",\"text\":\"" + "x".repeat(101) + "\"}"));
    bodies.put("text/invalid UTF-8", invalidUtf8);
    bodies.put("speaker/unknown", utf8("{\"speaker\":\"robot\",\"text\":\"hi\"}"));
    bodies.put("timestamp/unparseable", utf8("{\"speaker\":\"user\",\"text\":\"hi\",\"timestamp\":\"last tuesday\"}"));
    bodies.put("body/malformed JSON", utf8("{\"speaker\":\"user\",\"text\":\"hi\""));
    try (LiveChatIngestion ingestion = start(Map.of())) {
      SoftAssertions softly = new SoftAssertions();
      for (Map.Entry<String, byte[]> entry : bodies.entrySet()) {
        HttpResponse<String> response = post(ingestion.baseUri(), "c1", TOKEN, entry.getValue());
        String field = entry.getKey().substring(0, entry.getKey().indexOf('/'));
        softly.assertThat(response.statusCode()).as(entry.getKey()).isEqualTo(400);
        softly.assertThat(JSON.readTree(response.body()).path("field").asText()).as(entry.getKey()).isEqualTo(field);
      }
      HttpResponse<String> badId = post(ingestion.baseUri(), "bad$id", "{\"speaker\":\"user\",\"text\":\"hi\"}");
      softly.assertThat(badId.statusCode()).isEqualTo(400);
      softly.assertThat(JSON.readTree(badId.body()).path("field").asText()).isEqualTo("conversation_id");
      softly.assertThat(JSON.readTree(post(ingestion.baseUri(), "c1", TOKEN, invalidUtf8).body()).get("message")
          .asText()).isEqualTo("text is not valid UTF-8: malformed byte sequence at byte 29 of the request body");
      // Last: the server answers 413 without reading the body and closes that connection, which the
      // client's pool may not have noticed before its next request (see the closing note).
      HttpResponse<String> huge = post(ingestion.baseUri(), "c1", TOKEN, new byte[20_000]);
      softly.assertThat(huge.statusCode()).isEqualTo(413);
      softly.assertAll();

      assertThat(ingestion.stats().invalid()).isEqualTo(9);
      assertThat(platform.readTurns(namespace)).isEmpty();
    }
  }

  @Test
  void shouldAnswer503QuicklyWhenKafkaIsUnreachable() throws Exception {
    // Given an endpoint whose Kafka does not exist (the registry is up): its port is bound by a
    // socket that does not listen, so connections are refused and nothing else can take it meanwhile
    try (Socket dead = new Socket()) {
      dead.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try (LiveChatIngestion ingestion = start(Map.of(IngestConfig.BOOTSTRAP_SERVERS,
          "127.0.0.1:" + dead.getLocalPort(), IngestConfig.RECOVER_INDEXES, "false", IngestConfig.MAX_BLOCK_MS,
          "1000"))) {
        // When a turn is posted
        long start = System.nanoTime();
        HttpResponse<String> response = post(ingestion.baseUri(), "c1", "{\"speaker\":\"user\",\"text\":\"hi\"}");
        long millis = (System.nanoTime() - start) / 1_000_000;

        // Then it is refused with 503 within the bounded wait, and the index was not used
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("unavailable");
        assertThat(millis).isLessThan(5_000);
        assertThat(ingestion.sequencer().nextIndex("c1")).isZero();
      }
    }
  }

  @Test
  void shouldAnswer503WhenTheBrokerGoesAwayAfterStartAndHoldNoTurnAfterwards() throws Exception {
    // Given an endpoint on its own broker that has already written a turn (metadata cached)
    EmbeddedKafka own = EmbeddedKafka.start();
    try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", own.bootstrapServers()))) {
      new TopicProvisioner(admin).provision(namespace);
    }
    try (LiveChatIngestion ingestion = start(Map.of(IngestConfig.BOOTSTRAP_SERVERS, own.bootstrapServers(),
        IngestConfig.DELIVERY_TIMEOUT_MS, "2000", IngestConfig.MAX_BLOCK_MS, "1000"))) {
      assertThat(post(ingestion.baseUri(), "c1", "{\"speaker\":\"user\",\"text\":\"one\"}").statusCode()).isEqualTo(202);

      // When the broker stops and another turn is posted
      own.close();
      long start = System.nanoTime();
      HttpResponse<String> response = post(ingestion.baseUri(), "c1", "{\"speaker\":\"user\",\"text\":\"two\"}");
      long millis = (System.nanoTime() - start) / 1_000_000;

      // Then the client gets 503 within the bounded waits (max.block.ms, delivery timeout), not a hang
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(millis).isLessThan(8_000);
      assertThat(ingestion.stats().unavailable()).isEqualTo(1);
    } finally {
      own.close();
    }
  }

  @Test
  void shouldContinueEachConversationsNumberingAfterARestart() throws Exception {
    // Given three turns of one conversation and one of another, written by an endpoint that then stops
    try (LiveChatIngestion first = start(Map.of())) {
      for (String text : List.of("a", "b", "c")) {
        assertThat(post(first.baseUri(), "alpha", "{\"speaker\":\"user\",\"text\":\"" + text + "\"}").statusCode())
            .isEqualTo(202);
      }
      assertThat(post(first.baseUri(), "beta", "{\"speaker\":\"agent\",\"text\":\"d\"}").statusCode()).isEqualTo(202);
    }

    // When a new endpoint starts on the same topic and each conversation gets one more turn
    try (LiveChatIngestion second = start(Map.of())) {
      JsonNode alpha = JSON.readTree(post(second.baseUri(), "alpha", "{\"speaker\":\"user\",\"text\":\"e\"}").body());
      JsonNode beta = JSON.readTree(post(second.baseUri(), "beta", "{\"speaker\":\"user\",\"text\":\"f\"}").body());
      JsonNode gamma = JSON.readTree(post(second.baseUri(), "gamma", "{\"speaker\":\"user\",\"text\":\"g\"}").body());

      // Then numbering continues where the topic left it
      assertThat(alpha.get("turn_index").asInt()).isEqualTo(3);
      assertThat(beta.get("turn_index").asInt()).isEqualTo(1);
      assertThat(gamma.get("turn_index").asInt()).isZero();
    }
    assertThat(platform.readTurns(namespace)).extracting(t -> t.getConversationId() + ":" + t.getTurnIndex())
        .containsExactlyInAnyOrder("alpha:0", "alpha:1", "alpha:2", "alpha:3", "beta:0", "beta:1", "gamma:0");
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }
}
