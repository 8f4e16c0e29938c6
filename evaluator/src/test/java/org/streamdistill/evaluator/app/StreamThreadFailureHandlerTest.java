package org.streamdistill.evaluator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.streamdistill.schemas.registry.SchemaRegistryException;

class StreamThreadFailureHandlerTest {

  private final List<Long> pauses = new ArrayList<>();
  private long nowMillis = 1_000_000;
  private final StreamThreadFailureHandler handler =
      new StreamThreadFailureHandler("evaluator", pauses::add, () -> nowMillis);

  private static StreamsException brokerAway() {
    return new StreamsException("task 0_0 timed out", new TimeoutException("Timeout of 300000ms expired"));
  }

  @Test
  void shouldReplaceTheThreadAfterGrowingBoundedPausesWhileTheBrokerIsAway() {
    List<StreamThreadExceptionResponse> responses = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      responses.add(handler.handle(brokerAway()));
      nowMillis += 40_000;
    }

    assertThat(responses).containsOnly(StreamThreadExceptionResponse.REPLACE_THREAD);
    assertThat(pauses).containsExactly(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L, 30_000L);
    assertThat(handler.replacedThreads()).isEqualTo(7);
  }

  @Test
  void shouldStartThePausesOverAfterAQuietPeriod() {
    handler.handle(brokerAway());
    handler.handle(brokerAway());
    nowMillis += StreamThreadFailureHandler.QUIET_PERIOD.toMillis();

    handler.handle(brokerAway());

    assertThat(pauses).containsExactly(1_000L, 2_000L, 1_000L);
  }

  @Test
  void shouldReplaceTheThreadWhileTheRegistryIsDownAndAfterErrorsTheClientDidNotMarkRetriable() {
    assertThat(handler.handle(new StreamsException(new SchemaRegistryException(503, 50301, "unavailable"))))
        .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    // As the soak saw it after the broker came back from a freeze
    assertThat(handler.handle(new StreamsException(new KafkaException(
        "Unexpected error from SyncGroup: The coordinator is loading and hence can't process requests."))))
        .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    assertThat(handler.handle(new IllegalStateException("a defect"))).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    assertThat(pauses).containsExactly(1_000L, 2_000L, 4_000L);
    assertThat(StreamThreadFailureHandler.isOutage(new StreamsException(new SchemaRegistryException(503, 1, "x"))))
        .isTrue();
    assertThat(StreamThreadFailureHandler.isOutage(new IllegalStateException("a defect"))).isFalse();
  }

  @Test
  void shouldShutDownOnFencingRefusedPermissionsAndBadSettings() {
    assertThat(handler.handle(new StreamsException(new ProducerFencedException("fenced"))))
        .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    assertThat(handler.handle(new StreamsException(new TopicAuthorizationException("no ACL"))))
        .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    assertThat(handler.handle(new ConfigException("evaluator.promotion.alpha", 2, "must be < 1")))
        .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    assertThat(pauses).isEmpty();
    assertThat(handler.replacedThreads()).isZero();
  }
}
