package org.streamdistill.deploy.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.demo.EmbeddedPipeline;
import org.streamdistill.deploy.teacher.SmallTeacherBundle;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.evaluator.lag.ConsumerLagMonitor;
import org.streamdistill.evaluator.lag.LagHttpServer;
import org.streamdistill.evaluator.lag.MonitoredGroup;
import org.streamdistill.producers.ingest.IngestConfig;
import org.streamdistill.producers.ingest.LiveChatIngestion;
import org.streamdistill.producers.replay.Clinc150Turns;
import org.streamdistill.producers.replay.ReplayOptions;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.http.BoundedHttpServer;
import org.streamdistill.schemas.metrics.MetricsEndpoint;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.student.serving.KafkaChampionFeed;
import org.streamdistill.student.serving.ServerConfig;
import org.streamdistill.student.serving.StudentServer;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * The shipped monitoring files against a real Prometheus (Debian's {@code prometheus}) scraping
 * a small live pipeline: every stage of it (teacher job, trainer, evaluator, ingestion, serving,
 * lag monitor) serves its metrics on a free port, and Prometheus runs the shipped scrape
 * configuration (targets rewritten to those ports, a 1 s interval) and the shipped alert rules
 * ({@code for} shortened). Every dashboard panel's query must return series, so a panel naming a
 * metric no stage exports fails here; every alert rule must evaluate cleanly and every metric
 * selector in it must return series; and two alerts must fire for real: dead letters arriving
 * (poison written to the turns topic) and a consumer group that stopped committing.
 */
class PrometheusIT {

  private static final Duration SCRAPE = Duration.ofSeconds(1);
  private static final Duration ALERT_FOR = Duration.ofSeconds(2);
  private static final String TOKEN = "prometheus-it-ingest-token";
  /** A consumer group that committed once and died: the lag monitor must call it STOP. */
  private static final String DEAD_GROUP = "prometheus-it-dead-consumer";
  private static final int TURNS = 300;
  /** Enough dead letters within 5 minutes for the shipped threshold of 0.1 a second. */
  private static final int POISON = 100;
  private static final byte[] POISON_VALUE = "*not avro*".getBytes(StandardCharsets.UTF_8);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldAnswerEveryDashboardPanelAndAlertRuleFromTheMetricsTheStagesExport(@TempDir Path work)
      throws Exception {
    assertThat(PrometheusServer.PROMETHEUS).as("Debian's prometheus (bin/test installs it)").isExecutable();
    // Given the shipped files, which promtool accepts as they are
    assertPromtool("check", "config", MonitoringFiles.SCRAPE_CONFIG.toString());
    assertPromtool("check", "rules", MonitoringFiles.ALERTS.toString());

    // And a small pipeline with every stage's metrics endpoint on, quick checkpoints and promotions
    Path dataPath = SmallTeacherBundle.clinc150Path();
    Clinc150 data = Clinc150.read(dataPath);
    Path bundle = work.resolve("bundle");
    SmallTeacherBundle.fitAndSave(data, dataPath, 10, bundle);
    var settings = new EmbeddedPipeline.Settings(work.resolve("pipeline"), bundle,
        Map.of(TeacherJobConfig.CHECKPOINT_INTERVAL_MS, "500", TeacherJobConfig.METRICS_PREFIX + MetricsEndpoint.PORT, "0"),
        Map.of(TrainerConfig.CHECKPOINT_EVERY_SAMPLES, "50", TrainerConfig.METRICS_PREFIX + MetricsEndpoint.PORT, "0"),
        Map.of(EvaluatorConfig.PROMOTION_MIN_PAIRED, "50", EvaluatorConfig.PROMOTION_COOLDOWN_TURNS, "50",
            EvaluatorConfig.METRICS_LAST_TURNS_EVERY, "25", EvaluatorConfig.METRICS_PREFIX + MetricsEndpoint.PORT, "0"));
    List<DialogueTurn> turns = new ArrayList<>();
    new Clinc150Turns(data, new ReplayOptions(1, false, 0.5, 11, TURNS, 4), () -> 1L).forEach(turns::add);
    Path prometheusDir = Files.createDirectories(Path.of("target"))
        .resolve("prometheus-it-" + System.currentTimeMillis());
    Files.createDirectories(prometheusDir);

    try (EmbeddedPipeline pipeline = EmbeddedPipeline.start(settings);
         LiveChatIngestion ingestion = LiveChatIngestion.start(IngestConfig.of(Map.of(
             IngestConfig.BOOTSTRAP_SERVERS, pipeline.bootstrapServers(),
             IngestConfig.REGISTRY_URL, pipeline.registryUrl(),
             IngestConfig.PORT, "0", IngestConfig.TOKEN, TOKEN)), pipeline.registry());
         MetricsEndpoint ingestMetrics = MetricsEndpoint.startIfEnabled("ingest-metrics", onFreePort(),
             ingestion.metricsRegistry());
         StudentServer server = new StudentServer(ServerConfig.of(Map.of(ServerConfig.PORT, "0")),
             new KafkaChampionFeed(pipeline.bootstrapServers(), "", "student", pipeline.registry()), null);
         MetricsEndpoint servingMetrics = MetricsEndpoint.startIfEnabled("server-metrics", onFreePort(),
             server.metricsRegistry());
         ConsumerLagMonitor lagMonitor = new ConsumerLagMonitor(new ConsumerLagMonitor.Settings(
             pipeline.bootstrapServers(), lagGroups(), Duration.ofSeconds(1), 5, Duration.ofSeconds(5),
             Duration.ofSeconds(10)));
         LagHttpServer lag = new LagHttpServer("127.0.0.1", 0, BoundedHttpServer.Limits.defaults(2),
             lagMonitor::latest, lagMonitor::sampleFailures)) {
      server.start();
      lagMonitor.start();
      commitOnceAndDie(pipeline.bootstrapServers());

      // And Prometheus scraping all six with the shipped jobs and rules
      Map<String, URI> stages = pipeline.metricsEndpoints();
      Map<String, String> targets = new LinkedHashMap<>();
      targets.put("streamdistill-teacher", hostPort(stages.get("teacher")));
      targets.put("streamdistill-trainer", hostPort(stages.get("trainer")));
      targets.put("streamdistill-evaluator", hostPort(stages.get("evaluator")));
      targets.put("streamdistill-ingest", hostPort(ingestMetrics.baseUri()));
      targets.put("streamdistill-serve", hostPort(servingMetrics.baseUri()));
      targets.put("streamdistill-lag", "127.0.0.1:" + lag.port());
      Path rules = prometheusDir.resolve("alerts.yml");
      Files.writeString(rules, MonitoringFiles.alertsPendingFor(ALERT_FOR));
      Path config = prometheusDir.resolve("prometheus.yml");
      Files.writeString(config, MonitoringFiles.scrapeConfigFor(targets, SCRAPE, rules));
      assertPromtool("check", "config", config.toString());

      try (PrometheusServer prometheus = PrometheusServer.start(config, prometheusDir)) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(prometheus::ready);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
            assertThat(prometheus.api("/api/v1/targets").get("activeTargets"))
                .extracting(t -> t.get("labels").get("job").asText() + " " + t.get("health").asText())
                .containsExactlyInAnyOrderElementsOf(targets.keySet().stream().map(job -> job + " up").toList()));

        // When live chat turns flow in through the ingestion endpoint until a first student is promoted,
        int firstWave = TURNS * 2 / 3;
        for (DialogueTurn turn : turns.subList(0, firstWave)) {
          assertThat(ingest(ingestion.baseUri(), turn).statusCode()).isEqualTo(202);
        }
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          pipeline.checkHealth();
          assertThat(pipeline.trainerStats().predictionsAcknowledged()).isEqualTo(firstWave);
          assertThat(server.championVersion()).isNotNull();
        });
        // And then more, which the champion predicts too, and one undecodable record
        for (DialogueTurn turn : turns.subList(firstWave, TURNS)) {
          assertThat(ingest(ingestion.baseUri(), turn).statusCode()).isEqualTo(202);
        }
        producePoison(pipeline.bootstrapServers(), 1);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          pipeline.checkHealth();
          assertThat(pipeline.trainerStats().predictionsAcknowledged()).isEqualTo(TURNS);
        });
        // And a client asks the serving endpoint for the champion's answers
        for (int i = 0; i < 5; i++) {
          assertThat(classify(server.port()).statusCode()).isEqualTo(200);
        }
        // And, once Prometheus holds the dead-letter counter, many more undecodable records arrive
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
            assertThat(prometheus.query("streamdistill_dead_letters_total")).isNotEmpty());
        producePoison(pipeline.bootstrapServers(), POISON);

        // Then the dead-letter alert and the alert on the dead consumer group fire
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
            assertThat(firingAlerts(prometheus)).contains(
                "DeadLettersArriving stage=teacher-stream topic=" + Topics.TURNS.name(),
                "ConsumerGroupStalledOrStopped group=" + DEAD_GROUP));
        // And every dashboard panel's query returns series
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
            assertThat(panelsWithoutData(prometheus)).as("dashboard panels whose query returns no series").isEmpty());
        // And every alert rule is loaded and evaluates cleanly
        JsonNode loaded = prometheus.api("/api/v1/rules").get("groups");
        assertThat(StreamSupport.stream(loaded.spliterator(), false).flatMap(g ->
                StreamSupport.stream(g.get("rules").spliterator(), false))
            .map(r -> r.get("name").asText() + " " + r.get("health").asText()))
            .containsExactlyInAnyOrderElementsOf(MonitoringFiles.alertRules().stream()
                .map(rule -> rule.name() + " ok").toList());
        // And every metric selector of every alert returns series
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
            assertThat(alertSelectorsWithoutData(prometheus)).as("alert selectors that return no series").isEmpty());
      }
    }
  }

  private static MetricsEndpoint.Settings onFreePort() {
    return new MetricsEndpoint.Settings("127.0.0.1", 0);
  }

  private static String hostPort(URI uri) {
    return uri.getHost() + ":" + uri.getPort();
  }

  /** The pipeline's three groups and the dead one, all reading the turns topic or after it. */
  private static List<MonitoredGroup> lagGroups() {
    List<MonitoredGroup> groups = new ArrayList<>(MonitoredGroup.PIPELINE_GROUP_IDS.stream()
        .map(id -> MonitoredGroup.of(id, "")).toList());
    groups.add(new MonitoredGroup(DEAD_GROUP, java.util.Set.of(Topics.TURNS.name())));
    return groups;
  }

  /** Commits offset 0 on every partition of the turns topic for {@link #DEAD_GROUP}, and nothing ever after. */
  private static void commitOnceAndDie(String bootstrap) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      int partitions = admin.describeTopics(List.of(Topics.TURNS.name())).allTopicNames().get()
          .get(Topics.TURNS.name()).partitions().size();
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        offsets.put(new TopicPartition(Topics.TURNS.name(), p), new OffsetAndMetadata(0));
      }
      admin.alterConsumerGroupOffsets(DEAD_GROUP, offsets).all().get();
    }
  }

  private HttpResponse<String> ingest(URI base, DialogueTurn turn) throws Exception {
    ObjectNode body = JSON.createObjectNode().put("speaker", turn.getSpeaker()).put("text", turn.getText());
    if (turn.getGoldLabel() != null) {
      body.put("gold_label", turn.getGoldLabel());
    }
    return http.send(HttpRequest.newBuilder(base.resolve("/v1/conversations/" + turn.getConversationId() + "/turns"))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> classify(int port) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/classify"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"token_ids\": [101, 7592, 2088, 102]}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void producePoison(String bootstrap, int count) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(Topics.TURNS.name(), ("poison-" + i).getBytes(StandardCharsets.UTF_8),
            POISON_VALUE));
      }
      producer.flush();
    }
  }

  /** Each firing alert as its name and the labels the test looks for. */
  private static List<String> firingAlerts(PrometheusServer prometheus) throws Exception {
    List<String> firing = new ArrayList<>();
    for (JsonNode alert : prometheus.api("/api/v1/alerts").get("alerts")) {
      if (!alert.get("state").asText().equals("firing")) {
        continue;
      }
      JsonNode labels = alert.get("labels");
      String name = labels.get("alertname").asText();
      firing.add(switch (name) {
        case "DeadLettersArriving" -> name + " stage=" + labels.path("stage").asText() + " topic="
            + labels.path("topic").asText();
        case "ConsumerGroupStalledOrStopped" -> name + " group=" + labels.path("group").asText();
        default -> name;
      });
    }
    return firing;
  }

  private static List<String> panelsWithoutData(PrometheusServer prometheus) throws Exception {
    List<String> empty = new ArrayList<>();
    for (MonitoringFiles.Panel panel : MonitoringFiles.dashboardPanels()) {
      String promql = MonitoringFiles.grafanaToPromql(panel.expr(), SCRAPE);
      if (prometheus.query(promql).isEmpty()) {
        empty.add(panel.title() + ": " + promql);
      }
    }
    return empty;
  }

  private static List<String> alertSelectorsWithoutData(PrometheusServer prometheus) throws Exception {
    List<String> empty = new ArrayList<>();
    for (MonitoringFiles.AlertRule rule : MonitoringFiles.alertRules()) {
      List<String> selectors = MonitoringFiles.selectors(rule.expr());
      if (selectors.isEmpty()) {
        empty.add(rule.name() + ": no metric selector at all");
      }
      for (String selector : new java.util.LinkedHashSet<>(selectors)) {
        if (prometheus.query(selector).isEmpty()) {
          empty.add(rule.name() + ": " + selector);
        }
      }
    }
    return empty;
  }

  private static void assertPromtool(String... args) throws Exception {
    PrometheusServer.ToolResult result = PrometheusServer.promtool(args);
    assertThat(result.exitCode()).as("promtool %s:%n%s", String.join(" ", args), result.output()).isZero();
  }
}
