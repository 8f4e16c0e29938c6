package org.streamdistill.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A client of the Confluent Schema Registry REST API ({@code POST /subjects/{s}/versions},
 * {@code GET /schemas/ids/{id}}), which Confluent Schema Registry, Karapace, Redpanda,
 * Apicurio's compatibility API and the embedded registry all serve. Results are cached both
 * ways (subject+schema to id, id to schema): ids are immutable, so the cache never goes stale.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI baseUri;
  private final HttpClient http;
  private final Duration timeout;
  private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

  public RestSchemaRegistryClient(String baseUrl) {
    this(baseUrl, Duration.ofSeconds(10));
  }

  public RestSchemaRegistryClient(String baseUrl, Duration timeout) {
    if (baseUrl == null || baseUrl.isBlank()) {
      throw new IllegalArgumentException("schema registry URL is empty");
    }
    String trimmed = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.baseUri = URI.create(trimmed);
    if (baseUri.getScheme() == null || !baseUri.getScheme().startsWith("http")) {
      throw new IllegalArgumentException("schema registry URL must be http(s)://host:port, got '" + baseUrl + "'");
    }
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public int register(String subject, Schema schema) {
    String canonical = schema.toString();
    String cacheKey = subject + '\u0000' + canonical;
    Integer cached = idsBySubjectAndSchema.get(cacheKey);
    if (cached != null) {
      return cached;
    }
    String body = JSON.createObjectNode().put("schema", canonical).toString();
    JsonNode response = send(HttpRequest.newBuilder(uri("/subjects/" + encode(subject) + "/versions"))
        .POST(HttpRequest.BodyPublishers.ofString(body)), "register a schema under subject " + subject);
    int id = response.path("id").asInt(-1);
    if (id < 0) {
      throw new SchemaRegistryException(200, 0, "registry answered without an id: " + response);
    }
    idsBySubjectAndSchema.put(cacheKey, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  @Override
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode response = send(HttpRequest.newBuilder(uri("/schemas/ids/" + id)).GET(), "fetch schema id " + id);
    Schema schema = new Schema.Parser().parse(response.path("schema").asText());
    schemasById.put(id, schema);
    return schema;
  }

  private JsonNode send(HttpRequest.Builder request, String what) {
    HttpResponse<String> response;
    try {
      response = http.send(request.timeout(timeout)
              .header("Content-Type", CONTENT_TYPE)
              .header("Accept", CONTENT_TYPE)
              .build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new SchemaRegistryException("cannot reach the schema registry at " + baseUri + " to " + what
          + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException("interrupted while asking the schema registry to " + what, e);
    }
    JsonNode body;
    try {
      body = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new SchemaRegistryException(response.statusCode(), 0, "schema registry at " + baseUri
          + " answered " + response.statusCode() + " with a body that is not JSON: " + response.body());
    }
    if (response.statusCode() / 100 != 2) {
      throw new SchemaRegistryException(response.statusCode(), body.path("error_code").asInt(response.statusCode()),
          "schema registry refused to " + what + " (HTTP " + response.statusCode() + "): "
              + body.path("message").asText(response.body()));
    }
    return body;
  }

  private URI uri(String path) {
    return URI.create(baseUri + path);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public String toString() {
    return "RestSchemaRegistryClient[" + baseUri + "]";
  }
}
