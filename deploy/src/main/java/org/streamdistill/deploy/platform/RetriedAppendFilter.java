package org.streamdistill.deploy.platform;

import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.filter.AbstractFilter;

/**
 * A Log4j filter that matches the embedded broker's log of one append it rejects for the producer
 * to retry: with Kafka's transactions v2 (KAFKA-18202), a batch whose sequence is not 0 for a
 * partition where the broker holds no state of that producer yet is refused with a retriable
 * {@link OutOfOrderSequenceException}, and the broker's ReplicaManager logs each one at ERROR with
 * its stack trace. The producer retries it and goes on: in a demo from a fresh clone on 2 busy
 * cores, four of them on the evaluator's changelog partitions (its Kafka Streams exactly-once
 * producer logged the retries at WARN) while the run ended complete. The console's
 * configuration denies them, so that a person sees errors that need them; the log file keeps
 * them. An out-of-order sequence of any other kind (a real gap) still matches nothing here.
 */
@Plugin(name = "RetriedAppendFilter", category = Node.CATEGORY, elementType = Filter.ELEMENT_TYPE, printObject = true)
public final class RetriedAppendFilter extends AbstractFilter {

  /** What the broker's message says of this case (kafka 4.x ProducerAppendInfo). */
  static final String NO_STATE_YET = "idempotent producer with no existing state";

  private RetriedAppendFilter(Result onMatch, Result onMismatch) {
    super(onMatch, onMismatch);
  }

  /** {@code onMatch} defaults to DENY and {@code onMismatch} to NEUTRAL. */
  @PluginFactory
  public static RetriedAppendFilter create(@PluginAttribute("onMatch") Result onMatch,
                                           @PluginAttribute("onMismatch") Result onMismatch) {
    return new RetriedAppendFilter(onMatch == null ? Result.DENY : onMatch,
        onMismatch == null ? Result.NEUTRAL : onMismatch);
  }

  @Override
  public Result filter(LogEvent event) {
    return matches(event.getThrown()) ? onMatch : onMismatch;
  }

  static boolean matches(Throwable thrown) {
    return thrown instanceof OutOfOrderSequenceException
        && thrown.getMessage() != null && thrown.getMessage().contains(NO_STATE_YET);
  }
}
