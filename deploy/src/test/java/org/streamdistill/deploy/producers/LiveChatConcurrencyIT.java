package org.streamdistill.deploy.producers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamdistill.producers.ingest.IngestConfig;
import org.streamdistill.producers.ingest.LiveChatIngestion;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.records.DialogueTurn;

/**
 * 10,000 turns posted concurrently over 50 conversations (several clients posting to the
 * same conversation at once) arrive in Kafka with no loss, no duplicates and every
 * conversation in order: turn indexes 0..n-1 in offset order.
 */
class LiveChatConcurrencyIT {

  private static final int CONVERSATIONS = 50;
  private static final int TURNS = 10_000;
  private static final int CLIENT_THREADS = 48;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ProducersPlatform platform;

  @BeforeAll
  static void startPlatform() {
    platform = new ProducersPlatform();
  }

  @AfterAll
  static void stopPlatform() {
    platform.close();
  }

  private record Accepted(String conversation, String text, String turnId, int turnIndex) {}

  @Test
  void shouldWriteTenThousandConcurrentTurnsWithoutLossDuplicatesOrDisorder() throws Exception {
    // Given an endpoint and 10,000 turns over 50 conversations, in a shuffled posting order
    String namespace = platform.freshNamespace("load");
    Map<String, String> settings = LiveChatIngestionIT.settings(platform.bootstrap(), platform.registryServer.url(),
        namespace);
    settings.put(IngestConfig.HTTP_THREADS, "64");
    List<String[]> work = new ArrayList<>();
    for (int i = 0; i < TURNS; i++) {
      work.add(new String[] {"conv-" + (i % CONVERSATIONS), "turn " + i});
    }
    Collections.shuffle(work, new Random(5));
    ConcurrentLinkedQueue<String[]> queue = new ConcurrentLinkedQueue<>(work);
    List<Accepted> accepted = Collections.synchronizedList(new ArrayList<>());
    Map<Integer, Integer> otherStatuses = new ConcurrentHashMap<>();

    try (LiveChatIngestion ingestion = LiveChatIngestion.start(IngestConfig.of(settings), platform.registry)) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10)).build();
      URI base = ingestion.baseUri();

      // When 48 clients post them as fast as they are answered
      ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < CLIENT_THREADS; c++) {
        running.add(clients.submit(() -> {
          String[] next;
          while ((next = queue.poll()) != null) {
            String body = "{\"speaker\":\"user\",\"text\":\"" + next[1] + "\"}";
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create(base + "/v1/conversations/" + next[0] + "/turns"))
                .header("Authorization", "Bearer " + LiveChatIngestionIT.TOKEN)
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 202) {
              JsonNode json = JSON.readTree(response.body());
              accepted.add(new Accepted(next[0], next[1], json.get("turn_id").asText(), json.get("turn_index").asInt()));
            } else {
              otherStatuses.merge(response.statusCode(), 1, Integer::sum);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : running) {
        f.get(3, TimeUnit.MINUTES);
      }
      clients.shutdown();
    }

    // Then every turn was accepted once
    assertThat(otherStatuses).isEmpty();
    assertThat(accepted).hasSize(TURNS);

    // and Kafka holds exactly those turns: no loss, no duplicates
    String topic = Topics.TURNS.inNamespace(namespace).name();
    AvroWireCodec<DialogueTurn> codec = new AvroWireCodec<>(platform.registry, Topics.TURNS.valueSubject(),
        DialogueTurn.class);
    List<ProducersPlatform.Stored> records = platform.readRaw(topic);
    List<DialogueTurn> turns = records.stream().map(r -> codec.decode(r.value())).toList();
    assertThat(turns).hasSize(TURNS);
    assertThat(turns).extracting(DialogueTurn::getTurnId).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(accepted.stream().map(Accepted::turnId).toList());

    // and each conversation is on one partition, keyed by its id, numbered 0..199 in offset order
    Map<String, List<Integer>> indexesInOffsetOrder = new HashMap<>();
    Map<String, Set<Integer>> partitions = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      DialogueTurn turn = turns.get(i);
      assertThat(records.get(i).key()).isEqualTo(turn.getConversationId());
      indexesInOffsetOrder.computeIfAbsent(turn.getConversationId(), c -> new ArrayList<>()).add(turn.getTurnIndex());
      partitions.computeIfAbsent(turn.getConversationId(), c -> new HashSet<>()).add(records.get(i).partition());
    }
    List<Integer> expected = IntStream.range(0, TURNS / CONVERSATIONS).boxed().toList();
    assertThat(indexesInOffsetOrder).hasSize(CONVERSATIONS);
    assertThat(indexesInOffsetOrder.values()).allSatisfy(indexes -> assertThat(indexes).isEqualTo(expected));
    assertThat(partitions.values()).allSatisfy(p -> assertThat(p).hasSize(1));

    // and what each client was told matches what Kafka holds
    Map<String, DialogueTurn> byId = new HashMap<>();
    turns.forEach(t -> byId.put(t.getTurnId(), t));
    assertThat(accepted).allSatisfy(a -> {
      DialogueTurn turn = byId.get(a.turnId());
      assertThat(turn.getConversationId()).isEqualTo(a.conversation());
      assertThat(turn.getText()).isEqualTo(a.text());
      assertThat(turn.getTurnIndex()).isEqualTo(a.turnIndex());
    });
  }
}
