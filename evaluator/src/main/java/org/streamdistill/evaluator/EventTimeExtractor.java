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
 *
 * <p>An event time after the record's own timestamp (when its turn entered the pipeline, which
 * the teacher and trainer carry forward) is taken as that timestamp: a turn cannot have happened
 * after it was received, and one turn stamped an hour ahead by a wrong client clock must not push
 * the stream time an hour ahead, which would make every later turn "late" and close its windows
 * early. Those turns are counted ({@link #clampedTurns()}) and logged now and then.
 */
public final class EventTimeExtractor implements TimestampExtractor {

  private static final Logger LOG = LoggerFactory.getLogger(EventTimeExtractor.class);
  private static final java.util.concurrent.atomic.AtomicLong CLAMPED = new java.util.concurrent.atomic.AtomicLong();

  /** Turns (in this JVM) whose event time was after their record's timestamp and was taken as the latter. */
  public static long clampedTurns() {
    return CLAMPED.get();
  }

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (record.value() instanceof StudentPrediction prediction && prediction.getEventTime() != null) {
      long eventTime = prediction.getEventTime().toEpochMilli();
      if (eventTime >= 0) {
        if (record.timestamp() >= 0 && eventTime > record.timestamp()) {
          long n = CLAMPED.incrementAndGet();
          if (Long.bitCount(n) == 1) { // the 1st, 2nd, 4th, 8th, ... such turn: visible, never a flood
            LOG.warn("turn {} on {}-{}@{} has event_time {} after its record timestamp {}; windowed at the latter "
                + "({} such turns so far)", prediction.getTurnId(), record.topic(), record.partition(), record.offset(),
                eventTime, record.timestamp(), n);
          }
          return record.timestamp();
        }
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
