package org.streamdistill.teacher.job;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Passes Kafka records through as bytes with their coordinates; never fails. */
public final class KafkaRecordBytesDeserializer implements KafkaRecordDeserializationSchema<KafkaRecordBytes> {
  private static final long serialVersionUID = 1L;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KafkaRecordBytes> out) {
    out.collect(new KafkaRecordBytes(record.topic(), record.partition(), record.offset(), record.timestamp(),
        record.key(), record.value()));
  }

  @Override
  public TypeInformation<KafkaRecordBytes> getProducedType() {
    return TypeInformation.of(KafkaRecordBytes.class);
  }
}
