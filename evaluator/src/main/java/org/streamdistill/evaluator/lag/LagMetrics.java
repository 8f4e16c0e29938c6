package org.streamdistill.evaluator.lag;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The latest {@link LagSnapshot} as Prometheus metrics, read at each scrape (a scrape never
 * triggers a sample of its own). Gauges per group and partition: {@code
 * streamdistill_consumer_lag_offsets} (records not consumed yet), {@code
 * streamdistill_consumer_lag_seconds} (age of the oldest of them; {@code NaN} when unknown),
 * {@code streamdistill_consumer_committed_offset} (absent without a commit), {@code
 * streamdistill_consumer_log_end_offset} (the last stable offset); per group {@code
 * streamdistill_consumer_group_status}, one series per status with 1 for the current one and
 * 0 for the others (so {@code streamdistill_consumer_group_status{status="OK"} == 0} alerts);
 * and the monitor's own {@code streamdistill_lag_monitor_last_sample_timestamp_seconds} and
 * {@code streamdistill_lag_monitor_sample_failures_total}.
 */
public final class LagMetrics implements MultiCollector {

  private final Supplier<LagSnapshot> snapshots;
  private final LongSupplier sampleFailures;

  public LagMetrics(Supplier<LagSnapshot> snapshots, LongSupplier sampleFailures) {
    this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
    this.sampleFailures = Objects.requireNonNull(sampleFailures, "sampleFailures");
  }

  @Override
  public MetricSnapshots collect() {
    LagSnapshot snapshot = snapshots.get();
    List<MetricSnapshot> out = new ArrayList<>();
    out.add(partitionGauge(snapshot, "streamdistill_consumer_lag_offsets",
        "Records the group has not consumed yet, up to the last stable offset (0 when only transaction markers"
            + " remain).", p -> (double) p.lag()));
    out.add(partitionGauge(snapshot, "streamdistill_consumer_lag_seconds",
        "Age of the oldest record the group has not consumed yet, seconds (0 when caught up, NaN when unknown).",
        p -> p.timeLagKnown() ? p.timeLagMs() / 1000.0 : Double.NaN));
    out.add(partitionGauge(snapshot, "streamdistill_consumer_committed_offset",
        "The group's committed offset (no series when the group has not committed on the partition).",
        p -> p.hasCommit() ? (double) p.committedOffset() : null));
    out.add(partitionGauge(snapshot, "streamdistill_consumer_log_end_offset",
        "The partition's last stable offset: the end a read-committed consumer can reach.",
        p -> (double) p.endOffset()));
    GaugeSnapshot.Builder status = GaugeSnapshot.builder().name("streamdistill_consumer_group_status")
        .help("Status of the group after Burrow's rules: 1 for the current status, 0 for the others.");
    for (GroupLag group : snapshot.groups()) {
      for (ConsumerStatus s : ConsumerStatus.values()) {
        status.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
            .labels(Labels.of("group", group.group(), "status", s.name()))
            .value(group.status() == s ? 1 : 0).build());
      }
    }
    out.add(status.build());
    GaugeSnapshot.Builder sampledAt = GaugeSnapshot.builder()
        .name("streamdistill_lag_monitor_last_sample_timestamp_seconds")
        .help("When the latest lag sample was taken, Unix time in seconds.");
    if (snapshot.sampledAt() != null) {
      sampledAt.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
          .value(snapshot.sampledAt().toEpochMilli() / 1000.0).build());
    }
    out.add(sampledAt.build());
    out.add(CounterSnapshot.builder().name("streamdistill_lag_monitor_sample_failures").help("Lag samples that failed.")
        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(sampleFailures.getAsLong()).build())
        .build());
    return new MetricSnapshots(out);
  }

  @Override
  public List<String> getPrometheusNames() {
    return List.of("streamdistill_consumer_lag_offsets", "streamdistill_consumer_lag_seconds",
        "streamdistill_consumer_committed_offset", "streamdistill_consumer_log_end_offset",
        "streamdistill_consumer_group_status", "streamdistill_lag_monitor_last_sample_timestamp_seconds",
        "streamdistill_lag_monitor_sample_failures");
  }

  private static GaugeSnapshot partitionGauge(LagSnapshot snapshot, String name, String help,
                                              Function<PartitionLag, Double> value) {
    GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(help);
    for (GroupLag group : snapshot.groups()) {
      for (PartitionLag partition : group.partitions()) {
        Double v = value.apply(partition);
        if (v != null) {
          gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
              .labels(Labels.of("group", group.group(), "topic", partition.topic(), "partition",
                  Integer.toString(partition.partition())))
              .value(v).build());
        }
      }
    }
    return gauge.build();
  }
}
