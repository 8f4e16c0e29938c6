package org.streamdistill.deploy.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.streamdistill.evaluator.lag.LagMetrics;
import org.streamdistill.evaluator.lag.LagSnapshot;
import org.streamdistill.evaluator.metrics.EvaluatorMetrics;
import org.streamdistill.producers.ingest.IngestMetrics;
import org.streamdistill.producers.ingest.LiveChatEndpoint;
import org.streamdistill.schemas.metrics.StageMetrics;
import org.streamdistill.student.serving.ServingMetrics;
import org.streamdistill.student.serving.StudentServer;
import org.streamdistill.student.training.TrainerMetrics;
import org.streamdistill.teacher.job.TeacherMetrics;

/**
 * The Grafana dashboard and the Prometheus alert rules in {@code deploy/monitoring} query only
 * metrics the stages export: every metric name in every expression must be one of the names
 * the stages' own registries expose (with the suffixes the exposition adds), so a renamed
 * metric fails here instead of leaving an empty panel.
 */
class MonitoringConfigTest {

  private static final Pattern METRIC = Pattern.compile("\\b((?:streamdistill|jvm|process)_[a-zA-Z0-9_]+)");

  /** Every sample name the stages' registries expose, built the way each stage builds them. */
  static Set<String> exportedNames() {
    List<PrometheusRegistry> registries = new ArrayList<>();
    PrometheusRegistry shared = new PrometheusRegistry();
    new StageMetrics("any", shared);
    JvmMetrics.builder().register(shared);
    registries.add(shared);
    PrometheusRegistry teacher = new PrometheusRegistry();
    TeacherMetrics.in(teacher);
    registries.add(teacher);
    PrometheusRegistry trainer = new PrometheusRegistry();
    new TrainerMetrics(trainer, () -> 0L, () -> "v", () -> null);
    registries.add(trainer);
    PrometheusRegistry evaluator = new PrometheusRegistry();
    new EvaluatorMetrics(evaluator);
    registries.add(evaluator);
    PrometheusRegistry ingest = new PrometheusRegistry();
    IngestMetrics.register(ingest, "t", () -> new LiveChatEndpoint.Stats(0, 0, 0, 0));
    registries.add(ingest);
    PrometheusRegistry serving = new PrometheusRegistry();
    new ServingMetrics(serving, () -> new StudentServer.Stats(0, 0, 0, 0, 0, 0, null));
    registries.add(serving);
    PrometheusRegistry lag = new PrometheusRegistry();
    lag.register(new LagMetrics(() -> LagSnapshot.EMPTY, () -> 0));
    registries.add(lag);

    Set<String> names = new TreeSet<>();
    for (PrometheusRegistry registry : registries) {
      for (MetricSnapshot snapshot : registry.scrape()) {
        String name = snapshot.getMetadata().getPrometheusName();
        if (snapshot instanceof CounterSnapshot) {
          names.add(name + "_total");
        } else if (snapshot instanceof HistogramSnapshot) {
          names.addAll(List.of(name + "_bucket", name + "_sum", name + "_count"));
        } else if (snapshot instanceof InfoSnapshot) {
          names.add(name + "_info");
        } else {
          names.add(name);
        }
      }
    }
    return names;
  }

  private static List<String> dashboardExpressions() throws IOException {
    return MonitoringFiles.dashboardPanels().stream().map(MonitoringFiles.Panel::expr).toList();
  }

  private static List<String> alertExpressions() throws IOException {
    return MonitoringFiles.alertRules().stream().map(MonitoringFiles.AlertRule::expr).toList();
  }

  private static Set<String> metricNames(List<String> expressions) {
    Set<String> names = new TreeSet<>();
    for (String expr : expressions) {
      Matcher m = METRIC.matcher(expr);
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  @Test
  void shouldQueryOnlyMetricsTheStagesExportInEveryDashboardPanel() throws IOException {
    List<String> expressions = dashboardExpressions();

    assertThat(expressions).hasSizeGreaterThan(15);
    assertThat(metricNames(expressions)).isNotEmpty().isSubsetOf(exportedNames());
  }

  @Test
  void shouldQueryOnlyMetricsTheStagesExportInEveryAlertRule() throws IOException {
    List<String> expressions = alertExpressions();

    assertThat(expressions).hasSize(6);
    assertThat(metricNames(expressions)).isNotEmpty().isSubsetOf(exportedNames());
  }

  @Test
  void shouldScrapeEveryStageAndLoadTheAlertRules() throws IOException {
    JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(MonitoringFiles.SCRAPE_CONFIG.toFile());

    assertThat(config.get("rule_files")).extracting(JsonNode::asText).containsExactly("alerts.yml");
    assertThat(config.get("scrape_configs")).extracting(job -> job.get("job_name").asText()).containsExactly(
        "streamdistill-teacher", "streamdistill-trainer", "streamdistill-evaluator", "streamdistill-ingest",
        "streamdistill-serve", "streamdistill-lag");
    assertThat(Files.readString(MonitoringFiles.SCRAPE_CONFIG))
        .contains("--teacher.metrics.port 9401", "--trainer.metrics.port 9402", "--evaluator.metrics.port 9403",
            "--ingest.metrics.port 9404", "--server.metrics.port 9405", "lag         --http-port 9406");
  }

  @Test
  void shouldRejectANameNoStageExports() {
    // the check itself can fail: a misspelt metric is not among the exported names
    assertThat(metricNames(List.of("rate(streamdistill_records_producd_total[1m])")))
        .isNotEmpty().doesNotContainAnyElementsOf(exportedNames());
  }
}
