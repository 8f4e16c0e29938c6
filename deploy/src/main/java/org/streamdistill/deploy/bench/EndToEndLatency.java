package org.streamdistill.deploy.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.bench.BenchReport.EndToEndRun;
import org.streamdistill.deploy.demo.EmbeddedPipeline;
import org.streamdistill.producers.publish.RateLimiter;
import org.streamdistill.producers.publish.TurnPublisher;
import org.streamdistill.producers.replay.Clinc150Turns;
import org.streamdistill.producers.replay.ReplayOptions;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentPrediction;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * The whole pipeline ({@link EmbeddedPipeline}: broker, registry, teacher job, trainer,
 * evaluator) fed CLINC150 training turns at a fixed rate, one fresh pipeline per teacher
 * checkpoint interval. A turn's {@code event_time} is stamped as the replay hands it to the
 * producer, so every latency here starts at the write: to the teacher's {@code scored_at}, to
 * the moment a {@code read_committed} consumer saw the soft label, to the trainer's {@code
 * predicted_at}, and to the moment the consumer saw the prediction. Turns written during the
 * warm-up seconds are left out.
 *
 * <p>Optionally the run then replays held-out test turns as fast as the pipeline takes them
 * and tallies the in-scope accuracy of the teacher and of the student that learned online from
 * that run's turns.
 */
final class EndToEndLatency {

  private static final Logger LOG = LoggerFactory.getLogger(EndToEndLatency.class);

  /** Accuracy of a short online run on held-out in-scope turns. */
  record OnlineQuality(long turnsLearned, long inScopeTurns, long teacherCorrect, long studentCorrect,
                       String studentVersion) {}

  record Outcome(EndToEndRun run, OnlineQuality quality) {}

  private final Clinc150 data;
  private final Path workDir;
  private final Path bundle;
  private final Map<String, String> teacherSettings;
  private final long seed;
  private final Duration timeout;

  EndToEndLatency(Clinc150 data, Path workDir, Path bundle, Map<String, String> teacherSettings, long seed,
                  Duration timeout) {
    this.data = data;
    this.workDir = workDir;
    this.bundle = bundle;
    this.teacherSettings = Map.copyOf(teacherSettings);
    this.seed = seed;
    this.timeout = timeout;
  }

  Outcome run(long checkpointIntervalMillis, double rate, double warmupSeconds, double measuredSeconds,
              int qualityTestTurns) throws Exception {
    Map<String, String> teacher = new java.util.HashMap<>(teacherSettings);
    teacher.put(TeacherJobConfig.PARALLELISM, "1");
    teacher.put(TeacherJobConfig.CHECKPOINT_INTERVAL_MS, Long.toString(checkpointIntervalMillis));
    var settings = new EmbeddedPipeline.Settings(workDir.resolve("e2e-" + checkpointIntervalMillis), bundle, teacher,
        Map.of(), Map.of());
    long wanted = (long) Math.ceil(rate * (warmupSeconds + measuredSeconds));
    int trainSize = data.trainWithOos().size();
    int passes = (int) Math.max(1, (wanted + trainSize - 1) / trainSize);
    Clinc150Turns training = new Clinc150Turns(data, new ReplayOptions(passes, false, 0.1, seed, wanted, 6),
        System::currentTimeMillis);

    ExecutorService producerThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-e2e-producer"));
    try (EmbeddedPipeline pipeline = EmbeddedPipeline.start(settings);
         CommittedWatcher watcher = new CommittedWatcher(pipeline.bootstrapServers(),
             List.of(Topics.SOFT_LABELS.name(), Topics.PREDICTIONS.name(), Topics.TURNS.deadLetterTopic()));
         TurnPublisher publisher = new TurnPublisher(pipeline.bootstrapServers(), pipeline.registry(), Topics.TURNS)) {
      long start = System.currentTimeMillis();
      long windowStart = start + (long) (warmupSeconds * 1000);
      Future<Long> publishing = producerThread.submit(() -> publisher.publish(training, new RateLimiter(rate),
          n -> { }));
      CommittedWatcher.HealthCheck health = () -> {
        pipeline.checkHealth();
        if (publishing.isDone()) {
          publishing.get();
        }
      };
      awaitAll(watcher, wanted, health);
      long produced = publishing.get();
      LOG.info("bench: end-to-end run at {} ms checkpoints: {} turns produced at {} turns/s", checkpointIntervalMillis,
          produced, rate);

      AvroWireCodec<SoftLabel> labelCodec = new AvroWireCodec<>(pipeline.registry(), Topics.SOFT_LABELS.valueSubject(),
          SoftLabel.class);
      AvroWireCodec<StudentPrediction> predictionCodec = new AvroWireCodec<>(pipeline.registry(),
          Topics.PREDICTIONS.valueSubject(), StudentPrediction.class);
      List<Double> scored = new ArrayList<>();
      List<Double> labelVisible = new ArrayList<>();
      long firstEvent = Long.MAX_VALUE;
      long lastEvent = Long.MIN_VALUE;
      for (CommittedWatcher.Seen s : watcher.records(Topics.SOFT_LABELS.name())) {
        SoftLabel label = labelCodec.decode(s.value());
        long event = label.getEventTime().toEpochMilli();
        if (event >= windowStart && !label.getHeldOut()) {
          scored.add((double) (label.getScoredAt().toEpochMilli() - event));
          labelVisible.add((double) (s.seenMillis() - event));
          firstEvent = Math.min(firstEvent, event);
          lastEvent = Math.max(lastEvent, event);
        }
      }
      List<Double> predicted = new ArrayList<>();
      List<Double> predictionVisible = new ArrayList<>();
      for (CommittedWatcher.Seen s : watcher.records(Topics.PREDICTIONS.name())) {
        StudentPrediction p = predictionCodec.decode(s.value());
        long event = p.getEventTime().toEpochMilli();
        if (event >= windowStart && !p.getHeldOut()) {
          predicted.add((double) (p.getPredictedAt().toEpochMilli() - event));
          predictionVisible.add((double) (s.seenMillis() - event));
        }
      }
      double span = Math.max(lastEvent - firstEvent, 1) / 1e3;
      EndToEndRun run = new EndToEndRun(checkpointIntervalMillis, scored.size(), scored.size() / span,
          Percentiles.ofMillis(toArray(scored)), Percentiles.ofMillis(toArray(labelVisible)),
          Percentiles.ofMillis(toArray(predicted)), Percentiles.ofMillis(toArray(predictionVisible)));

      OnlineQuality quality = null;
      if (qualityTestTurns > 0) {
        quality = heldOutAccuracy(pipeline, watcher, publisher, predictionCodec, produced, qualityTestTurns, health);
      }
      pipeline.stopStages();
      return new Outcome(run, quality);
    } finally {
      producerThread.shutdownNow();
    }
  }

  /** Waits until every produced turn has a visible soft label and prediction, or a dead letter. */
  private void awaitAll(CommittedWatcher watcher, long produced, CommittedWatcher.HealthCheck health)
      throws Exception {
    watcher.awaitCount(List.of(Topics.SOFT_LABELS.name(), Topics.TURNS.deadLetterTopic()), produced,
        timeout, health);
    watcher.awaitCount(List.of(Topics.PREDICTIONS.name(), Topics.TURNS.deadLetterTopic()), produced,
        timeout, health);
  }

  private OnlineQuality heldOutAccuracy(EmbeddedPipeline pipeline, CommittedWatcher watcher, TurnPublisher publisher,
                                        AvroWireCodec<StudentPrediction> codec, long trainingTurns, int testTurns,
                                        CommittedWatcher.HealthCheck health) throws Exception {
    Clinc150Turns heldOut = new Clinc150Turns(data, new ReplayOptions(0, true, 0.1, seed, testTurns, 6),
        System::currentTimeMillis);
    long sent = publisher.publish(heldOut, RateLimiter.unlimited(), n -> { });
    awaitAll(watcher, trainingTurns + sent, health);
    long inScope = 0;
    long teacherCorrect = 0;
    long studentCorrect = 0;
    String version = null;
    for (CommittedWatcher.Seen s : watcher.records(Topics.PREDICTIONS.name())) {
      StudentPrediction p = codec.decode(s.value());
      if (!p.getHeldOut() || p.getGoldIndex() == null || Clinc150.OUT_OF_SCOPE.equals(p.getGoldLabel())) {
        continue;
      }
      inScope++;
      if (p.getTeacherIndex() == p.getGoldIndex()) {
        teacherCorrect++;
      }
      for (ModelPrediction m : p.getPredictions()) {
        if (m.getRole().equals("challenger")) {
          version = m.getModelVersion();
          if (m.getPredictedIndex() == p.getGoldIndex()) {
            studentCorrect++;
          }
        }
      }
    }
    return new OnlineQuality(pipeline.trainerStats().turnsLearned(), inScope, teacherCorrect, studentCorrect, version);
  }

  private static double[] toArray(List<Double> values) {
    double[] out = new double[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
