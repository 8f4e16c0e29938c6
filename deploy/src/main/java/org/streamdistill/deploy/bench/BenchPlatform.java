package org.streamdistill.deploy.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.streamdistill.deploy.platform.EmbeddedKafka;
import org.streamdistill.deploy.platform.TopicProvisioner;
import org.streamdistill.deploy.registry.EmbeddedSchemaRegistry;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.registry.SchemaRegistryClient;

/**
 * A KRaft broker and the schema registry, without any stage: the throughput sections run one
 * teacher job at a time on it, each in its own topic namespace. Owns both and stops them in
 * reverse order.
 */
final class BenchPlatform implements AutoCloseable {

  private final EmbeddedKafka kafka;
  private final EmbeddedSchemaRegistry registryServer;
  private final SchemaRegistryClient registry;

  private BenchPlatform(EmbeddedKafka kafka, EmbeddedSchemaRegistry registryServer) {
    this.kafka = kafka;
    this.registryServer = registryServer;
    this.registry = new RestSchemaRegistryClient(registryServer.url());
  }

  static BenchPlatform start(Path logDir) {
    EmbeddedKafka kafka = EmbeddedKafka.builder().logDir(logDir).start();
    try {
      return new BenchPlatform(kafka, EmbeddedSchemaRegistry.start(kafka.bootstrapServers()));
    } catch (RuntimeException | Error e) {
      kafka.close();
      throw e;
    }
  }

  String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  String registryUrl() {
    return registryServer.url();
  }

  SchemaRegistryClient registry() {
    return registry;
  }

  /**
   * Creates every catalogue topic (and dead-letter twin) under {@code namespace} and waits until
   * every partition has a leader, so that the first produce does not race the election.
   */
  void provision(String namespace) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      new TopicProvisioner(admin).provision(namespace);
      List<String> names = TopicProvisioner.plan(namespace).stream().map(TopicProvisioner.TopicSpec::name).toList();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        boolean led = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
            .flatMap(d -> d.partitions().stream()).allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        if (led) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topics of namespace " + namespace + " have no leader after 30 s");
        }
        Thread.sleep(50);
      }
    }
  }

  @Override
  public void close() {
    try {
      registryServer.close();
    } finally {
      kafka.close();
    }
  }
}
