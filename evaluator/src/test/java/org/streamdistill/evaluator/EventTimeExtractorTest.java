package org.streamdistill.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.streamdistill.evaluator.Turns.challenger;
import static org.streamdistill.evaluator.Turns.turn;

import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class EventTimeExtractorTest {

  private final EventTimeExtractor extractor = new EventTimeExtractor();

  private static ConsumerRecord<Object, Object> record(Object value, long timestamp) {
    return new ConsumerRecord<>("student.predictions", 0, 7, timestamp, TimestampType.CREATE_TIME, 0, 0, "k", value,
        new RecordHeaders(), Optional.empty());
  }

  @Test
  void shouldUseTheTurnsEventTimeNotTheRecordTimestamp() {
    assertThat(extractor.extract(record(turn("t", 1_234, 1, null, challenger("c", 1)), 99_999), 5_000))
        .isEqualTo(1_234);
  }

  @Test
  void shouldNotLetAnEventTimeAfterTheRecordTimestampPushStreamTimeAhead() {
    long before = EventTimeExtractor.clampedTurns();
    long received = 1_700_000_000_000L;

    assertThat(extractor.extract(record(turn("t", received + 3_600_000, 1, null, challenger("c", 1)), received), 5_000))
        .isEqualTo(received);
    assertThat(extractor.extract(record(turn("t", received, 1, null, challenger("c", 1)), received), 5_000))
        .isEqualTo(received);
    assertThat(EventTimeExtractor.clampedTurns() - before).isEqualTo(1);
  }

  @Test
  void shouldFallBackToTheRecordTimestampForANegativeEventTime() {
    assertThat(extractor.extract(record(turn("t", -10, 1, null, challenger("c", 1)), 99_999), 5_000))
        .isEqualTo(99_999);
    assertThat(extractor.extract(record(turn("t", -10, 1, null, challenger("c", 1)), -1), 5_000))
        .isEqualTo(5_000);
  }
}
