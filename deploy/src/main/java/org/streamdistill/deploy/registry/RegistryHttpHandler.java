package org.streamdistill.deploy.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.schemas.http.BoundedHttpServer;

/**
 * Maps the Confluent Schema Registry REST API onto {@link SchemaRegistryService}: parses the
 * path and JSON body, and answers JSON with Confluent's content type, status codes and
 * {@code {"error_code": ..., "message": ...}} bodies. A body over the registry's limit gets 413
 * before it is read, one that stalls 408 (both with the same error body).
 *
 * <pre>
 * GET    /                                              {}
 * GET    /schemas/ids/{id}                              {"schema": "..."}
 * GET    /schemas/ids/{id}/versions                     [{"subject": "...", "version": n}]
 * GET    /schemas/ids/{id}/subjects                     ["..."]
 * GET    /subjects                                      ["..."]
 * POST   /subjects/{subject}                            lookup: {"subject", "version", "id", "schema"}
 * GET    /subjects/{subject}/versions                   [1, 2]
 * POST   /subjects/{subject}/versions                   register: {"id": n}
 * GET    /subjects/{subject}/versions/{version|latest}  {"subject", "version", "id", "schema"}
 * GET    /subjects/{subject}/versions/{version}/schema  the schema itself
 * GET    /config                                        {"compatibilityLevel": "BACKWARD"}
 * PUT    /config                                        {"compatibility": "FULL"} -> same
 * GET    /config/{subject}[?defaultToGlobal=true]       {"compatibilityLevel": "..."}
 * PUT    /config/{subject}                              {"compatibility": "..."} -> same
 * DELETE /config/{subject}                              {"compatibilityLevel": removed level}
 * POST   /compatibility/subjects/{subject}/versions[/{version|latest}]
 *                                                       {"is_compatible": bool, "messages": [...]}
 * </pre>
 */
final class RegistryHttpHandler extends Handler.Abstract {

  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SchemaRegistryService service;
  private final int maxRequestBytes;
  private final Duration bodyTimeout;

  /**
   * @param maxRequestBytes largest request body (a schema and its JSON escaping)
   * @param bodyTimeout how long a body may take to arrive
   */
  RegistryHttpHandler(SchemaRegistryService service, int maxRequestBytes, Duration bodyTimeout) {
    this.service = service;
    this.maxRequestBytes = maxRequestBytes;
    this.bodyTimeout = bodyTimeout;
  }

  /** The busy answer of the registry's server: Confluent's error body with code 503. */
  static BoundedHttpServer.Busy busy() {
    return new BoundedHttpServer.Busy(CONTENT_TYPE,
        error(503, "The schema registry is at capacity; retry later").toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The body of a 401, Confluent's: the registry says no more about why. */
  static String unauthorizedBody() {
    return error(401, "Unauthorized").toString();
  }

  /** A request as the routes see it. */
  private record Request(String method, List<String> path, Map<String, String> query, byte[] body) {
    JsonNode json() {
      if (body.length == 0) {
        return JSON.createObjectNode();
      }
      try {
        JsonNode node = JSON.readTree(body);
        if (node == null || !node.isObject()) {
          throw new RegistryError(422, 422, "Request body must be a JSON object");
        }
        return node;
      } catch (JsonProcessingException e) {
        throw new RegistryError(400, 400, "Request body is not JSON: " + e.getOriginalMessage());
      } catch (IOException e) {
        throw new UncheckedIOException(e); // reading a byte array does not fail
      }
    }

    /** The Avro schema of a register, lookup or compatibility request. */
    String schema() {
      JsonNode body = json();
      String type = body.path("schemaType").asText("AVRO");
      if (!"AVRO".equalsIgnoreCase(type)) {
        throw RegistryError.invalidSchema("Only AVRO schemas are supported, got schemaType " + type);
      }
      if (body.path("references").size() > 0) {
        throw RegistryError.invalidSchema("Schema references are not supported: inline the referenced types");
      }
      JsonNode schema = body.get("schema");
      return schema == null || schema.isNull() ? null : schema.asText();
    }
  }

  @Override
  public boolean handle(org.eclipse.jetty.server.Request exchange, org.eclipse.jetty.server.Response answer,
                        Callback callback) throws IOException {
    String method = exchange.getMethod();
    String rawPath = exchange.getHttpURI().getPath();
    int status = 200;
    JsonNode response;
    try {
      byte[] body;
      try {
        body = BoundedHttpServer.readBody(exchange, maxRequestBytes, bodyTimeout);
      } catch (BoundedHttpServer.BodyException e) {
        throw new RegistryError(e.status(), e.status(), e.getMessage());
      } catch (IOException e) {
        callback.failed(e); // the client's connection broke while sending: nobody to answer
        return true;
      }
      response = route(new Request(method, segments(rawPath), query(exchange.getHttpURI().getQuery()), body));
    } catch (RegistryError e) {
      status = e.status();
      response = error(e.errorCode(), e.getMessage());
      if (status >= 500) {
        LOG.warn("{} {} failed: {}", method, rawPath, e.getMessage(), e.getCause());
      }
    } catch (RuntimeException e) {
      status = 500;
      // The exception stays in the log: its message may name hosts or files of this machine.
      response = error(RegistryError.STORE_ERROR, "Internal error; the registry's log has the cause");
      LOG.error("{} {} failed", method, rawPath, e);
    }
    LOG.debug("{} {} -> {}", method, rawPath, status);
    BoundedHttpServer.answer(answer, callback, status, CONTENT_TYPE, JSON.writeValueAsBytes(response));
    return true;
  }

  private JsonNode route(Request request) {
    List<String> p = request.path();
    if (p.isEmpty()) {
      allow(request, "GET");
      return JSON.createObjectNode();
    }
    switch (p.get(0)) {
      case "schemas":
        return schemas(request);
      case "subjects":
        return subjects(request);
      case "config":
        return config(request);
      case "compatibility":
        return compatibility(request);
      default:
        throw notFound(request);
    }
  }

  private JsonNode schemas(Request request) {
    List<String> p = request.path();
    if (p.size() < 3 || p.size() > 4 || !"ids".equals(p.get(1))) {
      throw notFound(request);
    }
    allow(request, "GET");
    int id = parseId(p.get(2));
    if (p.size() == 3) {
      return JSON.createObjectNode().put("schema", service.schemaById(id).toString());
    }
    switch (p.get(3)) {
      case "versions": {
        ArrayNode uses = JSON.createArrayNode();
        service.usesOf(id).forEach(v -> uses.addObject().put("subject", v.subject()).put("version", v.version()));
        return uses;
      }
      case "subjects": {
        ArrayNode subjects = JSON.createArrayNode();
        service.usesOf(id).stream().map(RegistryState.SchemaVersion::subject).distinct().forEach(subjects::add);
        return subjects;
      }
      case "schema":
        return readTree(service.schemaById(id).toString());
      default:
        throw notFound(request);
    }
  }

  private JsonNode subjects(Request request) {
    List<String> p = request.path();
    if (p.size() == 1) {
      allow(request, "GET");
      ArrayNode subjects = JSON.createArrayNode();
      service.subjects().forEach(subjects::add);
      return subjects;
    }
    String subject = p.get(1);
    if (p.size() == 2) {
      allow(request, "POST");
      return describe(service.lookup(subject, request.schema()));
    }
    if (!"versions".equals(p.get(2)) || p.size() > 5) {
      throw notFound(request);
    }
    if (p.size() == 3) {
      if ("POST".equals(request.method())) {
        return JSON.createObjectNode().put("id", service.register(subject, request.schema()));
      }
      allow(request, "GET");
      ArrayNode versions = JSON.createArrayNode();
      service.versions(subject).forEach(versions::add);
      return versions;
    }
    allow(request, "GET");
    RegistryState.SchemaVersion version = service.version(subject, p.get(3));
    if (p.size() == 4) {
      return describe(version);
    }
    if ("schema".equals(p.get(4))) {
      return readTree(version.canonical());
    }
    throw notFound(request);
  }

  private JsonNode config(Request request) {
    List<String> p = request.path();
    if (p.size() > 2) {
      throw notFound(request);
    }
    Optional<String> subject = p.size() == 2 ? Optional.of(p.get(1)) : Optional.empty();
    switch (request.method()) {
      case "GET": {
        CompatibilityLevel level = subject
            .map(s -> service.subjectLevel(s, "true".equalsIgnoreCase(request.query().get("defaultToGlobal"))))
            .orElseGet(service::globalLevel);
        return JSON.createObjectNode().put("compatibilityLevel", level.name());
      }
      case "PUT": {
        JsonNode body = request.json();
        String name = body.hasNonNull("compatibility")
            ? body.get("compatibility").asText()
            : body.path("compatibilityLevel").asText(null);
        CompatibilityLevel level = CompatibilityLevel.parse(name);
        service.setLevel(subject, level);
        return JSON.createObjectNode().put("compatibility", level.name());
      }
      case "DELETE": {
        if (subject.isEmpty()) {
          throw methodNotAllowed(request);
        }
        return JSON.createObjectNode().put("compatibilityLevel", service.deleteSubjectLevel(subject.get()).name());
      }
      default:
        throw methodNotAllowed(request);
    }
  }

  private JsonNode compatibility(Request request) {
    List<String> p = request.path();
    if (p.size() < 4 || p.size() > 5 || !"subjects".equals(p.get(1)) || !"versions".equals(p.get(3))) {
      throw notFound(request);
    }
    allow(request, "POST");
    SchemaRegistryService.CompatibilityResult result =
        service.testCompatibility(p.get(2), p.size() == 5 ? p.get(4) : null, request.schema());
    ObjectNode response = JSON.createObjectNode().put("is_compatible", result.compatible());
    ArrayNode messages = response.putArray("messages");
    result.messages().forEach(messages::add);
    return response;
  }

  private static ObjectNode describe(RegistryState.SchemaVersion version) {
    return JSON.createObjectNode()
        .put("subject", version.subject())
        .put("version", version.version())
        .put("id", version.id())
        .put("schema", version.canonical());
  }

  private static int parseId(String id) {
    try {
      return Integer.parseInt(id);
    } catch (NumberFormatException e) {
      throw RegistryError.schemaNotFound("Schema " + id + " not found: ids are integers.");
    }
  }

  private static void allow(Request request, String method) {
    if (!method.equals(request.method())) {
      throw methodNotAllowed(request);
    }
  }

  private static RegistryError notFound(Request request) {
    return new RegistryError(404, 404, "HTTP 404 Not Found: no resource /" + String.join("/", request.path()));
  }

  private static RegistryError methodNotAllowed(Request request) {
    return new RegistryError(405, 405, "HTTP 405 Method Not Allowed: " + request.method() + " /"
        + String.join("/", request.path()));
  }

  private static ObjectNode error(int code, String message) {
    return JSON.createObjectNode().put("error_code", code).put("message", message);
  }

  private static JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("stored schema is not JSON", e); // stored schemas were parsed on the way in
    }
  }

  /** Path segments, percent-decoded one by one so an encoded '/' stays inside its subject. */
  private static List<String> segments(String rawPath) {
    List<String> segments = new ArrayList<>();
    for (String raw : rawPath.split("/")) {
      if (!raw.isEmpty()) {
        segments.add(decode(raw));
      }
    }
    return segments;
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> query = new HashMap<>();
    if (rawQuery == null) {
      return query;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        query.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
      } else if (!pair.isEmpty()) {
        query.put(decode(pair), "");
      }
    }
    return query;
  }

  /** Percent-decoding without URLDecoder's form rule that turns '+' into a space. */
  private static String decode(String raw) {
    return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
