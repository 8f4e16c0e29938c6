package org.streamdistill.deploy.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.deploy.demo.GateCounters;
import org.streamdistill.evaluator.lag.ConsumerLagMonitor;
import org.streamdistill.evaluator.lag.GroupLag;
import org.streamdistill.evaluator.lag.LagSnapshot;
import org.streamdistill.evaluator.lag.MonitoredGroup;
import org.streamdistill.evaluator.lag.PartitionLag;
import org.streamdistill.producers.publish.RateLimiter;
import org.streamdistill.producers.publish.TurnPublisher;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.StudentCheckpoint;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.teacher.job.TeacherJob;
import org.streamdistill.teacher.job.TeacherJobConfig;
import org.streamdistill.teacher.job.TurnScorers;

/**
 * A peak against the teacher job: turns offered at a fixed rate above what the teacher scores
 * for a while, then none; the lag of the job's consumer group on the turns topic (records, and
 * seconds since the oldest unconsumed turn entered the topic, as the lag monitor measures it)
 * sampled every second. The champion student is announced on the model topics first, as the
 * trainer and evaluator would, so a policy that consults it has it from the first turn.
 */
final class PeakLag {

  private static final Logger LOG = LoggerFactory.getLogger(PeakLag.class);

  /** One lag sample, {@code second} seconds after the peak began. */
  record Sample(double second, long records, double seconds) {}

  /**
   * One run: the policy, what was offered, the lag over time, and what the teacher scored and its
   * gate skipped from the peak's start to the last sample ({@code gate}).
   */
  record Run(String policy, double offeredPerSecond, double peakSeconds, long offered, List<Sample> samples,
             GateCounters gate) {

    double maxLagSecondsDuringPeak() {
      return samples.stream().filter(s -> s.second() <= peakSeconds).mapToDouble(Sample::seconds).max().orElse(0);
    }

    Sample atPeakEnd() {
      Sample best = samples.get(0);
      for (Sample s : samples) {
        if (s.second() <= peakSeconds + 0.5) {
          best = s;
        }
      }
      return best;
    }
  }

  private final BenchPlatform platform;
  private final Path bundle;
  private final Path championExport;

  PeakLag(BenchPlatform platform, Path bundle, Path championExport) {
    this.platform = platform;
    this.bundle = bundle;
    this.championExport = championExport;
  }

  /**
   * Runs one peak in a fresh namespace.
   *
   * @param selection teacher job settings of the gate ({@code teacher.selection.*})
   */
  Run run(String policyName, Map<String, String> selection, List<DialogueTurn> warmup, List<DialogueTurn> peakTurns,
          double perSecond, double peakSeconds, double drainSeconds) throws Exception {
    // (a topic name takes only ASCII letters, digits, '.', '_' and '-')
    String namespace = "peak-" + policyName.replaceAll("[^A-Za-z0-9._-]", "-") + "-" + System.nanoTime() % 100_000;
    platform.provision(namespace);
    announceChampion(namespace);
    Map<String, String> settings = new HashMap<>(selection);
    settings.put(TeacherJobConfig.BUNDLE, bundle.toString());
    settings.put(TeacherJobConfig.BOOTSTRAP_SERVERS, platform.bootstrapServers());
    settings.put(TeacherJobConfig.REGISTRY_URL, platform.registryUrl());
    settings.put(TeacherJobConfig.NAMESPACE, namespace);
    // One subtask: the peak is offered at what one subtask scores, and the whole budget is its.
    settings.put(TeacherJobConfig.PARALLELISM, "1");
    String group = namespace + "-teacher";
    settings.put(TeacherJobConfig.GROUP_ID, group);
    settings.put(TeacherJobConfig.TRANSACTIONAL_ID_PREFIX, group);
    TeacherJobConfig config = TeacherJobConfig.of(settings);
    TeacherJob job = new TeacherJob(config, TurnScorers.fromConfig(config));
    Configuration flink = new Configuration();
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, flink);
    job.build(env, job.kafkaSource(), job.kafkaSink());
    JobClient client = env.executeAsync(TeacherJob.NAME + " " + namespace);
    Topic<DialogueTurn> turns = Topics.TURNS.inNamespace(namespace);
    ExecutorService producing = Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-peak-producer"));
    ConsumerLagMonitor.Settings lagSettings = new ConsumerLagMonitor.Settings(platform.bootstrapServers(),
        List.of(new MonitoredGroup(group, Set.of(turns.name()))), Duration.ofSeconds(1), 2, Duration.ofMinutes(10),
        Duration.ofSeconds(10));
    try (TurnPublisher publisher = new TurnPublisher(platform.bootstrapServers(), platform.registry(), turns);
         ConsumerLagMonitor lag = new ConsumerLagMonitor(lagSettings)) {
      // Warm-up: the job scores these before the clock starts (JIT, ONNX Runtime, first checkpoint).
      publisher.publish(warmup, RateLimiter.unlimited(), n -> { });
      awaitCaughtUp(lag, client, Duration.ofMinutes(5));
      // The job runs in this JVM and counts into the default registry (as earlier peaks' jobs did).
      GateCounters before = GateCounters.read(PrometheusRegistry.defaultRegistry);
      long start = System.nanoTime();
      Future<Long> offered = producing.submit(() -> publisher.publish(peakTurns, new RateLimiter(perSecond),
          n -> { }));
      List<Sample> samples = new ArrayList<>();
      double end = peakSeconds + drainSeconds;
      for (int second = 1; second <= Math.ceil(end); second++) {
        long due = start + (long) (second * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        health(client, namespace);
        samples.add(sample(lag.sampleNow(), (System.nanoTime() - start) / 1e9));
      }
      offered.cancel(true);
      GateCounters gate = GateCounters.read(PrometheusRegistry.defaultRegistry).since(before);
      long count = publisher.acknowledged();
      LOG.info("bench: peak {} offered {} turns at {}/s; the teacher scored {} in {} batches, the gate skipped {}",
          policyName, count, perSecond, gate.teacherTurns(), gate.teacherBatches(), gate.skippedByReason());
      return new Run(policyName, perSecond, peakSeconds, count, samples, gate);
    } finally {
      producing.shutdownNow();
      try {
        client.cancel().get(60, TimeUnit.SECONDS);
        client.getJobExecutionResult().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.debug("peak job {} stopped: {}", namespace, e.toString());
      }
    }
  }

  private static Sample sample(LagSnapshot snapshot, double second) {
    long records = 0;
    double seconds = 0;
    for (GroupLag g : snapshot.groups()) {
      for (PartitionLag p : g.partitions()) {
        records += Math.max(0, p.lag());
        seconds = Math.max(seconds, Math.max(0, p.timeLagMs()) / 1e3);
      }
    }
    return new Sample(Math.round(second * 10) / 10.0, records, seconds);
  }

  private static void awaitCaughtUp(ConsumerLagMonitor lag, JobClient client, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      health(client, "warm-up");
      LagSnapshot s = lag.sampleNow();
      boolean committed = !s.groups().isEmpty() && !s.groups().get(0).partitions().isEmpty();
      if (committed && sample(s, 0).records() == 0) {
        return;
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("the teacher job did not catch up with its warm-up turns within " + timeout);
  }

  private static void health(JobClient client, String namespace) throws Exception {
    var status = client.getJobStatus().get(10, TimeUnit.SECONDS);
    if (status.isGloballyTerminalState()) {
      throw new IllegalStateException("the teacher job in " + namespace + " ended with status " + status
          + " (see target/streamdistill.log)");
    }
  }

  private void announceChampion(String namespace) throws Exception {
    Topic<StudentCheckpoint> checkpoints = Topics.CHECKPOINTS.inNamespace(namespace);
    Topic<PromotionEvent> promotions = Topics.PROMOTIONS.inNamespace(namespace);
    String version = "student-bench";
    StudentCheckpoint checkpoint = StudentCheckpoint.newBuilder().setModelName("student").setModelVersion(version)
        .setSamplesSeen(0).setOffsets(Map.of()).setWeightsUri(championExport.toUri().toString())
        .setOnnxUri(championExport.toUri().toString()).setLabelSetId("bench").setCreatedAt(Instant.now()).build();
    PromotionEvent promotion = PromotionEvent.newBuilder().setModelName("student").setDecision("PROMOTE")
        .setToVersion(version).setDecidedAt(Instant.now()).setPairedTurns(0).setChallengerOnlyCorrect(0)
        .setChampionOnlyCorrect(0).setChampionScore(0).setChallengerScore(0).setMetric("bench")
        .setReason("bench: the student of the uncertainty learning curve").build();
    Map<String, Object> props = Map.of("bootstrap.servers", platform.bootstrapServers(), "acks", "all");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      byte[] key = "student".getBytes(StandardCharsets.UTF_8);
      producer.send(new ProducerRecord<>(checkpoints.name(), key, new AvroWireCodec<>(platform.registry(),
          checkpoints.valueSubject(), StudentCheckpoint.class).encode(checkpoint))).get();
      producer.send(new ProducerRecord<>(promotions.name(), key, new AvroWireCodec<>(platform.registry(),
          promotions.valueSubject(), PromotionEvent.class).encode(promotion))).get();
    }
  }
}
