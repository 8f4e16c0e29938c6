package org.streamdistill.evaluator.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.streamdistill.evaluator.lag.MonitoredGroup;

class ConsoleConfigTest {

  @Test
  void shouldBindLoopbackByDefaultAndTakeTheSharedKeysAsFlags() {
    ConsoleConfig config = ConsoleConfig.parse(List.of("--bootstrap-servers", "k:9092", "--schema.registry.url",
        "http://r:8081", "--topic.namespace", "exp1", "--port", "0"), Map.of("STREAMDISTILL_CONSOLE_REFRESH_MS", "500"));

    assertThat(config.bootstrapServers()).isEqualTo("k:9092");
    assertThat(config.registryUrl()).isEqualTo("http://r:8081");
    assertThat(config.namespace()).isEqualTo("exp1");
    assertThat(config.httpHost()).isEqualTo("127.0.0.1");
    assertThat(config.httpPort()).isZero();
    assertThat(config.refresh()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.lagSettings().groups()).extracting(MonitoredGroup::groupId)
        .containsExactly("exp1-teacher-stream", "exp1-student-trainer", "exp1-streamdistill-evaluator");
  }

  @Test
  void shouldWatchTheProductionGroupsWithoutANamespaceAndRejectABadPortNamingIt() {
    assertThat(ConsoleConfig.of(Map.of()).lagSettings().groups()).extracting(MonitoredGroup::groupId)
        .containsExactlyElementsOf(MonitoredGroup.PIPELINE_GROUP_IDS);
    assertThatThrownBy(() -> ConsoleConfig.parse(List.of("--port", "-3"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("console.http.port");
  }

  @Test
  void shouldTakeTheConsoleUsersFromTheEnvironmentAndRejectAMalformedEntryNamingTheSetting() {
    ConsoleConfig open = ConsoleConfig.of(Map.of());
    ConsoleConfig guarded = ConsoleConfig.parse(List.of(),
        Map.of("STREAMDISTILL_CONSOLE_AUTH_USERS", "ops:s3cret-pass,viewer:an0ther-pass"));

    assertThat(open.users()).isNull();
    assertThat(open.tls()).isNull();
    assertThat(guarded.users().users()).containsExactlyInAnyOrder("ops", "viewer");
    assertThat(guarded.users().authenticate("Basic " + java.util.Base64.getEncoder()
        .encodeToString("ops:s3cret-pass".getBytes(java.nio.charset.StandardCharsets.UTF_8)))).isEqualTo("ops");
    assertThatThrownBy(() -> ConsoleConfig.of(Map.of(ConsoleConfig.AUTH_USERS, "no-password-here")))
        .isInstanceOf(ConfigException.class).hasMessageContaining(ConsoleConfig.AUTH_USERS)
        .hasMessageNotContaining("no-password-here");
  }
}
