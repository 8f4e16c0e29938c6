package org.streamdistill.schemas.topic;

import java.util.List;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.RollingMetrics;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentCheckpoint;
import org.streamdistill.records.StudentPrediction;

/**
 * The catalogue of every topic the pipeline reads or writes. Stages never spell a topic
 * name themselves: they take a {@link Topic} from here (possibly {@link
 * Topic#inNamespace(String) namespaced}), so names, value types and subjects cannot drift
 * apart between modules.
 */
public final class Topics {

  /** Chat turns from live ingestion or replay. */
  public static final Topic<DialogueTurn> TURNS =
      new Topic<>("dialogue.turns", DialogueTurn.class, 4, false, "conversation id");

  /** The teacher's logits per turn. */
  public static final Topic<SoftLabel> SOFT_LABELS =
      new Topic<>("teacher.soft-labels", SoftLabel.class, 4, false, "conversation id");

  /** Prequential student predictions, one per turn. */
  public static final Topic<StudentPrediction> PREDICTIONS =
      new Topic<>("student.predictions", StudentPrediction.class, 4, false, "conversation id");

  /** Saved student versions (metadata; the weights live where the record points). */
  public static final Topic<StudentCheckpoint> CHECKPOINTS =
      new Topic<>("student.checkpoints", StudentCheckpoint.class, 1, true, "model name");

  /** Rolling metrics per model version and window. */
  public static final Topic<RollingMetrics> METRICS =
      new Topic<>("evaluator.metrics", RollingMetrics.class, 1, false, "model version");

  /** Promotion decisions. */
  public static final Topic<PromotionEvent> PROMOTIONS =
      new Topic<>("model.promotions", PromotionEvent.class, 1, true, "model name");

  /** All topics in data-flow order. */
  public static final List<Topic<?>> ALL =
      List.of(TURNS, SOFT_LABELS, PREDICTIONS, CHECKPOINTS, METRICS, PROMOTIONS);

  /**
   * Production consumer group of the teacher job's turns source, and the prefix of its sink's
   * transactional ids. In a namespace: {@link #groupInNamespace}.
   */
  public static final String TEACHER_GROUP = "teacher-stream";

  /** Production consumer group of the student trainer (its transactional id starts with it). */
  public static final String TRAINER_GROUP = "student-trainer";

  /** Production Kafka Streams application id of the evaluator: its group and internal topic prefix. */
  public static final String EVALUATOR_APPLICATION_ID = "streamdistill-evaluator";

  private Topics() {}

  /**
   * The consumer group (or transactional id prefix, or Kafka Streams application id) a stage
   * uses in {@code namespace}: its production name, prefixed by the namespace and a dash
   * ({@code exp1-student-trainer}). The one rule the demo's experiments and {@code lag
   * --namespace} share, and every stage's default when its group id, transactional id prefix or
   * application id is not set explicitly.
   */
  public static String groupInNamespace(String productionId, String namespace) {
    return namespace == null || namespace.isEmpty() ? productionId : namespace + "-" + productionId;
  }
}
