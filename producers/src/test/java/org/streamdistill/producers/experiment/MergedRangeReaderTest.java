package org.streamdistill.producers.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.streamdistill.producers.experiment.ReplayRange.PartitionRange;

class MergedRangeReaderTest {

  private static final String TOPIC = "dialogue.turns";

  private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, long timestamp) {
    return new ConsumerRecord<>(TOPIC, partition, offset, timestamp, TimestampType.CREATE_TIME, 0, 0,
        ("k" + partition).getBytes(), (partition + "@" + offset).getBytes(), new RecordHeaders(), Optional.empty());
  }

  private static MockConsumer<byte[], byte[]> consumer(List<ConsumerRecord<byte[], byte[]>> records, int maxPoll) {
    MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    consumer.updateBeginningOffsets(Map.of(new TopicPartition(TOPIC, 0), 0L, new TopicPartition(TOPIC, 1), 0L));
    consumer.setMaxPollRecords(maxPoll);
    // MockConsumer only returns records added after assignment: schedule them for the first poll.
    consumer.schedulePollTask(() -> records.stream()
        .filter(r -> consumer.assignment().contains(new TopicPartition(r.topic(), r.partition())))
        .forEach(consumer::addRecord));
    return consumer;
  }

  private static List<String> readAll(MergedRangeReader reader) {
    List<String> values = new ArrayList<>();
    ConsumerRecord<byte[], byte[]> next;
    while ((next = reader.next()) != null) {
      values.add(new String(next.value()));
    }
    return values;
  }

  @Test
  void shouldMergePartitionsByTimestampThenPartitionThenOffsetWithinTheRange() {
    List<ConsumerRecord<byte[], byte[]>> records = List.of(
        record(0, 0, 100), record(0, 1, 300), record(0, 2, 300), record(0, 3, 900),
        record(1, 0, 50), record(1, 1, 300), record(1, 2, 200), record(1, 3, 400), record(1, 4, 10));
    ReplayRange range = new ReplayRange(TOPIC, List.of(new PartitionRange(0, 0, 3), new PartitionRange(1, 0, 4)));

    List<String> merged = readAll(new MergedRangeReader(consumer(records, 2), range, Duration.ofSeconds(5), 2));

    // partition 1's 300 comes before its 200: a partition's own order is never changed
    assertThat(merged).containsExactly("1@0", "0@0", "0@1", "0@2", "1@1", "1@2", "1@3");
  }

  @Test
  void shouldStartAtTheRangeStartAndSkipEmptyPartitions() {
    List<ConsumerRecord<byte[], byte[]>> records = List.of(
        record(0, 0, 1), record(0, 1, 2), record(0, 2, 3), record(1, 0, 1));
    ReplayRange range = new ReplayRange(TOPIC, List.of(new PartitionRange(0, 1, 3), new PartitionRange(1, 1, 1)));

    assertThat(readAll(new MergedRangeReader(consumer(records, 10), range, Duration.ofSeconds(5), 100)))
        .containsExactly("0@1", "0@2");
  }

  @Test
  void shouldGiveTheSameOrderWhateverTheFetchSizes() {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      records.add(record(0, i, (i * 37L) % 101));
      records.add(record(1, i, (i * 53L) % 97));
    }
    ReplayRange range = new ReplayRange(TOPIC, List.of(new PartitionRange(0, 0, 200), new PartitionRange(1, 0, 200)));

    List<String> small = readAll(new MergedRangeReader(consumer(records, 3), range, Duration.ofSeconds(5), 5));
    List<String> large = readAll(new MergedRangeReader(consumer(records, 1000), range, Duration.ofSeconds(5), 10_000));

    assertThat(small).hasSize(400).doesNotHaveDuplicates().isEqualTo(large);
  }
}
