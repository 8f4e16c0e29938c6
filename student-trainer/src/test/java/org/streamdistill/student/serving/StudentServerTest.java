package org.streamdistill.student.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.streamdistill.student.model.TextCnn;

class StudentServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private final ManualFeed feed = new ManualFeed();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private StudentServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void shouldSwapModelsUnderConcurrentRequestsWithoutDroppingAny() throws Exception {
    // Given a server on version 1 with four clients sending requests back to back
    TextCnn modelA = ExportedModels.model(1);
    TextCnn modelB = ExportedModels.model(2);
    Path a = ExportedModels.export(modelA, "student-v1", dir);
    Path b = ExportedModels.export(modelB, "student-v2", dir);
    server = start(null);
    feed.publish("student-v1", a);
    int clients = 4;
    List<List<Answer>> answers = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      answers.add(Collections.synchronizedList(new ArrayList<>()));
    }
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<?>> running = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      List<Answer> mine = answers.get(c);
      SplittableRandom random = new SplittableRandom(c);
      running.add(pool.submit(() -> {
        while (!stop.get()) {
          mine.add(post("{\"token_ids\": " + Arrays.toString(randomTurn(random)) + "}"));
        }
        return null;
      }));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> count(answers, "student-v1") >= 200);

    // When version 2 is promoted while they run
    feed.publish("student-v2", b);
    await().atMost(Duration.ofSeconds(60)).until(() -> answers.stream()
        .allMatch(list -> countIn(list, "student-v2") >= 50));
    stop.set(true);
    for (Future<?> f : running) {
      f.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();

    // Then every request succeeded, and each client saw version 1 up to the swap, then only 2
    for (List<Answer> list : answers) {
      assertThat(list).extracting(Answer::status).containsOnly(200);
      List<String> versions = list.stream().map(Answer::version).toList();
      int firstB = versions.indexOf("student-v2");
      assertThat(firstB).as("first answer of version 2").isPositive();
      assertThat(versions.subList(0, firstB)).containsOnly("student-v1");
      assertThat(versions.subList(firstB, versions.size())).containsOnly("student-v2");
    }
    // ... the old session was closed once its requests had finished, and the answers are B's
    await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().modelsClosed() == 1);
    StudentServer.Stats stats = server.stats();
    assertThat(stats.swaps()).isEqualTo(2);
    assertThat(stats.failed()).isZero();
    assertThat(stats.unavailable()).isZero();
    assertThat(stats.classified()).isEqualTo(answers.stream().mapToLong(List::size).sum());
    int[] turn = {101, 7592, 2045, 102};
    JsonNode answer = JSON.readTree(post("{\"token_ids\": [101, 7592, 2045, 102]}").body());
    assertThat(answer.get("model_version").asText()).isEqualTo("student-v2");
    double[] expected = softmax(modelB.logits(turn));
    assertThat(answer.get("probability").asDouble())
        .isCloseTo(expected[answer.get("index").asInt()], within(1e-5));
    assertThat(answer.get("probability").asDouble())
        .isCloseTo(Arrays.stream(expected).max().orElseThrow(), within(1e-5));
  }

  @Test
  void shouldAnswer503UntilAChampionIsLoaded() throws Exception {
    server = start(null);

    Answer classify = post("{\"token_ids\": [101, 2000, 102]}");
    HttpResponse<String> champion = http.send(HttpRequest.newBuilder(uri("/v1/champion")).GET()
        .build(), HttpResponse.BodyHandlers.ofString());

    assertThat(classify.status()).isEqualTo(503);
    assertThat(JSON.readTree(classify.body()).get("error").asText())
        .startsWith("no champion yet: model line 'student' has not been promoted");
    assertThat(champion.statusCode()).isEqualTo(503);
    assertThat(server.stats().unavailable()).isEqualTo(1);
  }

  @Test
  void shouldClassifyTextWithTheTeacherTokenizerAndTheChampionsLabels() throws Exception {
    TextCnn model = ExportedModels.model(3);
    server = start(new TeacherTokenizer());
    feed.publish("student-v3", ExportedModels.export(model, "student-v3", dir));
    int[] ids;
    try (TeacherTokenizer tokenizer = new TeacherTokenizer()) {
      ids = tokenizer.encode("what's the weather like in paris tomorrow");
    }

    Answer answer = post("{\"text\": \"what's the weather like in paris tomorrow\"}");

    assertThat(ids[0]).isEqualTo(101);
    assertThat(ids[ids.length - 1]).isEqualTo(102);
    assertThat(answer.status()).isEqualTo(200);
    JsonNode body = JSON.readTree(answer.body());
    double[] expected = softmax(model.logits(ids));
    int best = 0;
    for (int c = 1; c < expected.length; c++) {
      best = expected[c] > expected[best] ? c : best;
    }
    assertThat(body.get("model_version").asText()).isEqualTo("student-v3");
    assertThat(body.get("index").asInt()).isEqualTo(best);
    assertThat(body.get("label").asText()).isEqualTo(ExportedModels.LABELS.get(best));
    assertThat(body.get("probability").asDouble()).isCloseTo(expected[best], within(1e-5));
    List<Integer> topIndices = new ArrayList<>();
    body.get("top").forEach(t -> topIndices.add(t.get("index").asInt()));
    assertThat(topIndices).hasSize(3).startsWith(best).doesNotHaveDuplicates();
    double previous = 1;
    for (JsonNode t : body.get("top")) {
      assertThat(t.get("probability").asDouble()).isLessThanOrEqualTo(previous)
          .isCloseTo(expected[t.get("index").asInt()], within(1e-5));
      assertThat(t.get("label").asText()).isEqualTo(ExportedModels.LABELS.get(t.get("index").asInt()));
      previous = t.get("probability").asDouble();
    }
    HttpResponse<String> champion = http.send(HttpRequest.newBuilder(uri("/v1/champion")).GET()
        .build(), HttpResponse.BodyHandlers.ofString());
    JsonNode championBody = JSON.readTree(champion.body());
    assertThat(championBody.get("model_version").asText()).isEqualTo("student-v3");
    assertThat(championBody.get("num_classes").asInt()).isEqualTo(3);
    // The export's file name only: an answer never shows where this host keeps its files
    assertThat(championBody.get("onnx_export").asText()).isEqualTo("student-v3.onnx");
    assertThat(champion.body()).doesNotContain(dir.toString()).doesNotContain("onnx_file");
  }

  @Test
  void shouldRequireTheBearerTokenOnEveryPathWhenOneIsSet() throws Exception {
    // Given a server with a token, serving student-v1
    String token = "serving-token-0123456789";
    server = new StudentServer(ServerConfig.of(Map.of(ServerConfig.PORT, "0", "server.http.token", token)), feed,
        null);
    server.start();
    feed.publish("student-v1", ExportedModels.export(ExportedModels.model(1), "student-v1", dir));

    // When the champion is asked for without, with a wrong and with the right token
    HttpResponse<String> none = get("/v1/champion", null);
    HttpResponse<String> wrong = get("/v1/champion", "Bearer " + token.substring(1));
    HttpResponse<String> classifyWithout = http.send(HttpRequest.newBuilder(uri("/v1/classify"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"token_ids\": [101, 102]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> right = get("/v1/champion", "Bearer " + token);

    // Then only the right token gets an answer; the others 401 with a Bearer challenge
    for (HttpResponse<String> refused : List.of(none, wrong, classifyWithout)) {
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"student-server\"");
      assertThat(JSON.readTree(refused.body()).get("error").asText())
          .isEqualTo("a valid bearer token is required (Authorization: Bearer <token>)");
    }
    assertThat(right.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(right.body()).get("model_version").asText()).isEqualTo("student-v1");
  }

  private HttpResponse<String> get(String path, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{not json                         | 400 | request body is not valid JSON",
      "[1, 2]                            | 400 | request body must be a JSON object with 'text'",
      "{}                                | 400 | request needs 'text' (a string) or 'token_ids'",
      "{\"text\": \"  \"}                | 400 | 'text' is empty",
      "{\"text\": 5}                     | 400 | 'text' must be a string, got NUMBER",
      "{\"text\": \"hi\", \"token_ids\": [1]} | 400 | give either 'text' or 'token_ids', not both",
      "{\"token_ids\": []}               | 400 | 'token_ids' is empty",
      "{\"token_ids\": \"101 102\"}      | 400 | 'token_ids' must be an array of integers, got STRING",
      "{\"token_ids\": [101, 2.5, 102]}  | 400 | 'token_ids'[1] must be an integer, got 2.5",
      "{\"token_ids\": [101, 30522, 102]} | 400 | 'token_ids'[1] = 30522 is outside the vocabulary [0, 30522) of student-v1",
      "{\"token_ids\": [101, -4]}        | 400 | 'token_ids'[1] = -4 is outside the vocabulary [0, 30522) of student-v1",
  })
  void shouldRejectBadRequestsWithAMessageNamingTheField(String body, int status, String message)
      throws Exception {
    server = start(new TeacherTokenizer());
    feed.publish("student-v1", ExportedModels.export(ExportedModels.model(1), "student-v1", dir));

    Answer answer = post(body);

    assertThat(answer.status()).isEqualTo(status);
    assertThat(JSON.readTree(answer.body()).get("error").asText()).startsWith(message);
    assertThat(server.stats().rejected()).isEqualTo(1);
    assertThat(server.stats().classified()).isZero();
  }

  @Test
  void shouldRefuseABodyLargerThanTheLimitAndOtherMethods() throws Exception {
    server = start(null);
    feed.publish("student-v1", ExportedModels.export(ExportedModels.model(1), "student-v1", dir));

    Answer large = post("{\"text\": \"" + "a".repeat(70_000) + "\"}");
    HttpResponse<String> get = http.send(HttpRequest.newBuilder(uri("/v1/classify")).GET().build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(large.status()).isEqualTo(413);
    assertThat(JSON.readTree(large.body()).get("error").asText())
        .isEqualTo("request body is larger than 65536 bytes (server.max-request-bytes)");
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).contains("POST");
  }

  @Test
  void shouldKeepServingTheCurrentModelWhenAChampionCannotBeLoaded() throws Exception {
    server = start(null);
    Path a = ExportedModels.export(ExportedModels.model(1), "student-v1", dir);
    feed.publish("student-v1", a);
    Path wrongVersion = ExportedModels.export(ExportedModels.model(2), "student-v2", dir);

    feed.publish("student-v3", dir.resolve("student-v3.onnx"));   // no such file
    feed.publish("student-v4", wrongVersion);                      // holds student-v2
    feed.publish("student-v5", URI.create("http://example.org/student-v5.onnx"));

    Answer answer = post("{\"token_ids\": [101, 2000, 102]}");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.version()).isEqualTo("student-v1");
    assertThat(server.stats().swaps()).isEqualTo(1);
    assertThat(server.stats().modelsClosed()).isZero();
  }

  @Test
  void shouldCloseTheFeedAndTheServedModelOnClose() throws Exception {
    server = start(null);
    feed.publish("student-v1", ExportedModels.export(ExportedModels.model(1), "student-v1", dir));

    server.close();

    assertThat(feed.closed).isTrue();
    assertThat(server.stats().modelsClosed()).isEqualTo(1);
    assertThat(server.championVersion()).isNull();
    server = null;
  }

  // ---------------------------------------------------------------- helpers

  /** A feed the test drives: each publish loads synchronously, on the test's thread. */
  static final class ManualFeed implements ChampionFeed {
    private volatile Listener listener;
    volatile boolean closed;

    @Override
    public void start(Listener listener) {
      this.listener = listener;
    }

    void publish(String version, Path file) {
      publish(version, file.toUri());
    }

    void publish(String version, URI uri) {
      listener.championChanged(version, uri);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  record Answer(int status, String version, String body) {}

  private StudentServer start(TeacherTokenizer tokenizer) throws Exception {
    StudentServer s = new StudentServer(ServerConfig.of(Map.of(ServerConfig.PORT, "0",
        ServerConfig.THREADS, "4")), feed, tokenizer);
    s.start();
    return s;
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private Answer post(String body) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/v1/classify"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    String version = null;
    if (response.statusCode() == 200) {
      version = JSON.readTree(response.body()).get("model_version").asText();
    }
    return new Answer(response.statusCode(), version, response.body());
  }

  private static int[] randomTurn(SplittableRandom random) {
    int[] ids = new int[2 + 1 + random.nextInt(20)];
    ids[0] = 101;
    for (int i = 1; i < ids.length - 1; i++) {
      ids[i] = 999 + random.nextInt(29_000);
    }
    ids[ids.length - 1] = 102;
    return ids;
  }

  private static long count(List<List<Answer>> answers, String version) {
    return answers.stream().mapToLong(list -> countIn(list, version)).sum();
  }

  private static long countIn(List<Answer> list, String version) {
    synchronized (list) {
      return list.stream().filter(a -> version.equals(a.version())).collect(Collectors.counting());
    }
  }

  private static double[] softmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] p = new double[logits.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(logits[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }
}
