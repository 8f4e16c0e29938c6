package org.streamdistill.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.deploy.demo.TopicReader;
import org.streamdistill.deploy.experiment.CatalogueNamespaceProvisioner;
import org.streamdistill.deploy.platform.EmbeddedKafka;
import org.streamdistill.deploy.registry.EmbeddedSchemaRegistry;
import org.streamdistill.producers.ingest.IngestConfig;
import org.streamdistill.producers.ingest.LiveChatIngestion;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.http.BasicCredentials;
import org.streamdistill.schemas.http.TestCertificates;
import org.streamdistill.schemas.registry.RegistryClientSettings;
import org.streamdistill.schemas.registry.SchemaRegistryException;
import org.streamdistill.schemas.topic.Topics;

/**
 * The registry as {@code bin/streamdistill registry} runs it with a users file and a key store
 * (settings parsed by the command's own loader), on the embedded broker: what an anonymous or
 * wrong client gets, and the ingestion endpoint, configured through {@link IngestConfig} as its
 * command is, registering its schema and writing turns over HTTPS with basic credentials.
 */
class SecuredRegistryIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INGEST_TOKEN = "ingest-token-0123456789ab";

  @TempDir
  static Path dir;
  private static EmbeddedKafka kafka;
  private static EmbeddedSchemaRegistry registry;
  private static TestCertificates certificates;
  private static String ingestPassword;
  private static String readerPassword;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start();
    certificates = TestCertificates.generate(dir, "registry");
    ingestPassword = UUID.randomUUID().toString();
    readerPassword = UUID.randomUUID().toString();
    Path users = Files.writeString(dir.resolve("registry-users"), "# who may use the registry\ningest:"
        + ingestPassword + "\n\nreader:" + readerPassword + "\n");
    Map<String, Object> settings = ClusterCommandConfig.registry(List.of("--bootstrap-servers",
        kafka.bootstrapServers(), "--port", "0", "--topic", "_schemas_secured",
        "--registry.auth.users-file", users.toString(),
        "--registry.http.ssl.keystore.location", certificates.keyStore().toString()),
        Map.of("STREAMDISTILL_REGISTRY_HTTP_SSL_KEYSTORE_PASSWORD", certificates.password()));
    registry = RegistryCommand.builder(settings, ClusterCommandConfig.registryUsers(settings)).start();
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  private static HttpResponse<String> getSubjects(String authorization) throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(certificates.clientContext())
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(registry.url() + "/subjects"))
        .timeout(Duration.ofSeconds(30)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The ingestion command's settings: flags for the ordinary ones, the environment for the secrets. */
  private static IngestConfig ingestConfig(String namespace, String userInfo, boolean trust) {
    List<String> flags = new java.util.ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(),
        "--registry", registry.url(), "--namespace", namespace, "--port", "0"));
    Map<String, String> env = new HashMap<>(Map.of("STREAMDISTILL_INGEST_TOKEN", INGEST_TOKEN,
        "STREAMDISTILL_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", userInfo));
    if (trust) {
      flags.addAll(List.of("--schema.registry.ssl.truststore.location", certificates.trustStore().toString()));
      env.put("STREAMDISTILL_SCHEMA_REGISTRY_SSL_TRUSTSTORE_PASSWORD", certificates.password());
    }
    return IngestConfig.parse(flags, env);
  }

  private static String freshNamespace() {
    String namespace = "sec" + UUID.randomUUID().toString().substring(0, 8);
    new CatalogueNamespaceProvisioner().provision(kafka.bootstrapServers(), namespace);
    return namespace;
  }

  @Test
  void shouldAnswer401WithABasicChallengeToAnonymousAndWrongClientsAnd200ToAUser() throws Exception {
    HttpResponse<String> anonymous = getSubjects(null);
    HttpResponse<String> wrong = getSubjects(BasicCredentials.parse("reader:" + ingestPassword).authorizationHeader());
    HttpResponse<String> reader = getSubjects(BasicCredentials.parse("reader:" + readerPassword).authorizationHeader());

    assertThat(registry.url()).startsWith("https://127.0.0.1:");
    for (HttpResponse<String> refused : List.of(anonymous, wrong)) {
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.headers().firstValue("WWW-Authenticate"))
          .hasValue("Basic realm=\"schema-registry\", charset=\"UTF-8\"");
      assertThat(JSON.readTree(refused.body()))
          .isEqualTo(JSON.readTree("{\"error_code\":401,\"message\":\"Unauthorized\"}"));
    }
    assertThat(reader.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(reader.body()).isArray()).isTrue();
  }

  @Test
  void shouldIngestATurnThroughTheSecuredRegistryWithTheStagesOwnSettings() throws Exception {
    // Given the ingestion endpoint configured for the secured registry as its command would be
    String namespace = freshNamespace();
    IngestConfig config = ingestConfig(namespace, "ingest:" + ingestPassword, true);
    assertThat(config.toString()).doesNotContain(ingestPassword).doesNotContain(certificates.password())
        .doesNotContain(INGEST_TOKEN);

    try (LiveChatIngestion ingestion = LiveChatIngestion.start(config, config.registry().newClient())) {
      // When a turn is posted
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create(ingestion.baseUri() + "/v1/conversations/conv-7/turns"))
          .header("Authorization", "Bearer " + INGEST_TOKEN).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"speaker\":\"user\",\"text\":\"freeze my card\"}")).build(),
          HttpResponse.BodyHandlers.ofString());

      // Then it is accepted, and another user of the registry decodes it from the topic
      assertThat(response.statusCode()).isEqualTo(202);
      RegistryClientSettings readerSettings = RegistryClientSettings.from(IngestConfig.DEFINITION.parse(Map.of(
          IngestConfig.TOKEN, INGEST_TOKEN, RegistryClientSettings.URL, registry.url(),
          RegistryClientSettings.USER_INFO, "reader:" + readerPassword,
          RegistryClientSettings.TRUSTSTORE_LOCATION, certificates.trustStore().toString(),
          RegistryClientSettings.TRUSTSTORE_PASSWORD, certificates.password())));
      List<DialogueTurn> turns = new TopicReader(kafka.bootstrapServers(), readerSettings.newClient())
          .readAll(Topics.TURNS.inNamespace(namespace));
      assertThat(turns).extracting(DialogueTurn::getConversationId, DialogueTurn::getTurnIndex, DialogueTurn::getText)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("conv-7", 0, "freeze my card"));
    }
  }

  @Test
  void shouldRefuseToStartIngestionWhoseRegistryPasswordIsWrongNamingTheUser() {
    IngestConfig config = ingestConfig(freshNamespace(), "ingest:not-" + ingestPassword, true);

    assertThatThrownBy(() -> LiveChatIngestion.start(config, config.registry().newClient()).close())
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.status()).isEqualTo(401))
        .hasMessageContaining("refused credentials for user ingest (HTTP 401)")
        .hasMessageNotContaining(ingestPassword);
  }

  @Test
  void shouldRefuseToStartIngestionThatDoesNotTrustTheRegistrysCertificate() {
    IngestConfig config = ingestConfig(freshNamespace(), "ingest:" + ingestPassword, false);

    assertThatThrownBy(() -> LiveChatIngestion.start(config, config.registry().newClient()).close())
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.isTlsFailure()).isTrue())
        .hasMessageStartingWith("TLS handshake with the schema registry at " + registry.url() + " failed")
        .hasMessageContaining("schema.registry.ssl.truststore.location");
  }
}
