package org.streamdistill.deploy.bench;

import java.util.List;
import java.util.Map;

/**
 * Every figure of one {@code bench} run. A section that could not be measured is null and its
 * reason is in {@link #notes()}. Rates are per second, durations in milliseconds unless a name
 * says otherwise.
 *
 * @param date when the run started, ISO-8601 UTC
 * @param command the command line that produced the figures
 * @param mode {@code full} or {@code quick}
 * @param machine where it ran
 * @param loadAverageAt the load average ("1m 5m 15m") when each measurement started, in run order
 * @param wallSeconds duration of the whole run
 */
public record BenchReport(String date, String command, String mode, Machine machine,
                          Map<String, String> loadAverageAt, double wallSeconds, TeacherBound teacherBound,
                          StudentTraining studentTraining, Serving serving, EndToEnd endToEnd, Scale scale,
                          Quality quality, List<Bar> bars, List<String> notes) {

  public BenchReport {
    loadAverageAt = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(loadAverageAt));
    bars = List.copyOf(bars);
    notes = List.copyOf(notes);
  }

  /**
   * Section 1: the teacher on ONNX Runtime alone against the Flink job through Kafka, on the
   * same turns with the same batch size and thread settings, in rounds that alternate the two
   * (raw then job, job then raw, ...) so that drifting background load falls on both.
   *
   * @param rawBatch1PerSecond {@code Teacher.score} one turn per call (once, before the rounds)
   * @param rawBatchPerSecond median over the rounds of {@code Teacher.score} with {@code batchSize}
   *     turns per call
   * @param jobPerSecond median over the rounds of the job's turns from the first produce until the
   *     last soft label was seen by a read_committed consumer
   * @param jobScoringPerSecond median over the rounds of turns over the span of the soft labels'
   *     {@code scored_at} stamps (scoring alone, without the produce ramp-up and the last commit)
   * @param ratio median over the rounds of job / raw of the same round
   * @param includes what the job's time includes, in words
   */
  public record TeacherBound(String teacherVersion, int turns, int batchSize, long batchMaxWaitMillis,
                             int parallelism, int intraOpThreads, long checkpointIntervalMillis,
                             double rawBatch1PerSecond, double rawBatchPerSecond, double jobPerSecond,
                             double jobScoringPerSecond, long deadLetters, double ratio, List<Round> rounds,
                             String includes) {
    public TeacherBound {
      rounds = List.copyOf(rounds);
    }
  }

  /**
   * One round of raw teacher against job, on the same turns.
   *
   * @param order {@code raw, job} or {@code job, raw}
   * @param jobSeconds the time {@code jobPerSecond} divides by
   * @param commitTailMillis the last soft label seen minus the last {@code scored_at}
   * @param ratio {@code jobPerSecond / rawPerSecond}
   */
  public record Round(String order, double rawPerSecond, double jobPerSecond, double jobScoringPerSecond,
                      double jobSeconds, double commitTailMillis, double ratio) {}

  /**
   * Section 2: distillation steps of the student on one thread against the teacher's rate.
   *
   * @param model the student's shape
   * @param updatesPerSecond optimizer steps (batches) per second
   * @param examplesPerSecond {@code updatesPerSecond * batchSize}
   * @param predictAndLearnPerSecond turns per second when each batch is also predicted by the
   *     challenger and a champion first, as the trainer does
   * @param teacherPerSecond the teacher's raw batched rate of section 1
   * @param ratio {@code examplesPerSecond / teacherPerSecond}
   */
  public record StudentTraining(String model, int batchSize, long steps, double seconds, double updatesPerSecond,
                                double examplesPerSecond, double predictAndLearnPerSecond, double teacherPerSecond,
                                double ratio) {}

  /**
   * Section 3: one turn at a time, one ONNX Runtime thread, text in and label out.
   *
   * @param teacherMillis teacher: tokenize, MiniLM, head, arg max
   * @param studentMillis student: tokenize, exported TextCNN, arg max
   * @param studentModelMillis student: the ONNX Runtime call alone, on prepared ids
   * @param speedupP50 teacher p50 / student p50
   * @param speedupP99 teacher p99 / student p99
   */
  public record Serving(int turns, Percentiles teacherMillis, Percentiles studentMillis,
                        Percentiles studentModelMillis, double speedupP50, double speedupP99) {}

  /**
   * Section 4: latencies from a turn's write (its {@code event_time}) at a fixed offered load.
   *
   * @param capacityPerSecond the job's throughput of section 1
   * @param offeredPerSecond the rate turns were written at
   * @param trainerCommitEveryMillis the trainer publishes predictions in transactions committed this
   *     often, so a prediction becomes visible up to that long after it was made
   */
  public record EndToEnd(double capacityPerSecond, double offeredPerSecond, double warmupSeconds,
                         double measuredSeconds, long trainerCommitEveryMillis, List<EndToEndRun> runs) {
    public EndToEnd {
      runs = List.copyOf(runs);
    }
  }

  /**
   * One checkpoint interval of section 4.
   *
   * @param writtenPerSecond measured turns over the span of their write times
   * @param softLabelScored {@code scored_at - event_time}
   * @param softLabelVisible seen by a read_committed consumer {@code - event_time}
   * @param predictionMade {@code predicted_at - event_time}
   * @param predictionVisible seen by a read_committed consumer {@code - event_time}
   */
  public record EndToEndRun(long checkpointIntervalMillis, long turnsMeasured, double writtenPerSecond,
                            Percentiles softLabelScored, Percentiles softLabelVisible, Percentiles predictionMade,
                            Percentiles predictionVisible) {}

  /** Section 5: the job at each parallelism against the teacher alone and the broker alone. */
  public record Scale(List<ScalePoint> points, BrokerRate broker) {
    public Scale {
      points = List.copyOf(points);
    }
  }

  /**
   * @param rawPerSecond median over the rounds of {@code parallelism} teachers with {@code
   *     intraOpThreads} threads each, side by side on the same turns, batches of the job's size
   * @param jobPerSecond median as {@link TeacherBound#jobPerSecond()}
   * @param jobToRaw median over the rounds of job / raw of the same round
   */
  public record ScalePoint(int parallelism, int intraOpThreads, double rawPerSecond, double jobPerSecond,
                           double jobToRaw, List<Round> rounds) {
    public ScalePoint {
      rounds = List.copyOf(rounds);
    }
  }

  /**
   * The broker alone with the records the pipeline moves: the turns produced (idempotent,
   * acks=all, linger 5 ms, as the replay writes them) and the soft labels the job wrote.
   */
  public record BrokerRate(long records, double turnBytes, double turnProducePerSecond,
                           double turnConsumePerSecond, double softLabelBytes, double softLabelProducePerSecond,
                           double softLabelConsumePerSecond) {}

  /**
   * Section 6: accuracy, speed and size in one table.
   *
   * @param accuracySource where the accuracies come from, in words
   * @param accuracyRatio student accuracy / teacher accuracy of this run
   */
  public record Quality(String accuracySource, double accuracyRatio, double servingSpeedup, List<QualityRow> rows) {
    public Quality {
      rows = List.copyOf(rows);
    }
  }

  /**
   * One model in the quality table; null where a figure does not apply or is unknown.
   *
   * @param accuracy in-scope test accuracy of CLINC150
   */
  public record QualityRow(String model, String source, Double accuracy, Long testTurns, Double ofTeacher,
                           Double latencyP50Millis, Double speedup, Long parameters, Long onnxBytes) {}

  /**
   * A target of the issue: {@code value >= threshold}.
   *
   * @param caveat why the value may not be trusted (the measurements behind it disagree), or null
   */
  public record Bar(String name, double value, double threshold, boolean met, String caveat) {
    public static Bar atLeast(String name, double value, double threshold) {
      return new Bar(name, value, threshold, value >= threshold, null);
    }

    public Bar withCaveat(String reason) {
      return new Bar(name, value, threshold, met, reason);
    }
  }
}
