package org.streamdistill.evaluator.promotion;

import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.StudentPrediction;

/**
 * Runs the {@link PromotionPolicy} over {@code student.predictions} re-keyed by model name: per
 * record it loads the model's {@link PromotionState} from a key-value store, folds the turn in,
 * stores the new state and forwards a {@code PromotionEvent} per decision the policy took (a
 * turn can close a look of the rollback watch and one of the promotion comparison at once).
 * The event carries the triggering turn's timestamp, so a replay yields the same events.
 */
public final class PromotionProcessor implements Processor<String, StudentPrediction, String, PromotionEvent> {

  private static final Logger LOG = LoggerFactory.getLogger(PromotionProcessor.class);

  private final PromotionPolicy policy;
  private final String storeName;
  private ProcessorContext<String, PromotionEvent> context;
  private KeyValueStore<String, PromotionState> store;

  public PromotionProcessor(PromotionPolicy policy, String storeName) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.storeName = Objects.requireNonNull(storeName, "storeName");
  }

  @Override
  public void init(ProcessorContext<String, PromotionEvent> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, StudentPrediction> record) {
    String modelName = record.key();
    Optional<PairedTurn> turn = PairedTurn.from(record.value());
    if (turn.isEmpty()) {
      LOG.warn("turn {} of conversation {} carries no challenger prediction; the promotion policy of model {} skips it",
          record.value().getTurnId(), record.value().getConversationId(), modelName);
      return;
    }
    PromotionState state = store.get(modelName);
    PromotionPolicy.Step step = policy.observe(state == null ? PromotionState.INITIAL : state, turn.get());
    store.put(modelName, step.state());
    for (Decision decision : step.decisions()) {
      PromotionEvent event = decision.toEvent(modelName);
      if (decision.kind() == Decision.Kind.ROLLBACK) {
        LOG.warn("model {}: ROLLBACK {} -> {} ({})", modelName, decision.fromVersion(), decision.toVersion(),
            decision.reason());
      } else {
        LOG.info("model {}: {} {} -> {} ({})", modelName, decision.kind(), decision.fromVersion(),
            decision.toVersion(), decision.reason());
      }
      context.forward(new Record<>(modelName, event, record.timestamp()));
    }
  }
}
