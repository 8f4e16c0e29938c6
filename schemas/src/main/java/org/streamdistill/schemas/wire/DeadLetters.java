package org.streamdistill.schemas.wire;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds the records every stage sends to a topic's dead-letter twin: the original key and
 * value bytes, untouched, plus headers that say what went wrong and where the record came
 * from, so an operator can inspect and replay it.
 */
public final class DeadLetters {

  public static final String HEADER_EXCEPTION = "dlq.exception";
  public static final String HEADER_MESSAGE = "dlq.message";
  public static final String HEADER_SOURCE_TOPIC = "dlq.source.topic";
  public static final String HEADER_SOURCE_PARTITION = "dlq.source.partition";
  public static final String HEADER_SOURCE_OFFSET = "dlq.source.offset";
  public static final String HEADER_STAGE = "dlq.stage";

  private static final int MAX_MESSAGE_CHARS = 2000;

  private DeadLetters() {}

  /** Headers naming the failure and the source coordinates. */
  public static Headers headers(String stage, String sourceTopic, int partition, long offset, Throwable error) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(HEADER_STAGE, utf8(stage));
    headers.add(HEADER_EXCEPTION, utf8(error.getClass().getName()));
    String message = String.valueOf(error.getMessage());
    if (message.length() > MAX_MESSAGE_CHARS) {
      message = message.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
    headers.add(HEADER_MESSAGE, utf8(message));
    headers.add(HEADER_SOURCE_TOPIC, utf8(sourceTopic));
    headers.add(HEADER_SOURCE_PARTITION, utf8(Integer.toString(partition)));
    headers.add(HEADER_SOURCE_OFFSET, utf8(Long.toString(offset)));
    return headers;
  }

  /** The dead-letter record for a poison record read from {@code sourceTopic}. */
  public static ProducerRecord<byte[], byte[]> record(
      String stage, String sourceTopic, int partition, long offset, byte[] key, byte[] value, Throwable error) {
    return new ProducerRecord<>(sourceTopic + org.streamdistill.schemas.topic.Topic.DEAD_LETTER_SUFFIX,
        null, null, key, value, headers(stage, sourceTopic, partition, offset, error));
  }

  /** Reads a header as UTF-8, or null when absent. */
  public static String header(Headers headers, String name) {
    var header = headers.lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return String.valueOf(s).getBytes(StandardCharsets.UTF_8);
  }
}
