package org.streamdistill.evaluator.lag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streamdistill.schemas.metrics.PrometheusText;

class LagCommandTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final List<Socket> held = new ArrayList<>();

  @AfterEach
  void release() throws IOException {
    for (Socket socket : held) {
      socket.close();
    }
  }

  /**
   * A loopback port bound by a socket that does not listen, held until the test ends: connections
   * to it are refused, and no other socket can bind it meanwhile (a closed probe's port could be).
   */
  private int refusingPort() throws IOException {
    Socket socket = new Socket();
    held.add(socket);
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return socket.getLocalPort();
  }

  private int run(String... args) {
    return LagCommand.run(List.of(args), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new CompletableFuture<>());
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void shouldExitWithTwoAndOneLineNamingTheFlagForABadValue() {
    int code = run("--window", "1", "--once");

    assertThat(code).isEqualTo(2);
    assertThat(err()).isEqualTo("lag: Invalid value 1 for --window (lag.window.samples): Value must be at least 2"
        + System.lineSeparator());
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void shouldExitWithTwoForAFlagWithoutValue() {
    int code = run("--bootstrap-servers");

    assertThat(code).isEqualTo(2);
    assertThat(err()).isEqualTo("lag: flag --bootstrap-servers needs a value" + System.lineSeparator());
  }

  @Test
  void shouldExitWithTwoForAnUnknownFlag() {
    int code = run("--grups", "a");

    assertThat(code).isEqualTo(2);
    assertThat(err()).startsWith("lag: unknown setting 'grups'; known settings: [").endsWith("]" + System.lineSeparator());
    assertThat(err().lines()).hasSize(1);
  }

  @Test
  void shouldExitWithTwoNamingTheFlagForMalformedBootstrapServers() {
    int code = run("--bootstrap-servers", "no-port-here", "--once");

    assertThat(code).isEqualTo(2);
    assertThat(err()).isEqualTo("lag: --bootstrap-servers no-port-here: Invalid url in bootstrap.servers: no-port-here"
        + System.lineSeparator());
  }

  @Test
  void shouldServeMetricsUntilStoppedAndCountFailedSamplesWhileKafkaIsAway() throws Exception {
    // Given a port nothing listens on, and the command serving on a free HTTP port
    int kafkaPort = refusingPort();
    CompletableFuture<Void> stop = new CompletableFuture<>();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> LagCommand.run(List.of(
        "--bootstrap-servers", "127.0.0.1:" + kafkaPort, "--http-port", "0", "--http-host", "127.0.0.1",
        "--interval", "100", "--timeout", "200", "--print-every", "0"), Map.of(),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), stop));
    Pattern serving = Pattern.compile("lag: serving http://127\\.0\\.0\\.1:(\\d+)/metrics and /lag \\(Ctrl-C to stop\\)");
    AtomicReference<Matcher> line = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      line.set(serving.matcher(out.toString(StandardCharsets.UTF_8).trim()));
      return line.get().matches();
    });
    URI metrics = URI.create("http://127.0.0.1:" + line.get().group(1) + "/metrics");
    HttpClient client = HttpClient.newHttpClient();

    // When /metrics is scraped after a few failed samples
    AtomicReference<String> body = new AtomicReference<>("");
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      body.set(client.send(HttpRequest.newBuilder(metrics).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
      return failures(body.get()) > 0;
    });
    stop.complete(null);

    // Then it served no lag gauge but the failure counter (besides the JVM's metrics), and the command ends with 0
    assertThat(PrometheusText.parse(body.get())).map(PrometheusText.Sample::name)
        .filteredOn(name -> name.startsWith("streamdistill_"))
        .containsExactly("streamdistill_lag_monitor_sample_failures_total");
    assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
  }

  private static double failures(String scrape) {
    return PrometheusText.value(PrometheusText.parse(scrape), "streamdistill_lag_monitor_sample_failures_total",
        java.util.Map.of());
  }

  @Test
  void shouldPrintUsageAndEverySettingForHelp() {
    int code = run("--help");

    assertThat(code).isZero();
    String usage = out.toString(StandardCharsets.UTF_8);
    assertThat(usage).startsWith("Usage: streamdistill lag");
    for (String key : LagConfig.DEFINITION.names()) {
      assertThat(usage).contains("--" + key);
    }
  }

  @Test
  void shouldExitWithOneAndSayWhichBrokerDidNotAnswer() throws Exception {
    // Given a port nothing listens on
    int port = refusingPort();

    // When one table is asked for with a short timeout
    int code = run("--bootstrap-servers", "127.0.0.1:" + port, "--once", "--window", "2", "--interval", "10",
        "--timeout", "500");

    // Then the command fails with one line that names the broker, and prints no table
    assertThat(code).isEqualTo(1);
    assertThat(err().lines().toList()).hasSize(2);
    assertThat(err().lines().toList().get(1)).startsWith("lag: ").contains("127.0.0.1:" + port);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
