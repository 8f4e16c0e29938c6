package org.streamdistill.schemas.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * An info metric ({@code <name>_info{...} 1}) whose label sets are read at each scrape, for
 * facts that change as a whole: the models a stage holds right now ({@code role},
 * {@code model_version}). Reading them at scrape time leaves no stale series behind when a
 * model is replaced, which an {@code Info} set by hand would unless every old set is removed.
 */
public final class CallbackInfo implements Collector {

  private final String name;
  private final String help;
  private final List<String> labelNames;
  private final Supplier<List<List<String>>> labelValues;

  /**
   * @param name the name without {@code _info}
   * @param labelValues at each scrape, one list of values (in {@code labelNames} order) per series;
   *     a list holding a null value is left out
   */
  public CallbackInfo(String name, String help, List<String> labelNames, Supplier<List<List<String>>> labelValues) {
    this.name = Objects.requireNonNull(name, "name");
    this.help = help;
    this.labelNames = List.copyOf(labelNames);
    this.labelValues = Objects.requireNonNull(labelValues, "labelValues");
  }

  /** Registers a new one in {@code registry} and returns it. */
  public static CallbackInfo register(io.prometheus.metrics.model.registry.PrometheusRegistry registry, String name, String help,
                                      List<String> labelNames, Supplier<List<List<String>>> labelValues) {
    CallbackInfo info = new CallbackInfo(name, help, labelNames, labelValues);
    registry.register(info);
    return info;
  }

  @Override
  public MetricSnapshot collect() {
    InfoSnapshot.Builder snapshot = InfoSnapshot.builder().name(name).help(help);
    for (List<String> values : labelValues.get()) {
      if (values.contains(null)) {
        continue;
      }
      snapshot.dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
          .labels(Labels.of(labelNames, values)).build());
    }
    return snapshot.build();
  }

  @Override
  public String getPrometheusName() {
    return name;
  }

  @Override
  public MetricType getMetricType() {
    return MetricType.INFO;
  }

  @Override
  public MetricMetadata getMetadata() {
    return new MetricMetadata(name, help);
  }
}
