package org.streamdistill.deploy.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Raw HTTP calls to a registry, as a non-Java client would make them. */
final class RegistryHttp {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Status, parsed JSON body and content type of one answer. */
  record Answer(int status, JsonNode body, String contentType) {}

  private final String baseUrl;

  RegistryHttp(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  Answer get(String path) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET());
  }

  Answer post(String path, String jsonBody) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .POST(HttpRequest.BodyPublishers.ofString(jsonBody)));
  }

  Answer put(String path, String jsonBody) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(jsonBody)));
  }

  /** {"schema": "<schema JSON as a string>"}, the body of register, lookup and compatibility calls. */
  static String schemaBody(String schemaJson) {
    return JSON.createObjectNode().put("schema", schemaJson).toString();
  }

  private static Answer send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), JSON.readTree(response.body()),
          response.headers().firstValue("Content-Type").orElse(""));
    } catch (IOException e) {
      throw new AssertionError("registry call failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
