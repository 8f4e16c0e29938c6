package org.streamdistill.teacher.job;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Writes an {@link OutgoingRecord} to the topic it names; the key decides the partition. */
public final class OutgoingRecordSerializer implements KafkaRecordSerializationSchema<OutgoingRecord> {
  private static final long serialVersionUID = 1L;

  @Override
  public ProducerRecord<byte[], byte[]> serialize(OutgoingRecord record, KafkaSinkContext context, Long timestamp) {
    RecordHeaders headers = new RecordHeaders();
    for (int i = 0; i < record.headerNames.length; i++) {
      headers.add(record.headerNames[i], record.headerValues[i].getBytes(StandardCharsets.UTF_8));
    }
    return new ProducerRecord<>(record.topic, null, record.timestamp, record.key, record.value, headers);
  }
}
