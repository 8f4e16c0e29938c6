package org.streamdistill.producers.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class IngestConfigTest {

  private static final String TOKEN = "abcdefghijklmnop-0123";

  @Test
  void shouldTakeTheTokenFromTheEnvironmentAndDefaultsForTheRest() {
    IngestConfig config = IngestConfig.parse(List.of("--port", "9001"), Map.of("STREAMDISTILL_INGEST_TOKEN", TOKEN));

    assertThat(config.token().value()).isEqualTo(TOKEN);
    assertThat(config.port()).isEqualTo(9001);
    assertThat(config.maxTextBytes()).isEqualTo(4096);
    assertThat(config.deliveryTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.recoverIndexes()).isTrue();
  }

  @Test
  void shouldRefuseToStartWithoutAToken() {
    assertThatThrownBy(() -> IngestConfig.parse(List.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("ingest.token");
  }

  @Test
  void shouldRefuseAShortTokenWithoutPrintingIt() {
    assertThatThrownBy(() -> IngestConfig.parse(List.of("--ingest.token", "tiny-secret"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("ingest.token must be at least 16 characters, got 11 (e.g. openssl rand -hex 24)")
        .hasMessageNotContaining("tiny-secret");
  }

  @Test
  void shouldLeaveTheTokenOutOfToString() {
    IngestConfig config = IngestConfig.of(Map.of(IngestConfig.TOKEN, TOKEN));

    assertThat(config.toString()).doesNotContain(TOKEN).contains("token=[hidden]");
  }

  @Test
  void shouldRefuseATextLimitBelowOneNamingTheKey() {
    assertThatThrownBy(() -> IngestConfig.of(Map.of(IngestConfig.TOKEN, TOKEN, IngestConfig.MAX_TEXT_BYTES, "0")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("ingest.max-text-bytes");
  }

  @Test
  void shouldBoundConversationsAndHttpByDefaultAndTakeOverrides() {
    IngestConfig defaults = IngestConfig.of(Map.of(IngestConfig.TOKEN, TOKEN));
    IngestConfig tuned = IngestConfig.of(Map.of(IngestConfig.TOKEN, TOKEN, IngestConfig.HTTP_THREADS, "8",
        "ingest.http.header-timeout-ms", "500", IngestConfig.CONVERSATION_IDLE_EXPIRY_MS, "60000",
        IngestConfig.MAX_CONVERSATIONS, "10"));

    assertThat(defaults.conversationIdleExpiry()).isEqualTo(Duration.ofHours(24));
    assertThat(defaults.maxConversations()).isEqualTo(100_000);
    assertThat(defaults.httpLimits()).isEqualTo(
        org.streamdistill.schemas.http.BoundedHttpServer.Limits.defaults(64));
    assertThat(tuned.httpLimits().maxConcurrentRequests()).isEqualTo(8);
    assertThat(tuned.httpLimits().headerTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(List.of(tuned.conversationIdleExpiry(), tuned.maxConversations()))
        .containsExactly(Duration.ofMinutes(1), 10);
  }

  @Test
  void shouldRefuseAnHttpQueueWaitOfZeroNamingTheKey() {
    assertThatThrownBy(() -> IngestConfig.of(Map.of(IngestConfig.TOKEN, TOKEN, "ingest.http.max-queue-wait-ms", "0")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("ingest.http.max-queue-wait-ms");
  }
}
