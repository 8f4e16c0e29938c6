package org.streamdistill.evaluator.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ConsoleCommandTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return ConsoleCommand.run(List.of(args), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), CompletableFuture.completedFuture(null));
  }

  @Test
  void shouldListEverySettingForHelp() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: streamdistill console")
        .contains(ConsoleConfig.BOOTSTRAP_SERVERS, ConsoleConfig.REGISTRY_URL, ConsoleConfig.NAMESPACE,
            ConsoleConfig.HTTP_HOST, ConsoleConfig.HTTP_PORT, ConsoleConfig.SERVE_URL);
  }

  @Test
  void shouldNameTheFlagOfABadSettingWithoutAStackTrace() {
    assertThat(run("--port", "70000")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("console: ").contains("console.http.port")
        .doesNotContain("at org.");
  }
}
