package org.streamdistill.deploy.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.properties.PropertiesConfigurationFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's filter for the broker's retried appends, alone and as the shipped configuration wires it. */
class RetriedAppendFilterTest {

  private static final String RETRIED = "Invalid sequence number for producer 2 at offset 193 in partition "
      + "streamdistill-evaluator-promotion-state-changelog-0: 19 (incoming seq. number). Expected sequence 0 for "
      + "transactions v2 idempotent producer with no existing state.";

  @Test
  void shouldMatchOnlyTheRetriableOutOfOrderSequenceOfAProducerWithoutStateYet() {
    assertThat(RetriedAppendFilter.matches(new OutOfOrderSequenceException(RETRIED))).isTrue();
    assertThat(RetriedAppendFilter.matches(new OutOfOrderSequenceException("Out of order sequence number for "
        + "producer 1674 at offset 548171 in partition warnings-topic-0: 51 (incoming seq. number), 49 (current end "
        + "sequence number)"))).isFalse();
    assertThat(RetriedAppendFilter.matches(new IllegalStateException(RETRIED))).isFalse();
    assertThat(RetriedAppendFilter.matches(new OutOfOrderSequenceException(null))).isFalse();
    assertThat(RetriedAppendFilter.matches(null)).isFalse();
  }

  @Test
  void shouldKeepTheRetriedAppendOffTheConsoleButInTheLogFileAndLetOtherBrokerErrorsThrough(@TempDir Path dir)
      throws Exception {
    // Given the configuration the commands run with (src/main/resources, not the tests' own), its
    // console on a captured stderr and its file in a scratch directory
    Path logFile = dir.resolve("streamdistill.log");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    String fileProperty = System.getProperty("streamdistill.log.file");
    LoggerContext context = new LoggerContext("retried-append-test");
    try {
      System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
      System.setProperty("streamdistill.log.file", logFile.toString());
      try (InputStream in = RetriedAppendFilter.class.getResourceAsStream("/log4j2.properties")) {
        assertThat(in).as("the shipped log4j2.properties").isNotNull();
        context.start(new PropertiesConfigurationFactory().getConfiguration(context, new ConfigurationSource(in)));
      }

      // When the broker logs a retried append and another append error, Kafka's clients a warning and a
    // stage a line at INFO
      var broker = context.getLogger("kafka.server.ReplicaManager");
      broker.error("[ReplicaManager broker=1] Error processing append operation on partition a-0",
          new OutOfOrderSequenceException(RETRIED));
      broker.error("[ReplicaManager broker=1] Error processing append operation on partition b-0",
          new OutOfOrderSequenceException("Out of order sequence number for producer 1: 51 (incoming seq. "
              + "number), 49 (current end sequence number)"));
      context.getLogger("org.apache.kafka.clients.producer.internals.Sender").warn("retrying partition c-0");
      context.getLogger("org.streamdistill.producers.replay.TurnPublisher").info("published to partition d-0");
    } finally {
      context.stop();
      System.setErr(stderr);
      if (fileProperty == null) {
        System.clearProperty("streamdistill.log.file");
      } else {
        System.setProperty("streamdistill.log.file", fileProperty);
      }
    }

    // Then the console shows the other error only, and the file keeps all four
    String shown = console.toString(StandardCharsets.UTF_8);
    assertThat(shown).contains("partition b-0").doesNotContain("partition a-0").doesNotContain("partition c-0")
        .doesNotContain("partition d-0");
    assertThat(Files.readString(logFile)).contains("partition a-0").contains(RETRIED).contains("partition b-0")
        .contains("partition c-0").contains("partition d-0");
  }

}
