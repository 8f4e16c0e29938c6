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
}
