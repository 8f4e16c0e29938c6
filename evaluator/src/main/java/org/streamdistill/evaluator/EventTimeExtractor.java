package org.streamdistill.evaluator;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.StudentPrediction;

/**
 * Gives each {@code student.predictions} record the event time of its turn ({@code
 * StudentPrediction.event_time}), so windows follow when users spoke, not when the trainer got
 * round to predicting. A replay that runs faster than real time then still fills the same
 * windows as the live run did.
 */
public final class EventTimeExtractor implements TimestampExtractor {

  private static final Logger LOG = LoggerFactory.getLogger(EventTimeExtractor.class);

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (record.value() instanceof StudentPrediction prediction && prediction.getEventTime() != null) {
      long eventTime = prediction.getEventTime().toEpochMilli();
      if (eventTime >= 0) {
        return eventTime;
      }
      // A pre-1970 event time is a producer bug; Kafka Streams would drop the record silently
      // for a negative timestamp, so keep it at the broker's timestamp and say so.
      LOG.warn("turn {} on {}-{}@{} has a negative event_time {}; using the record timestamp {}",
          prediction.getTurnId(), record.topic(), record.partition(), record.offset(), eventTime,
          record.timestamp());
    }
    return record.timestamp() >= 0 ? record.timestamp() : partitionTime;
  }
}
