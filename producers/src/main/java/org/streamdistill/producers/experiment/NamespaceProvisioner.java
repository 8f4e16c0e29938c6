package org.streamdistill.producers.experiment;

import org.streamdistill.schemas.config.KafkaClientSettings;

/**
 * Creates the topics of a namespace before a replay writes into it. The platform passes one
 * that creates every catalogue topic (so the teacher, trainer and evaluator can run on the
 * namespace); {@link TurnsTopicCreator} creates just the turns topic and its dead-letter twin.
 */
@FunctionalInterface
public interface NamespaceProvisioner {

  /**
   * Creates the missing topics of {@code namespace}; existing ones are left as they are.
   *
   * @param kafka {@code kafka.*} settings of the admin client (security, say)
   */
  void provision(String bootstrapServers, KafkaClientSettings kafka, String namespace);

  /** The same, on a cluster that needs no client settings beyond its address. */
  default void provision(String bootstrapServers, String namespace) {
    provision(bootstrapServers, KafkaClientSettings.NONE, namespace);
  }
}
