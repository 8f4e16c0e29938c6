package org.streamdistill.evaluator.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamdistill.schemas.http.BoundedHttpServer;

class ConsoleServerTest {

  private final AtomicReference<Object> state = new AtomicReference<>(Map.of("holds", 0));
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private ConsoleServer server;

  @BeforeEach
  void serve() {
    server = new ConsoleServer("127.0.0.1", 0, BoundedHttpServer.Limits.defaults(2), state::get);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(server.baseUri().resolve(path)).timeout(Duration.ofSeconds(5)).GET()
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldAnswerTheLatestStateAsJsonThatIsNeverCached() throws Exception {
    get("/api/state");
    state.set(Map.of("holds", 3, "champion", Map.of("version", "student-v4")));

    HttpResponse<String> response = get("/api/state");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()))
        .isEqualTo(new com.fasterxml.jackson.databind.ObjectMapper().readTree(
            "{\"holds\":3,\"champion\":{\"version\":\"student-v4\"}}"));
  }

  @Test
  void shouldServeThePageItsScriptAndUplotFromTheJarUnderAPolicyThatAllowsNoOtherOrigin() throws Exception {
    HttpResponse<String> page = get("/");
    HttpResponse<String> script = get("/console.js");
    HttpResponse<String> uplot = get("/lib/uplot.js");
    HttpResponse<String> css = get("/lib/uplot.css");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).startsWith("default-src 'self';");
    assertThat(page.body()).contains("<script src=\"/lib/uplot.js\">", "<script src=\"/console.js\" defer>")
        .doesNotContain("http://", "https://");
    // (the XML namespace names of SVG and XHTML elements are names, not addresses)
    assertThat(script.body().replace("'http://www.w3.org/2000/svg'", "").replace("'http://www.w3.org/1999/xhtml'", ""))
        .contains("fetch('/api/state'").doesNotContain("http://", "https://");
    assertThat(uplot.statusCode()).isEqualTo(200);
    assertThat(uplot.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(uplot.body()).contains("uPlot");
    assertThat(css.body()).contains(".uplot");
  }

  @Test
  void shouldAnswerNotFoundForOtherPathsAndRefuseOtherMethods() throws Exception {
    HttpResponse<String> post = client.send(HttpRequest.newBuilder(server.baseUri().resolve("/api/state"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(get("/../pom.xml").statusCode()).isIn(400, 404);
    assertThat(get("/lib/uPlot.iife.min.js").statusCode()).isEqualTo(404);
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void shouldFindTheUplotVersionOfTheWebjarOnTheClassPath() {
    assertThat(ConsoleServer.uplotVersion()).matches("\\d+\\.\\d+\\.\\d+");
  }

  @Test
  void shouldAskForTheConsoleUsersCredentialsOnEveryPathWhenUsersAreSet() throws Exception {
    // Given a console with one user
    var users = org.streamdistill.schemas.http.BasicAuthUsers.of(List.of(
        new org.streamdistill.schemas.http.BasicCredentials("ops", "s3cret-pass")));
    try (ConsoleServer guarded = new ConsoleServer("127.0.0.1", 0, BoundedHttpServer.Limits.defaults(2), users, null,
        state::get)) {
      // When the page and the state are asked for without, with wrong and with the right credentials
      HttpResponse<String> page = client.send(HttpRequest.newBuilder(guarded.baseUri()).build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(guarded.baseUri().resolve("/api/state"))
          .header("Authorization", basic("ops:wrong-pass")).build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> right = client.send(HttpRequest.newBuilder(guarded.baseUri().resolve("/api/state"))
          .header("Authorization", basic("ops:s3cret-pass")).build(), HttpResponse.BodyHandlers.ofString());

      // Then the browser is asked for a user and password, and only the right ones get the figures
      assertThat(page.statusCode()).isEqualTo(401);
      assertThat(page.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Basic realm=");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(wrong.body()).doesNotContain("holds");
      assertThat(right.statusCode()).isEqualTo(200);
      assertThat(right.body()).isEqualTo("{\"holds\":0}");
    }
  }

  private static String basic(String userAndPassword) {
    return "Basic " + java.util.Base64.getEncoder().encodeToString(
        userAndPassword.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
