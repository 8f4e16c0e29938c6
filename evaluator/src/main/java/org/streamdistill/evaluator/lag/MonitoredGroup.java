package org.streamdistill.evaluator.lag;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.streamdistill.schemas.topic.Topics;

/**
 * A consumer group to watch and the topics it is expected to read. The monitor reports every
 * partition the group has committed offsets for, plus every partition of the expected topics
 * (so a group that has not committed yet, such as a Flink job before its first checkpoint,
 * shows its waiting records instead of nothing).
 *
 * @param groupId the consumer group id (a Kafka Streams application id for a Streams app)
 * @param expectedTopics topics reported even without committed offsets; may be empty
 */
public record MonitoredGroup(String groupId, Set<String> expectedTopics) {

  /** Group of the teacher job's KafkaSource (Flink commits it only on checkpoints). */
  public static final String TEACHER_STREAM = Topics.TEACHER_GROUP;

  /** Group of the student trainer's soft-label consumer (commits at its checkpoints). */
  public static final String STUDENT_TRAINER = Topics.TRAINER_GROUP;

  /** Application id, hence group, of the evaluator's Kafka Streams app. */
  public static final String EVALUATOR = Topics.EVALUATOR_APPLICATION_ID;

  /** The pipeline's group ids, in data-flow order. */
  public static final List<String> PIPELINE_GROUP_IDS = List.of(TEACHER_STREAM, STUDENT_TRAINER, EVALUATOR);

  public MonitoredGroup {
    Objects.requireNonNull(groupId, "groupId");
    if (groupId.isBlank()) {
      throw new IllegalArgumentException("group id must not be blank");
    }
    expectedTopics = Set.copyOf(new TreeSet<>(expectedTopics));
  }

  /**
   * A group by id: the pipeline's groups expect their catalogue input topic (in {@code
   * namespace}, empty for production names); any other group is reported from its commits only.
   */
  public static MonitoredGroup of(String groupId, String namespace) {
    return switch (groupId) {
      case TEACHER_STREAM -> new MonitoredGroup(groupId, Set.of(Topics.TURNS.inNamespace(namespace).name()));
      case STUDENT_TRAINER -> new MonitoredGroup(groupId, Set.of(Topics.SOFT_LABELS.inNamespace(namespace).name()));
      case EVALUATOR -> new MonitoredGroup(groupId, Set.of(Topics.PREDICTIONS.inNamespace(namespace).name()));
      default -> new MonitoredGroup(groupId, Set.of());
    };
  }

  /**
   * The three pipeline groups of {@code namespace}, named by the catalogue's rule ({@code
   * exp1-student-trainer}; production names for the empty namespace), with their input topics.
   */
  public static List<MonitoredGroup> pipeline(String namespace) {
    return PIPELINE_GROUP_IDS.stream().map(id -> new MonitoredGroup(Topics.groupInNamespace(id, namespace),
        of(id, namespace).expectedTopics())).toList();
  }
}
