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
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.avro.Schema;
import org.streamdistill.schemas.http.BasicCredentials;

/**
 * A client of the Confluent Schema Registry REST API ({@code POST /subjects/{s}/versions},
 * {@code GET /schemas/ids/{id}}), which Confluent Schema Registry, Karapace, Redpanda,
 * Apicurio's compatibility API and the embedded registry all serve. Results are cached both
 * ways (subject+schema to id, id to schema): ids are immutable, so the cache never goes stale.
 *
 * <p>With {@link RegistryClientSettings} it sends HTTP basic credentials and speaks TLS with
 * the trust (and key) store given. Two failures are definite, so {@link
 * RetryingSchemaRegistryClient} passes them on at once: the registry refusing the credentials
 * (401, 403: {@link SchemaRegistryException#isAuthorizationFailure()}) and a TLS handshake that
 * fails on the certificates ({@link SchemaRegistryException#isTlsFailure()}).
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI baseUri;
  private final HttpClient http;
  private final Duration timeout;
  private final BasicCredentials credentials;
  private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

  public RestSchemaRegistryClient(String baseUrl) {
    this(baseUrl, Duration.ofSeconds(10));
  }

  public RestSchemaRegistryClient(String baseUrl, Duration timeout) {
    this(RegistryClientSettings.of(baseUrl), timeout);
  }

  /** A client with the credentials and TLS of {@code settings}. */
  public RestSchemaRegistryClient(RegistryClientSettings settings) {
    this(settings, Duration.ofSeconds(10));
  }

  /**
   * @param timeout bound on connecting and on each request
   * @throws org.apache.kafka.common.config.ConfigException when a store of {@code settings} cannot be read
   */
  public RestSchemaRegistryClient(RegistryClientSettings settings, Duration timeout) {
    String url = settings.url();
    this.baseUri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    this.timeout = timeout;
    this.credentials = settings.credentials();
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout);
    SSLContext ssl = settings.sslContext();
    if (ssl != null) {
      builder.sslContext(ssl);
    }
    this.http = builder.build();
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
    if (credentials != null) {
      request.header("Authorization", credentials.authorizationHeader());
    }
    try {
      response = http.send(request.timeout(timeout)
              .header("Content-Type", CONTENT_TYPE)
              .header("Accept", CONTENT_TYPE)
              .build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      String tlsFailure = certificateFailure(e);
      if (tlsFailure != null) {
        throw SchemaRegistryException.tlsFailure("TLS handshake with the schema registry at " + baseUri
            + " failed, so it could not " + what + ": " + tlsFailure + ". Check that "
            + RegistryClientSettings.TRUSTSTORE_LOCATION + " holds the registry's certificate or its CA, that the "
            + "certificate names the host of the URL, and (mutual TLS) " + RegistryClientSettings.KEYSTORE_LOCATION,
            e);
      }
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
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      throw refused(response.statusCode(), body.path("error_code").asInt(response.statusCode()),
          body.path("message").asText(response.body()), what);
    }
    if (response.statusCode() / 100 != 2) {
      throw new SchemaRegistryException(response.statusCode(), body.path("error_code").asInt(response.statusCode()),
          "schema registry refused to " + what + " (HTTP " + response.statusCode() + "): "
              + body.path("message").asText(response.body()));
    }
    return body;
  }

  private SchemaRegistryException refused(int status, int errorCode, String message, String what) {
    String detail = message == null || message.isBlank() ? "" : ": " + message;
    String text;
    if (credentials == null) {
      text = "schema registry at " + baseUri + " requires credentials (HTTP " + status + ") to " + what + detail
          + "; set " + RegistryClientSettings.USER_INFO + " to user:password";
    } else if (status == 401) {
      text = "schema registry at " + baseUri + " refused credentials for user " + credentials.user() + " (HTTP 401) to "
          + what + detail + "; check " + RegistryClientSettings.USER_INFO;
    } else {
      text = "schema registry at " + baseUri + " does not let user " + credentials.user() + " " + what
          + " (HTTP 403)" + detail;
    }
    return new SchemaRegistryException(status, errorCode, text);
  }

  /**
   * Why a TLS handshake failed when it failed on certificates (not trusted, wrong host, refused by
   * the server for mutual TLS) or on talking TLS to a plain server; null for other failures, which
   * may pass (a registry restarting mid-handshake).
   */
  static String certificateFailure(IOException e) {
    boolean tls = false;
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SSLException) {
        tls = true;
        String message = String.valueOf(cause.getMessage());
        if (message.contains("Unsupported or unrecognized SSL message") || message.contains("bad_certificate")
            || message.contains("certificate_required") || message.contains("unknown_ca")
            || message.contains("certificate_unknown")) {
          return message;
        }
      }
      if (tls && cause instanceof GeneralSecurityException) {
        return cause.getMessage();
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return null;
  }

  private URI uri(String path) {
    return URI.create(baseUri + path);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public String toString() {
    return "RestSchemaRegistryClient[" + baseUri + (credentials != null ? ", user " + credentials.user() : "") + "]";
  }
}
