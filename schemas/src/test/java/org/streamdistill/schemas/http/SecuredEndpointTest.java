package org.streamdistill.schemas.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An endpoint on {@link BoundedHttpServer} with TLS and an {@link HttpGuard}, over real loopback
 * connections from the JDK's HTTP client: who gets in, what the others are told, and what a
 * client that does not trust the certificate sees.
 */
class SecuredEndpointTest {

  private static final String TOKEN = "token-0123456789abcdef";
  private static final BoundedHttpServer.Busy BUSY = BoundedHttpServer.Busy.of("text/plain", "busy\n");

  private static TestCertificates certificates;
  private static TestCertificates otherCertificates;

  private BoundedHttpServer server;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certificates = TestCertificates.shared("server");
    otherCertificates = TestCertificates.shared("other");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Answers "ok <path>" to everything. */
  private static final class Ok extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      response.setStatus(200);
      response.write(true, ByteBuffer.wrap(("ok " + request.getHttpURI().getPath()).getBytes(StandardCharsets.UTF_8)),
          callback);
      return true;
    }
  }

  private void start(HttpTls tls, Handler handler) {
    server = BoundedHttpServer.start("secured-test", new InetSocketAddress("127.0.0.1", 0),
        BoundedHttpServer.Limits.defaults(2), tls, handler, BUSY);
  }

  private HttpClient trustingClient() throws Exception {
    return HttpClient.newBuilder().sslContext(certificates.clientContext()).connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private HttpResponse<String> get(HttpClient client, String path, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUri() + path))
        .timeout(Duration.ofSeconds(10)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldAnswer401WithABasicChallengeUnlessAKnownUserSendsItsPasswordOverTls() throws Exception {
    // Given an HTTPS endpoint that requires user alice, with /health open
    BasicAuthUsers users = BasicAuthUsers.of(List.of(BasicCredentials.parse("alice:s3cret-a")));
    start(certificates.serverTls(), HttpGuard.basic(users, "test-realm", "application/json",
        "{\"error\":\"unauthorized\"}").protect(new Ok(), Set.of("/health")));
    HttpClient client = trustingClient();

    // When requests arrive without, with wrong and with right credentials
    HttpResponse<String> none = get(client, "/subjects", null);
    HttpResponse<String> wrong = get(client, "/subjects", BasicCredentials.parse("alice:s3cret-b").authorizationHeader());
    HttpResponse<String> otherScheme = get(client, "/subjects", "Bearer s3cret-a");
    HttpResponse<String> right = get(client, "/subjects", BasicCredentials.parse("alice:s3cret-a").authorizationHeader());
    HttpResponse<String> health = get(client, "/health", null);

    // Then only the right credentials, and the open path, get through
    assertThat(server.baseUri().toString()).startsWith("https://127.0.0.1:");
    for (HttpResponse<String> refused : List.of(none, wrong, otherScheme)) {
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.headers().firstValue("WWW-Authenticate"))
          .hasValue("Basic realm=\"test-realm\", charset=\"UTF-8\"");
      assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(refused.body()).isEqualTo("{\"error\":\"unauthorized\"}");
    }
    assertThat(right.statusCode()).isEqualTo(200);
    assertThat(right.body()).isEqualTo("ok /subjects");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("ok /health");
  }

  @Test
  void shouldLetOnlyTheBearerTokenThroughAndCountTheOthers() throws Exception {
    // Given a plain HTTP endpoint behind a bearer token
    HttpGuard guard = HttpGuard.bearer(new BearerToken(TOKEN), "lag", "text/plain", "token required\n");
    start(null, guard.protect(new Ok()));
    HttpClient client = HttpClient.newHttpClient();

    // When requests come without, with a wrong and with the right token
    HttpResponse<String> none = get(client, "/metrics", null);
    HttpResponse<String> wrong = get(client, "/metrics", "Bearer " + TOKEN + "x");
    HttpResponse<String> right = get(client, "/metrics", "Bearer " + TOKEN);

    // Then the two without the token get 401 and a Bearer challenge; the right one its answer
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"lag\"");
    assertThat(wrong.body()).isEqualTo("token required\n");
    assertThat(right.statusCode()).isEqualTo(200);
    assertThat(right.body()).isEqualTo("ok /metrics");
    assertThat(guard.refused()).isEqualTo(2);
  }

  @Test
  void shouldRefuseTheHandshakeOfAClientThatDoesNotTrustTheCertificate() throws Exception {
    // Given an HTTPS endpoint, and a client that trusts another certificate only
    start(certificates.serverTls(), new Ok());
    HttpClient distrustful = HttpClient.newBuilder().sslContext(otherCertificates.clientContext())
        .connectTimeout(Duration.ofSeconds(5)).build();

    // When it connects, the handshake fails on the certificate: no answer, a clear TLS error
    assertThatThrownBy(() -> get(distrustful, "/", null))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("PKIX path");
    // And a client that trusts it gets in on the same server
    assertThat(get(trustingClient(), "/", null).body()).isEqualTo("ok /");
  }

  @Test
  void shouldAnswerAnExceptionAHandlerLetThroughWithTheStatusOnly() throws Exception {
    // Given a handler that fails with a message naming a file of this host
    start(null, new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        throw new IllegalStateException("cannot read /srv/secret/model.onnx");
      }
    });

    // When it is asked
    HttpResponse<String> response = get(HttpClient.newHttpClient(), "/boom", null);

    // Then the client learns the status, not the message or a stack trace
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).isEqualTo("500 Server Error\n");
  }

  @Test
  void shouldNotAnswerPlainHttpOnAnHttpsPort() throws Exception {
    start(certificates.serverTls(), new Ok());
    URI plain = URI.create("http://127.0.0.1:" + server.port() + "/");

    assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(plain)
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }
}
