package org.streamdistill.student.training;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.streamdistill.schemas.metrics.CallbackInfo;
import org.streamdistill.schemas.metrics.StageMetrics;

/**
 * The trainer's Prometheus metrics, besides the {@link StageMetrics} of stage {@code
 * student-trainer} (soft labels consumed; predictions and checkpoints produced; dead letters):
 *
 * <ul>
 *   <li>{@code streamdistill_trainer_steps_total}: optimizer steps, and {@code
 *       streamdistill_trainer_learned_turns_total}: turns they learned from (again after a replay), of
 *       which {@code streamdistill_trainer_gold_only_turns_total} from a gold label alone (turns
 *       the teacher's selection gate skipped);
 *   <li>{@code streamdistill_trainer_loss}: mean distillation loss of the last step's batch;
 *   <li>{@code streamdistill_trainer_checkpoints_total} and {@code
 *       streamdistill_trainer_checkpoint_age_seconds}: time since the last checkpoint (since start
 *       before the first);
 *   <li>{@code streamdistill_trainer_model_info{role, model_version}}: the challenger being
 *       trained and the champion it predicts beside.
 * </ul>
 *
 * <p>Predictions and checkpoints are counted when sent into the transaction: an aborted
 * transaction's are counted too.
 */
public final class TrainerMetrics {

  private final StageMetrics stage;
  private final Counter steps;
  private final Counter learnedTurns;
  private final Counter goldOnlyTurns;
  private final Gauge loss;
  private final Counter checkpoints;
  private volatile long lastCheckpointMillis;

  /**
   * @param clock milliseconds since the epoch, for the checkpoint age
   * @param challenger the challenger's version now; {@code champion} the champion's, null for none
   */
  public TrainerMetrics(PrometheusRegistry registry, LongSupplier clock, Supplier<String> challenger,
                 Supplier<String> champion) {
    stage = new StageMetrics(StudentTrainer.STAGE, registry);
    steps = Counter.builder().name("streamdistill_trainer_steps_total").help("Optimizer steps taken.")
        .register(registry);
    learnedTurns = Counter.builder().name("streamdistill_trainer_learned_turns_total")
        .help("Turns the optimizer steps learned from (learned again after a replay from a checkpoint).")
        .register(registry);
    goldOnlyTurns = Counter.builder().name("streamdistill_trainer_gold_only_turns_total")
        .help("Learned turns the teacher did not score (its selection gate skipped them): learned from their gold "
            + "label alone (cross-entropy only).")
        .register(registry);
    loss = Gauge.builder().name("streamdistill_trainer_loss")
        .help("Mean distillation loss (T^2 KL + alpha CE) of the last step's batch.").register(registry);
    checkpoints = Counter.builder().name("streamdistill_trainer_checkpoints_total")
        .help("Checkpoints written (each a new model version).").register(registry);
    lastCheckpointMillis = clock.getAsLong();
    GaugeWithCallback.builder().name("streamdistill_trainer_checkpoint_age_seconds")
        .help("Seconds since the last checkpoint (since the trainer started, before the first).")
        .callback(cb -> cb.call((clock.getAsLong() - lastCheckpointMillis) / 1000.0)).register(registry);
    CallbackInfo.register(registry, "streamdistill_trainer_model", "Models the trainer holds: the challenger it "
            + "trains and the champion it predicts with beside it.", List.of("role", "model_version"),
        () -> Arrays.asList(Arrays.asList("challenger", challenger.get()), Arrays.asList("champion", champion.get())));
  }

  StageMetrics stage() {
    return stage;
  }

  void step(int turns, int goldOnly, double meanLoss) {
    steps.inc();
    learnedTurns.inc(turns);
    goldOnlyTurns.inc(goldOnly);
    loss.set(meanLoss);
  }

  void checkpointed(long atMillis) {
    checkpoints.inc();
    lastCheckpointMillis = atMillis;
  }
}
