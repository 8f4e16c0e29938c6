package org.streamdistill.evaluator.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.Response;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.Result;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;
import org.streamdistill.schemas.registry.SchemaRegistryException;
import org.streamdistill.schemas.wire.DeadLetters;
import org.streamdistill.schemas.wire.UndecodableRecordException;

class DeadLetterDeserializationHandlerTest {

  private final DeadLetterCounter counter = new DeadLetterCounter();
  private final byte[] key = "conv-9".getBytes(StandardCharsets.UTF_8);
  private final byte[] value = {9, 9, 9};
  private final ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("student.predictions", 3, 41L, 0L,
      TimestampType.CREATE_TIME, key.length, value.length, key, value, new RecordHeaders(), Optional.empty());

  private DeadLetterDeserializationHandler handler(String stage) {
    DeadLetterDeserializationHandler handler = new DeadLetterDeserializationHandler();
    handler.configure(Map.of(DeadLetterDeserializationHandler.STAGE_CONFIG, stage,
        DeadLetterDeserializationHandler.COUNTER_CONFIG, counter));
    return handler;
  }

  @Test
  void shouldDeadLetterPoisonEvenWhenWrappedAndResume() {
    // Given a decoding failure wrapped by some layer
    Exception error = new StreamsException("wrapped", new UndecodableRecordException("unknown schema id 77"));

    // When
    Response response = handler("evaluator-test").handleError(context(), record, error);

    // Then
    assertThat(response.result()).isEqualTo(Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
    ProducerRecord<byte[], byte[]> dead = response.deadLetterQueueRecords().get(0);
    assertThat(dead.topic()).isEqualTo("student.predictions.dlq");
    assertThat(dead.key()).isEqualTo(key);
    assertThat(dead.value()).isEqualTo(value);
    assertThat(headers(dead.headers())).isEqualTo(Map.of(
        DeadLetters.HEADER_STAGE, "evaluator-test",
        DeadLetters.HEADER_EXCEPTION, UndecodableRecordException.class.getName(),
        DeadLetters.HEADER_MESSAGE, "unknown schema id 77",
        DeadLetters.HEADER_SOURCE_TOPIC, "student.predictions",
        DeadLetters.HEADER_SOURCE_PARTITION, "3",
        DeadLetters.HEADER_SOURCE_OFFSET, "41"));
    assertThat(counter.snapshot()).isEqualTo(Map.of("student.predictions", 1L));
  }

  @Test
  void shouldFailWithoutDeadLetteringWhenTheRegistryIsUnreachable() {
    // Given an error that is not the record's fault
    Exception error = new SchemaRegistryException("cannot reach the schema registry", new java.io.IOException("refused"));

    // When
    Response response = handler("evaluator").handleError(context(), record, error);

    // Then
    assertThat(response.result()).isEqualTo(Result.FAIL);
    assertThat(response.deadLetterQueueRecords()).isEmpty();
    assertThat(counter.total()).isZero();
  }

  @Test
  void shouldRefuseACounterOfTheWrongType() {
    DeadLetterDeserializationHandler handler = new DeadLetterDeserializationHandler();
    assertThatThrownBy(() -> handler.configure(Map.of(DeadLetterDeserializationHandler.COUNTER_CONFIG, "7")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value 7 for configuration evaluator.dead-letter.counter: must be a "
            + DeadLetterCounter.class.getName() + " instance");
  }

  private ErrorHandlerContext context() {
    return new ErrorHandlerContext() {
      @Override public String topic() { return "student.predictions"; }
      @Override public int partition() { return 3; }
      @Override public long offset() { return 41L; }
      @Override public Headers headers() { return new RecordHeaders(); }
      @Override public String processorNodeId() { return "predictions-source"; }
      @Override public TaskId taskId() { return new TaskId(0, 3); }
      @Override public long timestamp() { return 0L; }
      @Override public byte[] sourceRawKey() { return key; }
      @Override public byte[] sourceRawValue() { return value; }
    };
  }

  private static Map<String, String> headers(Headers headers) {
    Map<String, String> values = new java.util.HashMap<>();
    headers.forEach(h -> values.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
    return values;
  }
}
