package org.streamdistill.deploy.compare;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.logging.Level;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.streamdistill.deploy.platform.EmbeddedKafka;
import org.streamdistill.deploy.platform.TopicProvisioner;
import org.streamdistill.deploy.registry.EmbeddedSchemaRegistry;
import org.streamdistill.evaluator.compare.CompareCommand;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;

/**
 * {@code compare} against a real broker and registry: production and an experiment namespace
 * hold seeded predictions with known differences (the experiment's student agrees with the
 * teacher more often); the reported figures must equal those counted from the same data here,
 * the p-value the exact binomial tail computed here, and the HTML report must draw both
 * learning curves in headless Chromium from the file alone.
 */
class CompareIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final int TURNS = 600;
  private static final int ONLY_IN_EXPERIMENT = 40;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one side predicted of one turn. */
  private record Outcome(boolean heldOut, boolean agrees, boolean goldRight) {}

  @Test
  void shouldReportTheKnownDifferencesWithTheirIntervalAndPValueAndDrawTheCurves(@TempDir Path work)
      throws Exception {
    assertThat(CHROMIUM).as("Debian's chromium (bin/test installs it)").isExecutable();
    // Given seeded predictions: every 3rd turn held out; production agrees with the teacher 60 % of the
    // time, the experiment 80 %, and the experiment also predicted 40 turns production never saw
    Random random = new Random(11);
    List<Outcome> production = new ArrayList<>();
    List<Outcome> experiment = new ArrayList<>();
    for (int i = 0; i < TURNS; i++) { // held out: a property of the turn, turn-k with k divisible by 3
      production.add(new Outcome(i % 3 == 0, random.nextDouble() < 0.6, random.nextDouble() < 0.5));
      experiment.add(new Outcome((i + ONLY_IN_EXPERIMENT) % 3 == 0, random.nextDouble() < 0.8,
          random.nextDouble() < 0.5));
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
         EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers());
         Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      new TopicProvisioner(admin).provision("");
      new TopicProvisioner(admin).provision("exp1");
      write(kafka.bootstrapServers(), registry.url(), "", production, 0);
      write(kafka.bootstrapServers(), registry.url(), "exp1", experiment, ONLY_IN_EXPERIMENT);

      // When compare runs on them
      Path html = work.resolve("report").resolve("compare.html");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int exit = CompareCommand.run(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--registry",
              registry.url(), "--namespaces", "production,exp1", "--json", "true", "--html", html.toString(),
              "--compare.bootstrap.samples", "5000"),
          new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
      assertThat(exit).as(err.toString(UTF_8)).isZero();

      // Then the pairing and every held-out figure are those counted here
      JsonNode variant = JSON.readTree(out.toString(UTF_8)).path("variants").get(0);
      assertThat(variant.path("namespace").asText()).isEqualTo("exp1");
      assertThat(variant.path("paired").asLong()).isEqualTo(TURNS - ONLY_IN_EXPERIMENT);
      assertThat(variant.path("only_baseline").asLong()).isEqualTo(ONLY_IN_EXPERIMENT);
      assertThat(variant.path("only_variant").asLong()).isEqualTo(ONLY_IN_EXPERIMENT);
      for (JsonNode d : variant.path("differences")) {
        boolean heldOut = d.path("turns").asText().equals("held-out");
        boolean gold = d.path("metric").asText().equals("gold_accuracy");
        long pairs = 0;
        long onlyBaseline = 0;
        long onlyVariant = 0;
        long baselineRight = 0;
        for (int i = ONLY_IN_EXPERIMENT; i < TURNS; i++) { // production's turn i is the experiment's turn i - 40
          Outcome a = production.get(i);
          Outcome b = experiment.get(i - ONLY_IN_EXPERIMENT);
          if (a.heldOut() != heldOut || (gold && !heldOut)) {
            continue;
          }
          boolean ra = gold ? a.goldRight() : a.agrees();
          boolean rb = gold ? b.goldRight() : b.agrees();
          pairs++;
          baselineRight += ra ? 1 : 0;
          onlyBaseline += ra && !rb ? 1 : 0;
          onlyVariant += rb && !ra ? 1 : 0;
        }
        String what = d.path("turns").asText() + " " + d.path("metric").asText();
        assertThat(d.path("pairs").asLong()).as(what).isEqualTo(pairs);
        if (pairs == 0) {
          continue; // gold labels only on held-out turns
        }
        double difference = (double) (onlyVariant - onlyBaseline) / pairs;
        assertThat(d.path("baseline").asDouble()).as(what).isCloseTo((double) baselineRight / pairs, within(1e-12));
        assertThat(d.path("difference").asDouble()).as(what).isCloseTo(difference, within(1e-12));
        assertThat(d.path("only_baseline_right").asLong()).as(what).isEqualTo(onlyBaseline);
        assertThat(d.path("only_variant_right").asLong()).as(what).isEqualTo(onlyVariant);
        assertThat(d.path("p_value").asDouble()).as(what)
            .isCloseTo(twoSidedSignTest(onlyBaseline, onlyVariant), within(1e-12));
        // the bootstrap interval holds the difference and is close to the normal approximation's
        double discordant = (double) (onlyBaseline + onlyVariant) / pairs;
        double se = Math.sqrt((discordant - difference * difference) / pairs);
        assertThat(d.path("interval_low").asDouble()).as(what).isLessThan(difference)
            .isCloseTo(difference - 1.96 * se, within(0.02));
        assertThat(d.path("interval_high").asDouble()).as(what).isGreaterThan(difference)
            .isCloseTo(difference + 1.96 * se, within(0.02));
      }
      // And the verdict names the better student with its evidence
      assertThat(variant.path("verdict").asText()).startsWith("exp1 is better than production in agreement with "
          + "the teacher on held-out turns");
      assertThat(variant.path("warnings")).isEmpty();

      // And the HTML report draws both learning curves from the file alone, without a script error
      assertThat(html).isRegularFile();
      ChromeDriver browser = browser(work.resolve("chromium-profile"));
      try {
        browser.get(html.toUri().toString());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          assertThat(curvePoints(browser, 0, 1)).isEqualTo(20); // production's agreement curve
          assertThat(curvePoints(browser, 0, 2)).isEqualTo(20); // the experiment's
          assertThat(curvePoints(browser, 1, 1)).isPositive(); // gold accuracy
        });
        assertThat(browser.findElement(org.openqa.selenium.By.className("verdict")).getText())
            .startsWith("exp1 is better than production");
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) ((JavascriptExecutor) browser).executeScript(
            "return performance.getEntriesByType('resource').map(e => e.name);");
        assertThat(loaded).as("resources the report loaded").isEmpty();
        assertThat(browser.manage().logs().get(LogType.BROWSER).getAll())
            .filteredOn(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
            .map(LogEntry::getMessage).isEmpty();
        Path screenshot = Path.of("target", "compare-report.png");
        Files.createDirectories(screenshot.getParent());
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), screenshot, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        browser.quit();
      }
    }
  }

  /**
   * Production's turns are turn-0..599; the experiment's are turn-40..639 (its outcome i on
   * turn-(i + 40)), so 560 turns are paired and 40 are only in each.
   */
  private static void write(String bootstrap, String registryUrl, String namespace, List<Outcome> outcomes,
      int idOffset) throws Exception {
    Topic<StudentPrediction> topic = Topics.PREDICTIONS.inNamespace(namespace);
    AvroWireCodec<StudentPrediction> codec = new AvroWireCodec<>(new RestSchemaRegistryClient(registryUrl),
        topic.valueSubject(), StudentPrediction.class);
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    // A loaded CI machine once lost a batch of 65 here (the producer's 2-minute delivery timeout ran out
    // and nothing checked): wait longer, and fail on any record not acknowledged.
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 600_000);
    List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      for (int i = 0; i < outcomes.size(); i++) {
        Outcome o = outcomes.get(i);
        int teacher = 3;
        Integer gold = o.heldOut() ? Integer.valueOf(7) : null;
        int predicted = o.heldOut() ? (o.goldRight() ? 7 : (o.agrees() ? teacher : 1)) : (o.agrees() ? teacher : 1);
        if (o.heldOut() && o.goldRight() && o.agrees()) {
          teacher = 7; // right on both counts: the teacher said the gold label too
        }
        ModelPrediction challenger = ModelPrediction.newBuilder().setModelVersion("student-v" + (1 + i / 100))
            .setRole("challenger").setPredictedIndex(predicted).setPredictedLabel("label-" + predicted)
            .setProbability(0.5f).setTeacherProbability(0.4f).build();
        String turnId = "turn-" + (i + idOffset);
        StudentPrediction record = StudentPrediction.newBuilder().setTurnId(turnId).setConversationId("conv-" + i / 5)
            .setEventTime(Instant.ofEpochMilli(1_000L * i)).setPredictedAt(Instant.ofEpochMilli(2_000L * i))
            .setHeldOut(o.heldOut()).setLearned(!o.heldOut()).setTeacherVersion("teacher-1")
            .setTeacherIndex(teacher).setTeacherLabel("label-" + teacher).setGoldIndex(gold)
            .setGoldLabel(gold == null ? null : "label-" + gold).setPredictions(List.of(challenger)).build();
        sent.add(producer.send(new ProducerRecord<>(topic.name(), record.getConversationId().getBytes(UTF_8),
            codec.encode(record))));
      }
      producer.flush();
      for (java.util.concurrent.Future<?> f : sent) {
        f.get();
      }
    }
  }

  /** 2 P(X >= max(b, c)), X ~ Bin(b + c, 1/2), at most 1; by BigInteger, independently of the code. */
  private static double twoSidedSignTest(long b, long c) {
    int n = (int) (b + c);
    long k = Math.max(b, c);
    BigInteger tail = BigInteger.ZERO;
    for (int i = (int) k; i <= n; i++) {
      tail = tail.add(binomial(n, i));
    }
    double p = new BigDecimal(tail.shiftLeft(1)).divide(new BigDecimal(BigInteger.TWO.pow(n)), MathContext.DECIMAL128)
        .doubleValue();
    return b == c ? 1.0 : Math.min(1.0, p);
  }

  private static BigInteger binomial(int n, int k) {
    BigInteger r = BigInteger.ONE;
    for (int i = 0; i < k; i++) {
      r = r.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1L));
    }
    return r;
  }

  /** Non-null points of series {@code series} of chart {@code chart} (0 agreement, 1 gold). */
  private static long curvePoints(ChromeDriver browser, int chart, int series) {
    Object n = ((JavascriptExecutor) browser).executeScript("const c = (window.compareCharts || [])[arguments[0]];"
        + "return c ? c.data[arguments[1]].filter(v => v !== null && v !== undefined).length : 0;", chart, series);
    return ((Number) n).longValue();
  }

  private static ChromeDriver browser(Path profile) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1200,1400", "--user-data-dir=" + profile,
        "--allow-file-access-from-files");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }
}
