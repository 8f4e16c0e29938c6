package org.streamdistill.deploy.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped files of {@code deploy/monitoring} as tests read them: the Grafana dashboard's
 * panel queries, the alert rules, and copies of the scrape configuration and rules for a test's
 * own Prometheus that differ from the shipped ones only where a test must (targets, intervals,
 * {@code for}).
 */
final class MonitoringFiles {

  static final Path DIR = Path.of("monitoring");
  static final Path SCRAPE_CONFIG = DIR.resolve("prometheus.yml");
  static final Path ALERTS = DIR.resolve("alerts.yml");
  static final Path DASHBOARD = DIR.resolve("grafana-dashboard.json");

  /** A vector selector: a metric name of ours and its optional label matchers. */
  private static final Pattern SELECTOR =
      Pattern.compile("\\b((?:streamdistill|jvm|process)_[a-zA-Z0-9_]+)(\\{[^}]*})?");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  private MonitoringFiles() {}

  record Panel(String title, String expr) {}

  record AlertRule(String name, String expr) {}

  static List<Panel> dashboardPanels() throws IOException {
    List<Panel> panels = new ArrayList<>();
    for (JsonNode panel : JSON.readTree(DASHBOARD.toFile()).get("panels")) {
      for (JsonNode target : panel.get("targets")) {
        panels.add(new Panel(panel.get("title").asText(), target.get("expr").asText()));
      }
    }
    return panels;
  }

  static List<AlertRule> alertRules() throws IOException {
    List<AlertRule> rules = new ArrayList<>();
    for (JsonNode group : YAML.readTree(ALERTS.toFile()).get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        rules.add(new AlertRule(rule.get("alert").asText(), rule.get("expr").asText()));
      }
    }
    return rules;
  }

  /** Every vector selector in {@code expr} ({@code name{matchers}}), in order. */
  static List<String> selectors(String expr) {
    List<String> selectors = new ArrayList<>();
    Matcher m = SELECTOR.matcher(expr);
    while (m.find()) {
      selectors.add(m.group());
    }
    return selectors;
  }

  /**
   * A panel query as Grafana would send it to a Prometheus scraping every {@code scrape}: {@code
   * $__rate_interval} becomes four scrape intervals (Grafana's lower bound for it), {@code
   * $__interval} one. Fails on any other template variable, which this test would not know how to
   * fill.
   */
  static String grafanaToPromql(String expr, Duration scrape) {
    String promql = expr.replace("$__rate_interval", (4 * scrape.toSeconds()) + "s")
        .replace("$__interval", scrape.toSeconds() + "s");
    if (promql.contains("$")) {
      throw new IllegalArgumentException("a template variable the test does not substitute: " + expr);
    }
    return promql;
  }

  /**
   * The shipped scrape configuration with every job's targets replaced by {@code targets} (job
   * name to {@code host:port}; a job without one fails), both intervals set to {@code interval},
   * and {@code rules} as its one rule file; everything else (jobs, relabelling) as shipped.
   */
  static String scrapeConfigFor(Map<String, String> targets, Duration interval, Path rules) throws IOException {
    ObjectNode config = (ObjectNode) YAML.readTree(SCRAPE_CONFIG.toFile());
    ObjectNode global = (ObjectNode) config.get("global");
    global.put("scrape_interval", interval.toSeconds() + "s");
    global.put("evaluation_interval", interval.toSeconds() + "s");
    config.putArray("rule_files").add(rules.toAbsolutePath().toString());
    for (JsonNode job : config.get("scrape_configs")) {
      String name = job.get("job_name").asText();
      String target = targets.get(name);
      if (target == null) {
        throw new IllegalArgumentException("prometheus.yml scrapes job " + name + ", which the test does not run");
      }
      ArrayNode staticConfigs = ((ObjectNode) job).putArray("static_configs");
      staticConfigs.addObject().putArray("targets").add(target);
    }
    return YAML.writeValueAsString(config);
  }

  /** The shipped alert rules with every {@code for} set to {@code pendingFor}, so that a test sees them fire. */
  static String alertsPendingFor(Duration pendingFor) throws IOException {
    JsonNode alerts = YAML.readTree(ALERTS.toFile());
    for (JsonNode group : alerts.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        if (rule.has("for")) {
          ((ObjectNode) rule).put("for", pendingFor.toSeconds() + "s");
        }
      }
    }
    return YAML.writeValueAsString(alerts);
  }
}
