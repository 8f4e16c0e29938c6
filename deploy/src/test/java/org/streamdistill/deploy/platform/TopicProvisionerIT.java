package org.streamdistill.deploy.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;

class TopicProvisionerIT {

  private static EmbeddedKafka kafka;
  private static Admin admin;
  private String namespace;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
    admin = EmbeddedKafkaIT.admin(kafka);
  }

  @AfterAll
  static void stopBroker() {
    admin.close();
    kafka.close();
  }

  @BeforeEach
  void freshNamespace() {
    namespace = "it" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void shouldCreateEveryCatalogueTopicAndItsDeadLetterTwinWithCataloguePartitionsAndCleanupPolicy() throws Exception {
    // Given an empty namespace and the topic catalogue
    Map<String, String> expected = new LinkedHashMap<>();
    for (Topic<?> topic : Topics.ALL) {
      Topic<?> namespaced = topic.inNamespace(namespace);
      expected.put(namespaced.name(), topic.partitions() + " partitions, " + (topic.compacted() ? "compact" : "delete"));
      expected.put(namespaced.deadLetterTopic(), "1 partitions, delete");
    }

    // When the namespace is provisioned
    TopicProvisioner.ProvisioningResult result = new TopicProvisioner(admin).provision(namespace);

    // Then every topic and dead-letter twin was created, with the catalogue's shape
    assertThat(result.created()).containsExactlyElementsOf(expected.keySet());
    assertThat(result.alreadyPresent()).isEmpty();
    assertThat(result.mismatched()).isEmpty();
    assertThat(describe(new ArrayList<>(expected.keySet()))).containsExactlyInAnyOrderEntriesOf(expected);
    // And dead-letter topics keep their records for 30 days
    for (Topic<?> topic : Topics.ALL) {
      assertThat(config(topic.inNamespace(namespace).deadLetterTopic()).get("retention.ms").value())
          .isEqualTo(Long.toString(Duration.ofDays(30).toMillis()));
    }
  }

  @Test
  void shouldLeaveEveryTopicAsItIsWhenProvisionedASecondTime() {
    // Given a provisioned namespace
    TopicProvisioner provisioner = new TopicProvisioner(admin);
    List<String> first = provisioner.provision(namespace).created();

    // When it is provisioned again
    TopicProvisioner.ProvisioningResult second = provisioner.provision(namespace);

    // Then nothing is created and every topic is reported as present and matching
    assertThat(second.created()).isEmpty();
    assertThat(second.alreadyPresent()).containsExactlyElementsOf(first);
    assertThat(second.mismatched()).isEmpty();
  }

  @Test
  void shouldReportButKeepAnExistingTopicWhosePartitionCountDiffersFromTheCatalogue() throws Exception {
    // Given the turns topic already exists with 1 partition where the catalogue says 4
    String turns = Topics.TURNS.inNamespace(namespace).name();
    admin.createTopics(List.of(new NewTopic(turns, Optional.of(1), Optional.empty()))).all().get();

    // When the namespace is provisioned
    TopicProvisioner.ProvisioningResult result = new TopicProvisioner(admin).provision(namespace);

    // Then the topic is reported as mismatched, left with its 1 partition, and the rest is created
    assertThat(result.mismatched()).containsExactly(turns);
    assertThat(result.alreadyPresent()).containsExactly(turns);
    assertThat(result.created()).hasSize(2 * Topics.ALL.size() - 1).doesNotContain(turns);
    assertThat(describe(List.of(turns))).containsExactly(Map.entry(turns, "1 partitions, delete"));
  }

  /** "N partitions, policy" per topic, as the broker reports them. */
  private static Map<String, String> describe(List<String> names) throws Exception {
    Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames().get();
    Map<String, String> shapes = new LinkedHashMap<>();
    for (String name : names) {
      shapes.put(name, descriptions.get(name).partitions().size() + " partitions, "
          + config(name).get("cleanup.policy").value());
    }
    return shapes;
  }

  private static Config config(String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    return admin.describeConfigs(List.of(resource)).all().get().get(resource);
  }
}
