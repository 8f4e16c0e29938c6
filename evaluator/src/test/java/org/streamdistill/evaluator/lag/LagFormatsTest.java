package org.streamdistill.evaluator.lag;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LagFormatsTest {

  private static final String PROMETHEUS_METADATA_ONLY = """
      # HELP streamdistill_consumer_lag_offsets Records the group has not consumed yet, up to the last stable offset (0 when only transaction markers remain).
      # TYPE streamdistill_consumer_lag_offsets gauge
      # HELP streamdistill_consumer_lag_seconds Age of the oldest record the group has not consumed yet, seconds (0 when caught up, NaN when unknown).
      # TYPE streamdistill_consumer_lag_seconds gauge
      # HELP streamdistill_consumer_committed_offset The group's committed offset (no series when the group has not committed on the partition).
      # TYPE streamdistill_consumer_committed_offset gauge
      # HELP streamdistill_consumer_log_end_offset The partition's last stable offset: the end a read-committed consumer can reach.
      # TYPE streamdistill_consumer_log_end_offset gauge
      # HELP streamdistill_consumer_group_status Status of the group after Burrow's rules: 1 for the current status, 0 for the others.
      # TYPE streamdistill_consumer_group_status gauge
      # HELP streamdistill_lag_monitor_last_sample_timestamp_seconds When the latest lag sample was taken, Unix time in seconds.
      # TYPE streamdistill_lag_monitor_last_sample_timestamp_seconds gauge
      # HELP streamdistill_lag_monitor_sample_failures_total Lag samples that failed.
      # TYPE streamdistill_lag_monitor_sample_failures_total counter
      streamdistill_lag_monitor_sample_failures_total 0
      """;

  @Test
  void shouldRenderEveryGaugeInThePrometheusTextFormat() {
    // Given a snapshot of a stalled group, a caught-up group and an empty group, after 2 failed samples
    LagSnapshot snapshot = Snapshots.mixed();

    // When rendered for /metrics
    String text = PrometheusFormat.render(snapshot, 2);

    // Then every series is there, with NaN for the unknown time lag and no committed series without a commit
    assertThat(text).isEqualTo("""
        # HELP streamdistill_consumer_lag_offsets Records the group has not consumed yet, up to the last stable offset (0 when only transaction markers remain).
        # TYPE streamdistill_consumer_lag_offsets gauge
        streamdistill_consumer_lag_offsets{group="student-trainer",topic="teacher.soft-labels",partition="0"} 12
        streamdistill_consumer_lag_offsets{group="student-trainer",topic="teacher.soft-labels",partition="1"} 5
        streamdistill_consumer_lag_offsets{group="teacher-stream",topic="dialogue.turns",partition="0"} 0
        # HELP streamdistill_consumer_lag_seconds Age of the oldest record the group has not consumed yet, seconds (0 when caught up, NaN when unknown).
        # TYPE streamdistill_consumer_lag_seconds gauge
        streamdistill_consumer_lag_seconds{group="student-trainer",topic="teacher.soft-labels",partition="0"} 3.5
        streamdistill_consumer_lag_seconds{group="student-trainer",topic="teacher.soft-labels",partition="1"} NaN
        streamdistill_consumer_lag_seconds{group="teacher-stream",topic="dialogue.turns",partition="0"} 0
        # HELP streamdistill_consumer_committed_offset The group's committed offset (no series when the group has not committed on the partition).
        # TYPE streamdistill_consumer_committed_offset gauge
        streamdistill_consumer_committed_offset{group="student-trainer",topic="teacher.soft-labels",partition="0"} 10
        streamdistill_consumer_committed_offset{group="teacher-stream",topic="dialogue.turns",partition="0"} 100
        # HELP streamdistill_consumer_log_end_offset The partition's last stable offset: the end a read-committed consumer can reach.
        # TYPE streamdistill_consumer_log_end_offset gauge
        streamdistill_consumer_log_end_offset{group="student-trainer",topic="teacher.soft-labels",partition="0"} 22
        streamdistill_consumer_log_end_offset{group="student-trainer",topic="teacher.soft-labels",partition="1"} 5
        streamdistill_consumer_log_end_offset{group="teacher-stream",topic="dialogue.turns",partition="0"} 101
        # HELP streamdistill_consumer_group_status Status of the group after Burrow's rules: 1 for the current status, 0 for the others.
        # TYPE streamdistill_consumer_group_status gauge
        streamdistill_consumer_group_status{group="student-trainer",status="OK"} 0
        streamdistill_consumer_group_status{group="student-trainer",status="WARN"} 0
        streamdistill_consumer_group_status{group="student-trainer",status="REWIND"} 0
        streamdistill_consumer_group_status{group="student-trainer",status="STALL"} 1
        streamdistill_consumer_group_status{group="student-trainer",status="STOP"} 0
        streamdistill_consumer_group_status{group="teacher-stream",status="OK"} 1
        streamdistill_consumer_group_status{group="teacher-stream",status="WARN"} 0
        streamdistill_consumer_group_status{group="teacher-stream",status="REWIND"} 0
        streamdistill_consumer_group_status{group="teacher-stream",status="STALL"} 0
        streamdistill_consumer_group_status{group="teacher-stream",status="STOP"} 0
        streamdistill_consumer_group_status{group="idle",status="OK"} 1
        streamdistill_consumer_group_status{group="idle",status="WARN"} 0
        streamdistill_consumer_group_status{group="idle",status="REWIND"} 0
        streamdistill_consumer_group_status{group="idle",status="STALL"} 0
        streamdistill_consumer_group_status{group="idle",status="STOP"} 0
        # HELP streamdistill_lag_monitor_last_sample_timestamp_seconds When the latest lag sample was taken, Unix time in seconds.
        # TYPE streamdistill_lag_monitor_last_sample_timestamp_seconds gauge
        streamdistill_lag_monitor_last_sample_timestamp_seconds 1735787045.678
        # HELP streamdistill_lag_monitor_sample_failures_total Lag samples that failed.
        # TYPE streamdistill_lag_monitor_sample_failures_total counter
        streamdistill_lag_monitor_sample_failures_total 2
        """);
  }

  @Test
  void shouldRenderOnlyMetadataAndTheFailureCounterBeforeTheFirstSample() {
    assertThat(PrometheusFormat.render(LagSnapshot.EMPTY, 0)).isEqualTo(PROMETHEUS_METADATA_ONLY);
  }

  @Test
  void shouldEscapeLabelValues() {
    // Given a group id with a quote, a backslash and a line feed
    LagSnapshot snapshot = new LagSnapshot(Instant.ofEpochMilli(1_000), List.of(
        new GroupLag("a\"b\\c\nd", ConsumerStatus.OK, List.of(new PartitionLag("t", 0, 1, 1, 0, 0, ConsumerStatus.OK)))));

    // When rendered, Then the label is escaped as the text format requires
    assertThat(PrometheusFormat.render(snapshot, 0))
        .contains("streamdistill_consumer_lag_offsets{group=\"a\\\"b\\\\c\\nd\",topic=\"t\",partition=\"0\"} 0\n");
  }

  @Test
  void shouldRenderTheSnapshotAsOneLineOfJson() {
    assertThat(LagJson.render(Snapshots.mixed())).isEqualTo("{\"sampledAt\":\"2025-01-02T03:04:05.678Z\",\"groups\":["
        + "{\"group\":\"student-trainer\",\"status\":\"STALL\","
        + "\"meaning\":\"committed offsets did not move across the window while lag > 0\",\"lag\":17,\"partitions\":["
        + "{\"topic\":\"teacher.soft-labels\",\"partition\":0,\"committed\":10,\"end\":22,\"lag\":12,"
        + "\"timeLagSeconds\":3.5,\"status\":\"STALL\"},"
        + "{\"topic\":\"teacher.soft-labels\",\"partition\":1,\"committed\":null,\"end\":5,\"lag\":5,"
        + "\"timeLagSeconds\":null,\"status\":\"STALL\"}]},"
        + "{\"group\":\"teacher-stream\",\"status\":\"OK\",\"meaning\":\"keeping up\",\"lag\":0,\"partitions\":["
        + "{\"topic\":\"dialogue.turns\",\"partition\":0,\"committed\":100,\"end\":101,\"lag\":0,"
        + "\"timeLagSeconds\":0,\"status\":\"OK\"}]},"
        + "{\"group\":\"idle\",\"status\":\"OK\",\"meaning\":\"keeping up\",\"lag\":0,\"partitions\":[]}]}\n");
  }

  @Test
  void shouldRenderNullSampleTimeAndNoGroupsBeforeTheFirstSample() {
    assertThat(LagJson.render(LagSnapshot.EMPTY)).isEqualTo("{\"sampledAt\":null,\"groups\":[]}\n");
  }

  @Test
  void shouldEscapeJsonStrings() {
    assertThat(LagJson.string("a\"b\\c\nd\te\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001\"");
  }

  @Test
  void shouldRenderAFixedWidthTableWithOneLinePerGroupStatus() {
    assertThat(LagTable.render(Snapshots.mixed())).isEqualTo("""
        sampled at 2025-01-02T03:04:05.678Z
        GROUP            TOPIC                PARTITION  COMMITTED  END  LAG  TIME LAG  STATUS
        student-trainer  teacher.soft-labels          0         10   22   12      3.5s  STALL
        student-trainer  teacher.soft-labels          1          -    5    5         ?  STALL
        teacher-stream   dialogue.turns               0        100  101    0        0s  OK
        idle             -                            -          -    -    -         -  OK
        group student-trainer: STALL (committed offsets did not move across the window while lag > 0)
        group teacher-stream: OK
        group idle: OK
        """);
  }

  @Test
  void shouldSaySoBeforeTheFirstSample() {
    assertThat(LagTable.render(LagSnapshot.EMPTY)).isEqualTo("no sample yet\n");
  }

  @Test
  void shouldPrintTimeLagsInTheLargestUsefulUnitTruncated() {
    assertThat(List.of(0L, 250L, 1_000L, 12_345L, 59_999L, 60_000L, 245_900L, 3_600_000L, 7_380_000L))
        .map(LagTable::duration)
        .containsExactly("0s", "250ms", "1.0s", "12.3s", "59.9s", "1m00s", "4m05s", "1h00m", "2h03m");
  }

  @Test
  void shouldPrintSecondsExactly() {
    assertThat(List.of(0L, 1L, 1_500L, 3_600_000L)).map(PrometheusFormat::seconds)
        .containsExactly("0", "0.001", "1.5", "3600");
  }
}
