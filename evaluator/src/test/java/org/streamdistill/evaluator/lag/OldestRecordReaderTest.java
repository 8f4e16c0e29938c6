package org.streamdistill.evaluator.lag;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OldestRecordReaderTest {

  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final OldestRecordReader reader = new OldestRecordReader(consumer, Duration.ofMillis(200));

  @AfterEach
  void close() {
    reader.close();
  }

  private static ConsumerRecord<byte[], byte[]> record(TopicPartition partition, long offset, long timestamp) {
    return new ConsumerRecord<>(partition.topic(), partition.partition(), offset, timestamp,
        TimestampType.CREATE_TIME, 0, 1, null, new byte[] {1}, new RecordHeaders(), Optional.empty());
  }

  @Test
  void shouldFindTheFirstRecordAtOrAfterEachPositionAndServeItFromTheCacheNextTime() {
    // Given records at offsets 7 and 8 of partition 0, and at 3 of partition 1 (offset 2 holds a marker)
    consumer.schedulePollTask(() -> {
      consumer.addRecord(record(P0, 7, 1_000));
      consumer.addRecord(record(P0, 8, 1_100));
      consumer.addRecord(record(P1, 3, 2_000));
    });
    OldestRecordReader.Request p0 = new OldestRecordReader.Request(P0, 7, 10);
    OldestRecordReader.Request p1 = new OldestRecordReader.Request(P1, 2, 5);

    // When read twice, the second time with nothing left to fetch
    Map<OldestRecordReader.Request, OldestUnconsumed> first = reader.read(List.of(p0, p1));
    Map<OldestRecordReader.Request, OldestUnconsumed> second = reader.read(List.of(p0, p1));

    // Then the first records are found, the second time from the cache, and nothing stays assigned
    Map<OldestRecordReader.Request, OldestUnconsumed> expected = Map.of(
        p0, new OldestUnconsumed.Found(7, 1_000), p1, new OldestUnconsumed.Found(3, 2_000));
    assertThat(first).isEqualTo(expected);
    assertThat(second).isEqualTo(expected);
    assertThat(consumer.assignment()).isEmpty();
  }

  @Test
  void shouldAnswerOnlyMarkersWhenTheFirstRecordLiesAtOrBeyondTheLastStableOffsetThenExtendTheScan() {
    // Given a partition whose next record is at offset 7, beyond a gap of markers at 4 and 5
    consumer.schedulePollTask(() -> consumer.addRecord(record(P0, 7, 3_000)));

    // When the range up to the last stable offset 6 is read, then the range up to 9
    OldestUnconsumed upTo6 = reader.read(List.of(new OldestRecordReader.Request(P0, 4, 6))).values().iterator().next();
    consumer.schedulePollTask(() -> consumer.addRecord(record(P0, 7, 3_000)));
    OldestUnconsumed upTo9 = reader.read(List.of(new OldestRecordReader.Request(P0, 4, 9))).values().iterator().next();

    // Then the first range holds only markers, and the second finds the record
    assertThat(upTo6).isEqualTo(OldestUnconsumed.ONLY_MARKERS);
    assertThat(upTo9).isEqualTo(new OldestUnconsumed.Found(7, 3_000));
  }

  @Test
  void shouldAnswerUnknownWhenNoRecordArrivesWithinTheTimeout() {
    OldestRecordReader.Request request = new OldestRecordReader.Request(P0, 0, 5);

    assertThat(reader.read(List.of(request))).isEqualTo(Map.of(request, OldestUnconsumed.UNKNOWN));
  }

  @Test
  void shouldReadTwoPositionsOnOnePartitionInSeparateRounds() {
    // Given two groups on one partition, at offsets 7 and 9
    consumer.schedulePollTask(() -> {
      consumer.addRecord(record(P0, 7, 1_000));
      consumer.addRecord(record(P0, 9, 1_200));
    });
    consumer.schedulePollTask(() -> consumer.addRecord(record(P0, 9, 1_200)));
    OldestRecordReader.Request behind = new OldestRecordReader.Request(P0, 7, 10);
    OldestRecordReader.Request ahead = new OldestRecordReader.Request(P0, 9, 10);

    // When both are read
    Map<OldestRecordReader.Request, OldestUnconsumed> found = reader.read(List.of(behind, ahead));

    // Then each gets the first record from its own position
    assertThat(found).isEqualTo(Map.of(
        behind, new OldestUnconsumed.Found(7, 1_000), ahead, new OldestUnconsumed.Found(9, 1_200)));
  }
}
