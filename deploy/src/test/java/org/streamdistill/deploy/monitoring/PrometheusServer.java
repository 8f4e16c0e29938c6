package org.streamdistill.deploy.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's {@code prometheus} package) as a child process of the test,
 * on a free loopback port, with its data and log in a directory of the test's, and its HTTP API
 * ({@code /api/v1/...}) read as JSON. {@link #close()} kills it.
 */
final class PrometheusServer implements AutoCloseable {

  static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final URI base;
  private final Path log;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private PrometheusServer(Process process, URI base, Path log) {
    this.process = process;
    this.base = base;
    this.log = log;
  }

  /** Starts Prometheus on {@code config}, keeping its TSDB and log in {@code dir}. */
  static PrometheusServer start(Path config, Path dir) throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Path log = dir.resolve("prometheus.log");
    Process process = new ProcessBuilder(PROMETHEUS.toString(),
        "--config.file=" + config.toAbsolutePath(),
        "--storage.tsdb.path=" + dir.resolve("data").toAbsolutePath(),
        "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new PrometheusServer(process, URI.create("http://127.0.0.1:" + port), log);
  }

  /** Runs {@code promtool} with {@code args}; its exit code and what it printed. */
  static ToolResult promtool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
    command.addAll(List.of(args));
    Process tool = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!tool.waitFor(60, TimeUnit.SECONDS)) {
      tool.destroyForcibly();
      throw new IllegalStateException("promtool " + args[0] + " did not finish within 60 s");
    }
    return new ToolResult(tool.exitValue(), output);
  }

  record ToolResult(int exitCode, String output) {}

  /** True once {@code /-/ready} answers 200; fails when the process has exited. */
  boolean ready() throws IOException, InterruptedException {
    if (!process.isAlive()) {
      throw new IllegalStateException("prometheus exited with " + process.exitValue() + ":\n" + Files.readString(log));
    }
    try {
      return http.send(HttpRequest.newBuilder(base.resolve("/-/ready")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException notListeningYet) {
      return false;
    }
  }

  /** The {@code data} of an API answer to {@code GET path}; fails unless its status is "success". */
  JsonNode api(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(response.body());
    if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new IllegalStateException("GET " + path + ": " + response.statusCode() + " " + response.body());
    }
    return body.get("data");
  }

  /** The series an instant query of {@code promql} returns now (an empty array for none). */
  JsonNode query(String promql) throws IOException, InterruptedException {
    JsonNode data = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    if (!"vector".equals(data.get("resultType").asText())) {
      throw new IllegalStateException(promql + " returned a " + data.get("resultType").asText() + ", not a vector");
    }
    return data.get("result");
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
