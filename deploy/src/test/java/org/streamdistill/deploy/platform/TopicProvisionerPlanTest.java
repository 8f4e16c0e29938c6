package org.streamdistill.deploy.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicProvisionerPlanTest {

  @Test
  void shouldPlanEveryCatalogueTopicFollowedByItsDeadLetterTwinInsideTheNamespace() {
    // Given the catalogue of six topics
    // When a namespace is planned
    List<TopicProvisioner.TopicSpec> plan = TopicProvisioner.plan("exp1");

    // Then each topic comes with its catalogue shape, followed by a one-partition dead-letter twin
    String dlqRetention = Long.toString(TopicProvisioner.DEAD_LETTER_RETENTION_MS);
    assertThat(plan).containsExactly(
        spec("exp1.dialogue.turns", 4, "delete"), dlq("exp1.dialogue.turns.dlq", dlqRetention),
        spec("exp1.teacher.soft-labels", 4, "delete"), dlq("exp1.teacher.soft-labels.dlq", dlqRetention),
        spec("exp1.student.predictions", 4, "delete"), dlq("exp1.student.predictions.dlq", dlqRetention),
        spec("exp1.student.checkpoints", 1, "compact"), dlq("exp1.student.checkpoints.dlq", dlqRetention),
        spec("exp1.evaluator.metrics", 1, "delete"), dlq("exp1.evaluator.metrics.dlq", dlqRetention),
        spec("exp1.model.promotions", 1, "compact"), dlq("exp1.model.promotions.dlq", dlqRetention));
  }

  @Test
  void shouldPlanTheProductionNamesWithoutANamespace() {
    // Given no namespace
    // When planned
    List<String> names = TopicProvisioner.plan("").stream().map(TopicProvisioner.TopicSpec::name).toList();

    // Then the names are the catalogue's own
    assertThat(names).startsWith("dialogue.turns", "dialogue.turns.dlq").hasSize(12);
  }

  private static TopicProvisioner.TopicSpec spec(String name, int partitions, String policy) {
    return new TopicProvisioner.TopicSpec(name, partitions, policy, Map.of("cleanup.policy", policy));
  }

  private static TopicProvisioner.TopicSpec dlq(String name, String retention) {
    return new TopicProvisioner.TopicSpec(name, 1, "delete",
        Map.of("cleanup.policy", "delete", "retention.ms", retention));
  }
}
