package org.streamdistill.evaluator.lag;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamdistill.schemas.metrics.PrometheusText;

class LagFormatsTest {

  /** The text Prometheus scrapes of a registry holding only {@link LagMetrics}, written by the client library. */
  private static String scrape(LagSnapshot snapshot, long failures) throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new LagMetrics(() -> snapshot, () -> failures));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void shouldExposeEveryGaugeOfTheSnapshot() throws Exception {
    // Given a snapshot of a stalled group, a caught-up group and an empty group, after 2 failed samples
    LagSnapshot snapshot = Snapshots.mixed();

    // When scraped
    List<PrometheusText.Sample> samples = PrometheusText.parse(scrape(snapshot, 2));

    // Then every series is there with its value, NaN for the unknown time lag and no committed series without a commit
    assertThat(samples).map(s -> s.name() + s.labels().entrySet().stream().sorted(Map.Entry.comparingByKey())
            .map(Map.Entry::toString).toList() + " " + s.value())
        .containsExactlyInAnyOrder(
            "streamdistill_consumer_lag_offsets[group=student-trainer, partition=0, topic=teacher.soft-labels] 12.0",
            "streamdistill_consumer_lag_offsets[group=student-trainer, partition=1, topic=teacher.soft-labels] 5.0",
            "streamdistill_consumer_lag_offsets[group=teacher-stream, partition=0, topic=dialogue.turns] 0.0",
            "streamdistill_consumer_lag_seconds[group=student-trainer, partition=0, topic=teacher.soft-labels] 3.5",
            "streamdistill_consumer_lag_seconds[group=student-trainer, partition=1, topic=teacher.soft-labels] NaN",
            "streamdistill_consumer_lag_seconds[group=teacher-stream, partition=0, topic=dialogue.turns] 0.0",
            "streamdistill_consumer_committed_offset[group=student-trainer, partition=0, topic=teacher.soft-labels] 10.0",
            "streamdistill_consumer_committed_offset[group=teacher-stream, partition=0, topic=dialogue.turns] 100.0",
            "streamdistill_consumer_log_end_offset[group=student-trainer, partition=0, topic=teacher.soft-labels] 22.0",
            "streamdistill_consumer_log_end_offset[group=student-trainer, partition=1, topic=teacher.soft-labels] 5.0",
            "streamdistill_consumer_log_end_offset[group=teacher-stream, partition=0, topic=dialogue.turns] 101.0",
            "streamdistill_consumer_group_status[group=idle, status=OK] 1.0",
            "streamdistill_consumer_group_status[group=idle, status=REWIND] 0.0",
            "streamdistill_consumer_group_status[group=idle, status=STALL] 0.0",
            "streamdistill_consumer_group_status[group=idle, status=STOP] 0.0",
            "streamdistill_consumer_group_status[group=idle, status=WARN] 0.0",
            "streamdistill_consumer_group_status[group=student-trainer, status=OK] 0.0",
            "streamdistill_consumer_group_status[group=student-trainer, status=REWIND] 0.0",
            "streamdistill_consumer_group_status[group=student-trainer, status=STALL] 1.0",
            "streamdistill_consumer_group_status[group=student-trainer, status=STOP] 0.0",
            "streamdistill_consumer_group_status[group=student-trainer, status=WARN] 0.0",
            "streamdistill_consumer_group_status[group=teacher-stream, status=OK] 1.0",
            "streamdistill_consumer_group_status[group=teacher-stream, status=REWIND] 0.0",
            "streamdistill_consumer_group_status[group=teacher-stream, status=STALL] 0.0",
            "streamdistill_consumer_group_status[group=teacher-stream, status=STOP] 0.0",
            "streamdistill_consumer_group_status[group=teacher-stream, status=WARN] 0.0",
            "streamdistill_lag_monitor_last_sample_timestamp_seconds[] 1.735787045678E9",
            "streamdistill_lag_monitor_sample_failures_total[] 2.0");
  }

  @Test
  void shouldExposeOnlyTheFailureCounterBeforeTheFirstSample() throws Exception {
    String text = scrape(LagSnapshot.EMPTY, 0);

    assertThat(PrometheusText.parse(text)).map(s -> s.name() + " " + s.value())
        .containsExactly("streamdistill_lag_monitor_sample_failures_total 0.0");
  }

  @Test
  void shouldEscapeLabelValues() throws Exception {
    // Given a group id with a quote, a backslash and a line feed
    LagSnapshot snapshot = new LagSnapshot(Instant.ofEpochMilli(1_000), List.of(
        new GroupLag("a\"b\\c\nd", ConsumerStatus.OK, List.of(new PartitionLag("t", 0, 1, 1, 0, 0, ConsumerStatus.OK)))));

    // When scraped, Then the label is escaped as the text format requires and reads back unchanged
    String text = scrape(snapshot, 0);
    assertThat(text).contains("streamdistill_consumer_lag_offsets{group=\"a\\\"b\\\\c\\nd\",partition=\"0\",topic=\"t\"} 0");
    assertThat(PrometheusText.value(PrometheusText.parse(text), "streamdistill_consumer_lag_offsets",
        Map.of("group", "a\"b\\c\nd"))).isEqualTo(0.0);
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
    assertThat(List.of(0L, 1L, 1_500L, 3_600_000L)).map(LagJson::seconds)
        .containsExactly("0", "0.001", "1.5", "3600");
  }
}
