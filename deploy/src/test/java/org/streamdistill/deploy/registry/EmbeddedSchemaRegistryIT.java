package org.streamdistill.deploy.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.streamdistill.deploy.registry.RegistryHttp.schemaBody;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamdistill.deploy.platform.EmbeddedKafka;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.registry.SchemaRegistryException;

class EmbeddedSchemaRegistryIT {

  static final String V1 = """
      {"type": "record", "name": "Reading", "namespace": "it.registry", "fields": [
        {"name": "sensor_id", "type": "string"},
        {"name": "value", "type": "double"}]}""";
  /** V1 plus an optional field with a default: backward compatible. */
  static final String V2_OPTIONAL_UNIT = """
      {"type": "record", "name": "Reading", "namespace": "it.registry", "fields": [
        {"name": "sensor_id", "type": "string"},
        {"name": "value", "type": "double"},
        {"name": "unit", "type": ["null", "string"], "default": null}]}""";
  /** V1 plus a required field without default: a new reader cannot read V1 data. */
  static final String V2_REQUIRED_LOCATION = """
      {"type": "record", "name": "Reading", "namespace": "it.registry", "fields": [
        {"name": "sensor_id", "type": "string"},
        {"name": "value", "type": "double"},
        {"name": "location", "type": "string"}]}""";
  /** V1 without its "value" field, which has no default: an old reader cannot read new data. */
  static final String V2_WITHOUT_VALUE = """
      {"type": "record", "name": "Reading", "namespace": "it.registry", "fields": [
        {"name": "sensor_id", "type": "string"}]}""";

  private static EmbeddedKafka kafka;
  private static EmbeddedSchemaRegistry registry;
  private static RegistryHttp http;
  private String subject;

  @BeforeAll
  static void startPlatform() {
    kafka = EmbeddedKafka.start();
    registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers());
    http = new RegistryHttp(registry.url());
  }

  @AfterAll
  static void stopPlatform() {
    registry.close();
    kafka.close();
  }

  @BeforeEach
  void freshSubject() {
    subject = "it-" + UUID.randomUUID() + "-value";
  }

  @Test
  void shouldReturnTheSameIdWhenTheSameSchemaIsRegisteredTwice() {
    // Given a schema registered through the Java client
    int viaClient = new RestSchemaRegistryClient(registry.url()).register(subject, parse(V1));

    // When it is registered again through a second client (no shared cache) and through raw HTTP,
    // the latter with other whitespace
    int viaSecondClient = new RestSchemaRegistryClient(registry.url()).register(subject, parse(V1));
    RegistryHttp.Answer raw = http.post("/subjects/" + subject + "/versions", schemaBody(V1.replace("\n", " ")));

    // Then every call gets the same id, and the subject still has only version 1
    assertThat(raw.status()).isEqualTo(200);
    assertThat(raw.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(List.of(viaSecondClient, raw.body().get("id").asInt())).containsOnly(viaClient);
    assertThat(ints(http.get("/subjects/" + subject + "/versions").body())).containsExactly(1);
  }

  @Test
  void shouldReuseTheGlobalIdWhenTheSameSchemaIsRegisteredUnderAnotherSubject() {
    // Given a schema no other test uses, registered under one subject
    Schema schema = parse(V1.replace("it.registry", "it.registry.t" + UUID.randomUUID().toString().replace("-", "")));
    RestSchemaRegistryClient client = new RestSchemaRegistryClient(registry.url());
    int id = client.register(subject, schema);

    // When the same schema is registered under another subject
    String other = "other-" + subject;
    int otherId = client.register(other, schema);

    // Then it keeps its global id, and the id lists both uses
    assertThat(otherId).isEqualTo(id);
    JsonNode uses = http.get("/schemas/ids/" + id + "/versions").body();
    assertThat(uses).hasSize(2);
    assertThat(uses.findValuesAsText("subject")).containsExactlyInAnyOrder(subject, other);
    assertThat(ints(http.get("/subjects/" + other + "/versions").body())).containsExactly(1);
  }

  @Test
  void shouldRefuseABackwardIncompatibleChangeWith409NamingTheField() {
    // Given a subject at version 1 under the default BACKWARD level
    http.post("/subjects/" + subject + "/versions", schemaBody(V1));

    // When a version adding a required field without default is registered
    RegistryHttp.Answer refused = http.post("/subjects/" + subject + "/versions", schemaBody(V2_REQUIRED_LOCATION));

    // Then it is refused with 409, a message naming the field and the kind of incompatibility
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.body().get("error_code").asInt()).isEqualTo(409);
    assertThat(refused.body().get("message").asText())
        .contains("'location'", "READER_FIELD_MISSING_DEFAULT_VALUE", "BACKWARD", "version 1");
    // And the Java client reports it as an incompatibility with the same reason
    assertThatThrownBy(() -> new RestSchemaRegistryClient(registry.url()).register(subject, parse(V2_REQUIRED_LOCATION)))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.isIncompatible()).isTrue())
        .hasMessageContaining("'location'");
    // And the subject still has only version 1
    assertThat(ints(http.get("/subjects/" + subject + "/versions").body())).containsExactly(1);
  }

  @Test
  void shouldRegisterACompatibleChangeAsVersionTwoWithANewId() {
    // Given a subject at version 1
    RestSchemaRegistryClient client = new RestSchemaRegistryClient(registry.url());
    int first = client.register(subject, parse(V1));

    // When a version adding an optional field with a default is registered
    int second = client.register(subject, parse(V2_OPTIONAL_UNIT));

    // Then it gets a new id and becomes version 2, the latest
    assertThat(second).isNotEqualTo(first);
    assertThat(ints(http.get("/subjects/" + subject + "/versions").body())).containsExactly(1, 2);
    JsonNode latest = http.get("/subjects/" + subject + "/versions/latest").body();
    assertThat(latest.get("version").asInt()).isEqualTo(2);
    assertThat(latest.get("id").asInt()).isEqualTo(second);
    assertThat(latest.get("subject").asText()).isEqualTo(subject);
    assertThat(parse(latest.get("schema").asText())).isEqualTo(parse(V2_OPTIONAL_UNIT));
    assertThat(http.get("/subjects/" + subject + "/versions/1").body().get("id").asInt()).isEqualTo(first);
    assertThat(texts(http.get("/subjects").body())).contains(subject);
  }

  @Test
  void shouldAnswer404WithErrorCode40403ForAnUnknownSchemaId() {
    // Given a registry that never issued id 987654
    // When that id is fetched
    RegistryHttp.Answer answer = http.get("/schemas/ids/987654");

    // Then the answer is 404 with Confluent's schema-not-found code
    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.body().get("error_code").asInt()).isEqualTo(40403);
    assertThatThrownBy(() -> new RestSchemaRegistryClient(registry.url()).schemaById(987654))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.isNotFound()).isTrue());
  }

  @Test
  void shouldAnswer422WithErrorCode42201ForAnInvalidSchema() {
    // Given schemas that are not valid Avro: a record without fields, and text that is not JSON
    for (String invalid : List.of("{\"type\": \"record\", \"name\": \"NoFields\"}", "not a schema {")) {
      // When one is registered
      RegistryHttp.Answer answer = http.post("/subjects/" + subject + "/versions", schemaBody(invalid));

      // Then it is refused as invalid, and nothing was registered
      assertThat(answer.status()).as(invalid).isEqualTo(422);
      assertThat(answer.body().get("error_code").asInt()).as(invalid).isEqualTo(42201);
      assertThat(answer.body().get("message").asText()).startsWith("Invalid schema");
    }
    assertThat(http.get("/subjects/" + subject + "/versions").body().get("error_code").asInt()).isEqualTo(40401);
  }

  @Test
  void shouldAnswer413JsonBeforeReadingABodyOverTheLimit() throws Exception {
    // Given a client that announces a body of 100 MB and sends 1 KB of it
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", registry.port())) {
      socket.getOutputStream().write(("POST /subjects/big-value/versions HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: 100000000\r\n\r\n"
          + "x".repeat(1024)).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.setSoTimeout(30_000);

      // Then it gets 413 with Confluent's error body, and the connection is closed without reading on
      String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 413 ").contains("Content-Type: application/vnd.schemaregistry.v1+json");
      JsonNode body = RegistryHttp.JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
      assertThat(body.get("error_code").asInt()).isEqualTo(413);
      assertThat(body.get("message").asText())
          .isEqualTo("request body is larger than " + EmbeddedSchemaRegistry.DEFAULT_MAX_REQUEST_BYTES + " bytes");
    }
    assertThat(http.get("/subjects/big-value/versions").body().get("error_code").asInt()).isEqualTo(40401);
  }

  @Test
  void shouldAnswer404JsonForAnUnknownPathAnd405ForAWrongMethod() {
    // When a path outside the API, and a known path with the wrong method, are requested
    RegistryHttp.Answer unknown = http.get("/no/such/resource");
    RegistryHttp.Answer wrongMethod = http.put("/schemas/ids/1", "{}");

    // Then both answer Confluent-style JSON errors
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body().get("error_code").asInt()).isEqualTo(404);
    assertThat(unknown.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.body().get("error_code").asInt()).isEqualTo(405);
  }

  @Test
  void shouldLookUpTheVersionOfARegisteredSchemaAndAnswer404ForOthers() {
    // Given a subject at versions 1 and 2
    http.post("/subjects/" + subject + "/versions", schemaBody(V1));
    int second = http.post("/subjects/" + subject + "/versions", schemaBody(V2_OPTIONAL_UNIT)).body().get("id").asInt();

    // When schemas are looked up under the subject
    RegistryHttp.Answer found = http.post("/subjects/" + subject, schemaBody(V2_OPTIONAL_UNIT));
    RegistryHttp.Answer notInSubject = http.post("/subjects/" + subject, schemaBody(V2_REQUIRED_LOCATION));
    RegistryHttp.Answer noSubject = http.post("/subjects/none-" + subject, schemaBody(V1));

    // Then the registered one is found with its version and id; the others are 404s with Confluent's codes
    assertThat(found.status()).isEqualTo(200);
    assertThat(found.body().get("version").asInt()).isEqualTo(2);
    assertThat(found.body().get("id").asInt()).isEqualTo(second);
    assertThat(List.of(notInSubject.status(), notInSubject.body().get("error_code").asInt())).containsExactly(404, 40403);
    assertThat(List.of(noSubject.status(), noSubject.body().get("error_code").asInt())).containsExactly(404, 40401);
  }

  @Test
  void shouldTestCompatibilityWithoutRegistering() {
    // Given a subject at version 1
    http.post("/subjects/" + subject + "/versions", schemaBody(V1));

    // When a compatible and an incompatible schema are tested against the latest version
    String path = "/compatibility/subjects/" + subject + "/versions/latest";
    JsonNode compatible = http.post(path, schemaBody(V2_OPTIONAL_UNIT)).body();
    JsonNode incompatible = http.post(path, schemaBody(V2_REQUIRED_LOCATION)).body();

    // Then the answers say so, with the reason, and nothing was registered
    assertThat(compatible.get("is_compatible").asBoolean()).isTrue();
    assertThat(compatible.get("messages")).isEmpty();
    assertThat(incompatible.get("is_compatible").asBoolean()).isFalse();
    assertThat(texts(incompatible.get("messages"))).singleElement().asString()
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE", "'location'");
    assertThat(ints(http.get("/subjects/" + subject + "/versions").body())).containsExactly(1);
  }

  @Test
  void shouldApplyTheSubjectsOwnCompatibilityLevel() {
    // Given a subject at version 1
    http.post("/subjects/" + subject + "/versions", schemaBody(V1));
    assertThat(http.get("/config/" + subject).body().get("error_code").asInt()).isEqualTo(40408);

    // When its level is set to FORWARD
    RegistryHttp.Answer set = http.put("/config/" + subject, "{\"compatibility\": \"FORWARD\"}");

    // Then the subject reports it, the global level stays BACKWARD, and FORWARD's rule applies:
    // a new required field is fine (old readers skip it), dropping a field without default is not
    assertThat(set.body().get("compatibility").asText()).isEqualTo("FORWARD");
    assertThat(http.get("/config/" + subject).body().get("compatibilityLevel").asText()).isEqualTo("FORWARD");
    assertThat(http.get("/config").body().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
    RegistryHttp.Answer withoutValue = http.post("/subjects/" + subject + "/versions", schemaBody(V2_WITHOUT_VALUE));
    assertThat(withoutValue.status()).isEqualTo(409);
    assertThat(withoutValue.body().get("message").asText()).contains("'value'", "FORWARD");
    assertThat(http.post("/subjects/" + subject + "/versions", schemaBody(V2_REQUIRED_LOCATION)).status())
        .isEqualTo(200);
    assertThat(ints(http.get("/subjects/" + subject + "/versions").body())).containsExactly(1, 2);
  }

  @Test
  void shouldRefuseBothDirectionsUnderFullAndNothingUnderNone() {
    // Given two subjects at version 1, one FULL and one NONE
    String none = "none-" + subject;
    http.post("/subjects/" + subject + "/versions", schemaBody(V1));
    http.post("/subjects/" + none + "/versions", schemaBody(V1));
    http.put("/config/" + subject, "{\"compatibility\": \"FULL\"}");
    http.put("/config/" + none, "{\"compatibility\": \"NONE\"}");

    // When a required field is added to both
    RegistryHttp.Answer full = http.post("/subjects/" + subject + "/versions", schemaBody(V2_REQUIRED_LOCATION));
    RegistryHttp.Answer anything = http.post("/subjects/" + none + "/versions", schemaBody(V2_REQUIRED_LOCATION));

    // Then FULL refuses it and NONE takes it; FULL still takes an optional field with default
    assertThat(full.status()).isEqualTo(409);
    assertThat(anything.status()).isEqualTo(200);
    assertThat(http.post("/subjects/" + subject + "/versions", schemaBody(V2_OPTIONAL_UNIT)).status()).isEqualTo(200);
    // And an unknown level is refused with 42203
    RegistryHttp.Answer bogus = http.put("/config/" + subject, "{\"compatibility\": \"SIDEWAYS\"}");
    assertThat(List.of(bogus.status(), bogus.body().get("error_code").asInt())).containsExactly(422, 42203);
  }

  @Test
  void shouldServeTheSameIdsVersionsAndLevelsAfterARestartOnTheSameTopic() {
    // Given a registry on its own topic holding two versions and a subject level
    String topic = "_schemas-it-" + UUID.randomUUID();
    int first;
    int second;
    try (EmbeddedSchemaRegistry before = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).topic(topic).start()) {
      RestSchemaRegistryClient client = new RestSchemaRegistryClient(before.url());
      first = client.register(subject, parse(V1));
      second = client.register(subject, parse(V2_OPTIONAL_UNIT));
      new RegistryHttp(before.url()).put("/config/" + subject, "{\"compatibility\": \"FULL\"}");
    }

    // When a new registry starts on the same broker and topic
    try (EmbeddedSchemaRegistry after = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).topic(topic).start()) {
      RegistryHttp restarted = new RegistryHttp(after.url());
      RestSchemaRegistryClient client = new RestSchemaRegistryClient(after.url());

      // Then it serves the same schemas by id, the same versions and the same level
      assertThat(parse(restarted.get("/schemas/ids/" + first).body().get("schema").asText())).isEqualTo(parse(V1));
      assertThat(client.schemaById(second)).isEqualTo(parse(V2_OPTIONAL_UNIT));
      assertThat(client.register(subject, parse(V1))).isEqualTo(first);
      assertThat(client.register(subject, parse(V2_OPTIONAL_UNIT))).isEqualTo(second);
      assertThat(ints(restarted.get("/subjects/" + subject + "/versions").body())).containsExactly(1, 2);
      assertThat(restarted.get("/config/" + subject).body().get("compatibilityLevel").asText()).isEqualTo("FULL");
      // And a new schema gets a fresh id, not a reused one
      int third = client.register("another-" + subject, parse(V2_REQUIRED_LOCATION));
      assertThat(third).isNotIn(first, second);
    }
  }

  @Test
  void shouldAgreeOnIdsAndVersionsWhenTwoRegistriesShareATopic() throws Exception {
    // Given two registries on one topic, and a subject whose level admits any change
    String topic = "_schemas-it-" + UUID.randomUUID();
    try (EmbeddedSchemaRegistry a = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).topic(topic).start();
         EmbeddedSchemaRegistry b = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).topic(topic).start()) {
      RegistryHttp httpA = new RegistryHttp(a.url());
      RegistryHttp httpB = new RegistryHttp(b.url());
      httpA.put("/config/" + subject, "{\"compatibility\": \"NONE\"}");
      await().atMost(Duration.ofSeconds(10)).until(
          () -> "NONE".equals(httpB.get("/config/" + subject).body().path("compatibilityLevel").asText()));

      // When both register different schemas under the same subject at the same time
      ExecutorService callers = Executors.newFixedThreadPool(2);
      List<Future<List<Integer>>> results = new ArrayList<>();
      try {
        results.add(callers.submit(registerFive(httpA, "FromA")));
        results.add(callers.submit(registerFive(httpB, "FromB")));
        List<Integer> ids = new ArrayList<>();
        for (Future<List<Integer>> result : results) {
          ids.addAll(result.get());
        }

        // Then every registration got its own id and version, and both registries describe the subject alike
        assertThat(ids).hasSize(10).doesNotHaveDuplicates();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
            assertThat(httpB.get("/subjects/" + subject + "/versions").body())
                .isEqualTo(httpA.get("/subjects/" + subject + "/versions").body()));
        assertThat(ints(httpA.get("/subjects/" + subject + "/versions").body()))
            .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        for (int version = 1; version <= 10; version++) {
          assertThat(httpB.get("/subjects/" + subject + "/versions/" + version).body())
              .isEqualTo(httpA.get("/subjects/" + subject + "/versions/" + version).body());
        }
        List<Integer> registeredIds = new ArrayList<>();
        for (int version = 1; version <= 10; version++) {
          registeredIds.add(httpA.get("/subjects/" + subject + "/versions/" + version).body().get("id").asInt());
        }
        assertThat(registeredIds).containsExactlyInAnyOrderElementsOf(ids);
      } finally {
        callers.shutdownNow();
      }
    }
  }

  private Callable<List<Integer>> registerFive(RegistryHttp registryHttp, String recordName) {
    return () -> {
      List<Integer> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        String schema = "{\"type\": \"record\", \"name\": \"" + recordName + i + "\", \"fields\": []}";
        RegistryHttp.Answer answer = registryHttp.post("/subjects/" + subject + "/versions", schemaBody(schema));
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        ids.add(answer.body().get("id").asInt());
      }
      return ids;
    };
  }

  static Schema parse(String json) {
    return new Schema.Parser().parse(json);
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> values = new ArrayList<>();
    array.forEach(node -> values.add(node.asInt()));
    return values;
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(node -> values.add(node.asText()));
    return values;
  }
}
