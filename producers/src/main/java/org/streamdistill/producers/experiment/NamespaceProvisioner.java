package org.streamdistill.producers.experiment;

/**
 * Creates the topics of a namespace before a replay writes into it. The platform passes one
 * that creates every catalogue topic (so the teacher, trainer and evaluator can run on the
 * namespace); {@link TurnsTopicCreator} creates just the turns topic and its dead-letter twin.
 */
@FunctionalInterface
public interface NamespaceProvisioner {

  /** Creates the missing topics of {@code namespace}; existing ones are left as they are. */
  void provision(String bootstrapServers, String namespace);
}
