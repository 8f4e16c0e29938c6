package org.streamdistill.producers.experiment;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;

/**
 * Creates only a namespace's turns topic (with the catalogue's partitions) and its
 * dead-letter twin: enough for a replay to write. The platform's provisioner creates the
 * whole catalogue; this one serves the producers' own command line.
 */
public final class TurnsTopicCreator implements NamespaceProvisioner {

  @Override
  public void provision(String bootstrapServers, KafkaClientSettings kafka, String namespace) {
    Topic<DialogueTurn> turns = Topics.TURNS.inNamespace(namespace);
    List<NewTopic> topics = List.of(
        new NewTopic(turns.name(), Optional.of(turns.partitions()), Optional.empty())
            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)),
        new NewTopic(turns.deadLetterTopic(), Optional.of(1), Optional.empty())
            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)));
    try (Admin admin = Admin.create(kafka.withOwn(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)))) {
      for (var entry : admin.createTopics(topics).values().entrySet()) {
        try {
          entry.getValue().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + entry.getKey() + ": " + e.getCause().getMessage(),
                e.getCause());
          }
        } catch (TimeoutException e) {
          throw new IllegalStateException("cluster did not confirm topic " + entry.getKey() + " within 30 s", e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while creating topic " + entry.getKey(), e);
        }
      }
    }
  }
}
