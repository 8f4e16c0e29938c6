package org.streamdistill.deploy.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.demo.EmbeddedPipeline;
import org.streamdistill.deploy.demo.TopicReader;
import org.streamdistill.deploy.teacher.SmallTeacherBundle;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.evaluator.console.ConsoleCommand.Console;
import org.streamdistill.evaluator.console.ConsoleConfig;
import org.streamdistill.evaluator.lag.MonitoredGroup;
import org.streamdistill.producers.publish.RateLimiter;
import org.streamdistill.producers.publish.TurnPublisher;
import org.streamdistill.producers.replay.Clinc150Turns;
import org.streamdistill.producers.replay.ReplayOptions;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * The console in a real browser (Debian's headless Chromium through Selenium) over a small
 * pipeline on the embedded platform: the page must show the live figures, the same ones the
 * topics hold, without a script error and without asking any host but the console for anything.
 * Leaves a screenshot in {@code target/console-screenshot.png}.
 */
class ConsoleIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final byte[] POISON = "*not avro*".getBytes(StandardCharsets.UTF_8);

  @Test
  void shouldShowLagPromotionsAgreementAndDeadLettersOfALivePipelineFromLocalResourcesOnly(@TempDir Path work)
      throws Exception {
    assertThat(CHROMIUM).as("Debian's chromium (.ci/run installs it)").isExecutable();
    assertThat(CHROMEDRIVER).as("Debian's chromium-driver (.ci/run installs it)").isExecutable();
    // Given a small real teacher, the pipeline with quick checkpoints, promotions and last-turns metrics
    Path dataPath = SmallTeacherBundle.clinc150Path();
    Clinc150 data = Clinc150.read(dataPath);
    Path bundle = work.resolve("bundle");
    SmallTeacherBundle.fitAndSave(data, dataPath, 10, bundle);
    var settings = new EmbeddedPipeline.Settings(work.resolve("pipeline"), bundle,
        Map.of(TeacherJobConfig.CHECKPOINT_INTERVAL_MS, "500"),
        Map.of(TrainerConfig.CHECKPOINT_EVERY_SAMPLES, "50"),
        Map.of(EvaluatorConfig.PROMOTION_MIN_PAIRED, "50", EvaluatorConfig.PROMOTION_COOLDOWN_TURNS, "50",
            EvaluatorConfig.METRICS_LAST_TURNS_EVERY, "25"));
    List<DialogueTurn> turns = new ArrayList<>();
    new Clinc150Turns(data, new ReplayOptions(1, false, 0.5, 7, 300, 4), () -> 1L).forEach(turns::add);

    try (EmbeddedPipeline pipeline = EmbeddedPipeline.start(settings);
         Console console = new Console(ConsoleConfig.of(Map.of(
             ConsoleConfig.BOOTSTRAP_SERVERS, pipeline.bootstrapServers(),
             ConsoleConfig.REGISTRY_URL, pipeline.registryUrl(),
             ConsoleConfig.HTTP_PORT, "0",
             ConsoleConfig.REFRESH_MS, "500")), pipeline.registry())) {
      ChromeDriver browser = browser(work.resolve("chromium-profile"));
      try {
        // When the console is open while 300 turns and one undecodable record flow through
        browser.get(console.uri().toString());
        try (TurnPublisher publisher = new TurnPublisher(pipeline.bootstrapServers(), pipeline.registry(),
            Topics.TURNS)) {
          publisher.publish(restamp(turns), RateLimiter.unlimited(), n -> { });
        }
        producePoison(pipeline.bootstrapServers());
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          pipeline.checkHealth();
          assertThat(pipeline.trainerStats().predictionsAcknowledged()).isEqualTo(300);
          assertThat(pipeline.trainerStats().championVersion()).isNotNull();
        });

        // Then the lag table shows the three groups, caught up
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
            assertThat(rows(browser, "lag-table")).extracting(row -> row.get(0) + " " + row.get(1) + " " + row.get(2))
                .containsExactlyInAnyOrder(MonitoredGroup.TEACHER_STREAM + " OK 0",
                    MonitoredGroup.STUDENT_TRAINER + " OK 0", MonitoredGroup.EVALUATOR + " OK 0"));
        // And the decisions table holds the topic's promotions and rollbacks, newest first, the champion named
        TopicReader reader = new TopicReader(pipeline.bootstrapServers(), pipeline.registry());
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          List<PromotionEvent> decided = reader.readAll(Topics.PROMOTIONS).stream()
              .filter(e -> !e.getDecision().equals("HOLD")).toList();
          assertThat(decided).isNotEmpty();
          List<PromotionEvent> newestFirst = new ArrayList<>(decided);
          java.util.Collections.reverse(newestFirst);
          assertThat(rows(browser, "promotions")).extracting(row -> row.get(1) + " " + row.get(2) + " " + row.get(4))
              .containsExactlyElementsOf(newestFirst.stream().map(e -> e.getDecision() + " "
                  + (e.getFromVersion() == null ? "none" : e.getFromVersion()) + " → " + e.getToVersion() + " "
                  + String.format(java.util.Locale.ROOT, "%,d", e.getPairedTurns())).toList());
          assertThat(browser.findElement(By.id("champion")).getText()).isEqualTo(decided.get(decided.size() - 1)
              .getToVersion());
        });
        // And the agreement and lag charts have data, the dead letter its row
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          assertThat(seriesPoints(browser, "chart-agreement")).isPositive();
          assertThat(seriesPoints(browser, "chart-lag-records")).isPositive();
          assertThat(rows(browser, "dead-letters")).extracting(row -> row.get(0) + " " + row.get(1) + " " + row.get(2))
              .containsExactly(Topics.TURNS.name() + " UndecodableRecordException 1");
        });
        save(browser.getScreenshotAs(OutputType.FILE).toPath(), Path.of("target", "console-screenshot.png"));

        // And every resource the page loaded came from the console, and no script failed
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) ((JavascriptExecutor) browser).executeScript(
            "return performance.getEntriesByType('resource').map(e => e.name)"
                + ".concat(performance.getEntriesByType('navigation').map(e => e.name));");
        String origin = console.uri().toString();
        assertThat(loaded).isNotEmpty().allSatisfy(url -> assertThat(url).startsWith(origin));
        assertThat(loaded).anySatisfy(url -> assertThat(url).isEqualTo(origin + "lib/uplot.js"));
        assertThat(browser.manage().logs().get(LogType.BROWSER).getAll())
            .filteredOn(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
            .map(LogEntry::getMessage).isEmpty();
      } finally {
        browser.quit();
      }
    }
  }

  /** Headless Chromium that stays off the network: no background, update, sync or QUIC traffic. */
  private static ChromeDriver browser(Path profile) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1400,1800", "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  /**
   * The cells' text of every row of table {@code id}, read in one script: the page rebuilds its
   * tables at each refresh, so elements found one call earlier may be gone by the next.
   */
  @SuppressWarnings("unchecked")
  private static List<List<String>> rows(ChromeDriver browser, String id) {
    return (List<List<String>>) ((JavascriptExecutor) browser).executeScript("return [...document.querySelectorAll("
        + "'#' + arguments[0] + ' tbody tr')].map(tr => [...tr.cells].map(td => td.textContent));", id);
  }

  /** Non-null points over every data series of the uPlot chart in element {@code id}; 0 before it exists. */
  private static long seriesPoints(ChromeDriver browser, String id) {
    Object n = ((JavascriptExecutor) browser).executeScript("const c = window.consoleCharts[arguments[0]];"
        + "return c ? c.data.slice(1).reduce((n, s) => n + s.filter(v => v !== null).length, 0) : 0;", id);
    return ((Number) n).longValue();
  }

  private static void save(Path screenshot, Path target) throws Exception {
    Files.createDirectories(target.getParent());
    Files.copy(screenshot, target, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void producePoison(String bootstrap) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(Topics.TURNS.name(), "poison".getBytes(StandardCharsets.UTF_8), POISON)).get();
    }
  }

  /** Stamps the turns with the current time, as a live chat would. */
  private static List<DialogueTurn> restamp(List<DialogueTurn> turns) {
    Instant now = Instant.now();
    return turns.stream().map(t -> DialogueTurn.newBuilder(t).setEventTime(now).build()).toList();
  }
}
