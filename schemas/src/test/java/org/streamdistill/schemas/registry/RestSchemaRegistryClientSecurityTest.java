package org.streamdistill.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamdistill.schemas.http.BasicAuthUsers;
import org.streamdistill.schemas.http.BasicCredentials;
import org.streamdistill.schemas.http.BoundedHttpServer;
import org.streamdistill.schemas.http.HttpGuard;
import org.streamdistill.schemas.http.TestCertificates;

/**
 * {@link RestSchemaRegistryClient} against a registry endpoint on HTTPS with basic
 * authentication (a stand-in answering the two calls the client makes): the right credentials
 * work, refused credentials and untrusted certificates fail at once with messages an operator can
 * act on, and {@link RetryingSchemaRegistryClient} does not wait on either.
 */
class RestSchemaRegistryClientSecurityTest {

  private static final String CONTENT_TYPE = RestSchemaRegistryClient.CONTENT_TYPE;
  private static final Schema SCHEMA = new Schema.Parser().parse(
      "{\"type\":\"record\",\"name\":\"T\",\"namespace\":\"test\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");

  private static TestCertificates certificates;
  private static TestCertificates otherCertificates;
  private static BoundedHttpServer registry;

  /** The stand-in: register answers id 7 (403 for subject "forbidden"), schema 7 is {@link #SCHEMA}. */
  private static final class StandIn extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = request.getHttpURI().getPath();
      int status = 200;
      String body;
      if (path.equals("/subjects/forbidden/versions")) {
        status = 403;
        body = "{\"error_code\":40301,\"message\":\"User cannot access the resource.\"}";
      } else if (path.endsWith("/versions")) {
        body = "{\"id\":7}";
      } else if (path.equals("/schemas/ids/7")) {
        body = "{\"schema\":\"" + SCHEMA.toString().replace("\"", "\\\"") + "\"}";
      } else {
        status = 404;
        body = "{\"error_code\":404,\"message\":\"not found\"}";
      }
      BoundedHttpServer.answer(response, callback, status, CONTENT_TYPE, body.getBytes(StandardCharsets.UTF_8));
      return true;
    }
  }

  @BeforeAll
  static void startRegistry() throws Exception {
    certificates = TestCertificates.shared("server");
    otherCertificates = TestCertificates.shared("other");
    BasicAuthUsers users = BasicAuthUsers.of(List.of(BasicCredentials.parse("trainer:s3cret-t")));
    registry = BoundedHttpServer.start("registry-stand-in", new InetSocketAddress("127.0.0.1", 0),
        BoundedHttpServer.Limits.defaults(2), certificates.serverTls(),
        HttpGuard.basic(users, "schema-registry", CONTENT_TYPE, "{\"error_code\":401,\"message\":\"Unauthorized\"}")
            .protect(new StandIn()),
        BoundedHttpServer.Busy.of(CONTENT_TYPE, "{}"));
  }

  @AfterAll
  static void stopRegistry() {
    registry.close();
  }

  private static RegistryClientSettings settings(TestCertificates trusted, String userInfo) {
    RegistryClientSettings settings = RegistryClientSettings.of(registry.baseUri().toString())
        .withTrustStore(new RegistryClientSettings.Store(trusted.trustStore().toString(), "PKCS12",
            trusted.password(), null));
    return userInfo == null ? settings : settings.withCredentials(BasicCredentials.parse(userInfo));
  }

  /**
   * A retrying client whose pauses are counted, not slept; it gives up after 1 s of (counted)
   * pauses, so a failure wrongly taken for an outage fails the test instead of hanging it.
   */
  private static RetryingSchemaRegistryClient retrying(RegistryClientSettings settings, AtomicInteger pauses) {
    return new RetryingSchemaRegistryClient(new RestSchemaRegistryClient(settings, Duration.ofSeconds(10)),
        Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofSeconds(1), millis -> pauses.incrementAndGet());
  }

  @Test
  void shouldRegisterAndFetchWithTheRightCredentialsOverTls() {
    AtomicInteger pauses = new AtomicInteger();
    RetryingSchemaRegistryClient client = retrying(settings(certificates, "trainer:s3cret-t"), pauses);

    assertThat(client.register("t-value", SCHEMA)).isEqualTo(7);
    assertThat(new RestSchemaRegistryClient(settings(certificates, "trainer:s3cret-t")).schemaById(7))
        .isEqualTo(SCHEMA);
    assertThat(pauses).hasValue(0);
  }

  @Test
  void shouldFailAtOnceNamingTheUserWhenTheRegistryRefusesItsCredentials() {
    AtomicInteger pauses = new AtomicInteger();
    RetryingSchemaRegistryClient client = retrying(settings(certificates, "trainer:wrong-password"), pauses);

    assertThatThrownBy(() -> client.register("t-value", SCHEMA))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e.status()).isEqualTo(401);
          assertThat(e.isAuthorizationFailure()).isTrue();
        })
        .hasMessage("schema registry at " + registry.baseUri() + " refused credentials for user trainer (HTTP 401) "
            + "to register a schema under subject t-value: Unauthorized; check schema.registry.basic.auth.user.info")
        .hasMessageNotContaining("wrong-password");
    assertThat(pauses).hasValue(0);
  }

  @Test
  void shouldSayWhichSettingIsMissingWhenTheRegistryWantsCredentialsAndNoneAreSet() {
    AtomicInteger pauses = new AtomicInteger();

    assertThatThrownBy(() -> retrying(settings(certificates, null), pauses).schemaById(7))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessage("schema registry at " + registry.baseUri() + " requires credentials (HTTP 401) to fetch schema id 7: "
            + "Unauthorized; set schema.registry.basic.auth.user.info to user:password");
    assertThat(pauses).hasValue(0);
  }

  @Test
  void shouldFailAtOnceWhenTheUserMayNotWriteTheSubject() {
    AtomicInteger pauses = new AtomicInteger();

    assertThatThrownBy(() -> retrying(settings(certificates, "trainer:s3cret-t"), pauses).register("forbidden", SCHEMA))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.status()).isEqualTo(403))
        .hasMessage("schema registry at " + registry.baseUri() + " does not let user trainer register a schema under "
            + "subject forbidden (HTTP 403): User cannot access the resource.");
    assertThat(pauses).hasValue(0);
  }

  @Test
  void shouldFailAtOnceWithATlsErrorWhenTheCertificateIsNotTrusted() {
    AtomicInteger pauses = new AtomicInteger();

    assertThatThrownBy(() -> retrying(settings(otherCertificates, "trainer:s3cret-t"), pauses).register("t-value", SCHEMA))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.isTlsFailure()).isTrue())
        .hasMessageStartingWith("TLS handshake with the schema registry at " + registry.baseUri()
            + " failed, so it could not register a schema under subject t-value: PKIX path")
        .hasMessageContaining("Check that schema.registry.ssl.truststore.location holds the registry's certificate");
    assertThat(pauses).hasValue(0);
  }
}
