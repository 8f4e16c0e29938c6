package org.streamdistill.evaluator.deadletter;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.schemas.wire.DeadLetters;
import org.streamdistill.schemas.wire.UndecodableRecordException;

/**
 * Kafka Streams' deserialization exception handler for the evaluator. An {@link
 * UndecodableRecordException} (wrong magic byte, unknown schema id, bytes that do not match the
 * schema) marks poison: the raw key and value go to {@code <source topic>.dlq} with the headers
 * of {@link DeadLetters#headers}, the record is counted and skipped. Kafka Streams sends the
 * dead letter through its own producer, so under exactly-once it commits atomically with the
 * input offset. Any other exception, such as an unreachable schema registry, is not the
 * record's fault: the handler fails, and the application stops instead of dead-lettering good
 * records.
 *
 * <p>Kafka Streams instantiates the handler by class name and calls {@link #configure(Map)}
 * with the application's properties: {@link #STAGE_CONFIG} names the stage in the headers,
 * {@link #COUNTER_CONFIG} may hold the {@link DeadLetterCounter} instance to count into.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {

  /** Property holding the stage name written to the {@code dlq.stage} header. */
  public static final String STAGE_CONFIG = "evaluator.dead-letter.stage";
  /** Property holding the {@link DeadLetterCounter} instance (an object, not a string). */
  public static final String COUNTER_CONFIG = "evaluator.dead-letter.counter";
  /** Stage name used when none is configured. */
  public static final String DEFAULT_STAGE = "evaluator";

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

  private String stage = DEFAULT_STAGE;
  private DeadLetterCounter counter = new DeadLetterCounter();

  @Override
  public void configure(Map<String, ?> configs) {
    Object configuredStage = configs.get(STAGE_CONFIG);
    if (configuredStage != null) {
      stage = configuredStage.toString();
    }
    Object configuredCounter = configs.get(COUNTER_CONFIG);
    if (configuredCounter instanceof DeadLetterCounter shared) {
      counter = shared;
    } else if (configuredCounter != null) {
      throw new ConfigException(COUNTER_CONFIG, configuredCounter,
          "must be a " + DeadLetterCounter.class.getName() + " instance");
    }
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    UndecodableRecordException poison = poisonCause(exception);
    if (poison == null) {
      LOG.error("cannot deserialize {}-{}@{} and the cause is not the record's bytes; stopping",
          context.topic(), context.partition(), context.offset(), exception);
      return Response.fail();
    }
    ProducerRecord<byte[], byte[]> deadLetter = DeadLetters.record(stage, context.topic(), context.partition(),
        context.offset(), record.key(), record.value(), poison);
    counter.increment(context.topic(), poison.getClass().getName());
    LOG.warn("poison record {}-{}@{} sent to {}: {}", context.topic(), context.partition(), context.offset(),
        deadLetter.topic(), poison.getMessage());
    return Response.resume(List.of(deadLetter));
  }

  /** The counter this handler counts into. */
  public DeadLetterCounter counter() {
    return counter;
  }

  private static UndecodableRecordException poisonCause(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof UndecodableRecordException poison) {
        return poison;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return null;
  }
}
