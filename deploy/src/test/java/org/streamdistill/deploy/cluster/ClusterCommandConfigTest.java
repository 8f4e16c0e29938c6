package org.streamdistill.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterCommandConfigTest {

  @Test
  void shouldTakeProvisionSettingsFromFileEnvironmentAndFlagsLikeEveryCommand(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("p.properties"), "topic.namespace=from-file\nprovision.replication-factor=2\n");

    Map<String, Object> settings = ClusterCommandConfig.provision(List.of("--config", file.toString(),
        "--replication-factor", "3"), Map.of("STREAMDISTILL_BOOTSTRAP_SERVERS", "kafka-1:9092"));

    assertThat(settings).containsEntry(ClusterCommandConfig.BOOTSTRAP_SERVERS, "kafka-1:9092")
        .containsEntry(ClusterCommandConfig.NAMESPACE, "from-file")
        .containsEntry(ClusterCommandConfig.REPLICATION_FACTOR, 3);
    assertThat(ClusterCommandConfig.provision(List.of(), Map.of()))
        .containsEntry(ClusterCommandConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9092")
        .containsEntry(ClusterCommandConfig.REPLICATION_FACTOR, 0);
  }

  @Test
  void shouldTakeRegistrySettingsAndNameABadOne() {
    Map<String, Object> settings = ClusterCommandConfig.registry(List.of("--bootstrap-servers", "k:9092", "--port",
        "18081", "--bind", "0.0.0.0"), Map.of());

    assertThat(settings).containsEntry(ClusterCommandConfig.BOOTSTRAP_SERVERS, "k:9092")
        .containsEntry(ClusterCommandConfig.REGISTRY_PORT, 18081)
        .containsEntry(ClusterCommandConfig.REGISTRY_BIND, "0.0.0.0")
        .containsEntry(ClusterCommandConfig.REGISTRY_TOPIC, "_schemas");
    assertThatThrownBy(() -> ClusterCommandConfig.registry(List.of("--port", "99999"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("registry.port");
    assertThatThrownBy(() -> ClusterCommandConfig.registry(List.of("--prot", "1"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("unknown setting 'prot'");
  }

  @Test
  void shouldTakeRegistryUsersFromTheEnvironmentAndAFileTogether(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("users"), "# registry users\ntrainer:t-pass\n");

    Map<String, Object> settings = ClusterCommandConfig.registry(List.of("--registry.auth.users-file", file.toString()),
        Map.of("STREAMDISTILL_REGISTRY_AUTH_USERS", "ingest:i-pass,reader:r:pass"));
    org.streamdistill.schemas.http.BasicAuthUsers users = ClusterCommandConfig.registryUsers(settings);

    assertThat(users.users()).containsExactly("ingest", "reader", "trainer");
    assertThat(users.authenticate(org.streamdistill.schemas.http.BasicCredentials.parse("reader:r:pass")
        .authorizationHeader())).isEqualTo("reader");
    assertThat(ClusterCommandConfig.registryUsers(ClusterCommandConfig.registry(List.of(), Map.of()))).isNull();
    assertThat(ClusterCommandConfig.REGISTRY_LOADER.help()).contains("--registry.auth.users  [password, default null]")
        .contains("--registry.http.ssl.keystore.location");
  }

  @Test
  void shouldNameTheSettingOfABadUserEntryOrMissingFileWithoutAnyPassword(@TempDir Path dir) {
    Map<String, Object> malformed = ClusterCommandConfig.registry(List.of(),
        Map.of("STREAMDISTILL_REGISTRY_AUTH_USERS", "ingest:i-pass,reader-r-pass"));
    assertThatThrownBy(() -> ClusterCommandConfig.registryUsers(malformed))
        .isInstanceOf(ConfigException.class)
        .hasMessage("registry.auth.users: user entry 2: expected user:password, got a value without ':'");

    Map<String, Object> missing = ClusterCommandConfig.registry(List.of("--registry.auth.users-file",
        dir.resolve("nope").toString()), Map.of());
    assertThatThrownBy(() -> ClusterCommandConfig.registryUsers(missing))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("registry.auth.users-file: cannot read ");
  }
}
