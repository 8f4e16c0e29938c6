package org.streamdistill.teacher.job;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.schemas.kafka.KafkaAccessCheck;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.teacher.selection.KafkaChampionFollower;
import org.streamdistill.teacher.selection.SelectionGate;

/**
 * The teacher job: turns in, soft labels (and dead letters) out, exactly once. The job takes
 * its source and sink from the caller, so tests build the same graph with their own; {@link
 * #kafkaSource()} and {@link #kafkaSink()} are the production ones.
 */
public final class TeacherJob {

  public static final String NAME = "teacher-stream";
  private static final Logger LOG = LoggerFactory.getLogger(TeacherJob.class);
  /** Bytes the turns source fetches per partition at a time; see {@link #kafkaSource()}. */
  static final int SOURCE_PARTITION_FETCH_BYTES = 64 * 1024;

  private final TeacherJobConfig config;
  private final TurnScorer.Factory scorer;
  private final Topic<DialogueTurn> turns;
  private final Topic<SoftLabel> softLabels;

  public TeacherJob(TeacherJobConfig config, TurnScorer.Factory scorer) {
    this.config = config;
    this.scorer = scorer;
    this.turns = Topics.TURNS.inNamespace(config.namespace());
    this.softLabels = Topics.SOFT_LABELS.inNamespace(config.namespace());
  }

  /**
   * The job's restart policy, for the environment it runs in: restarts without a limit, 1 s
   * doubling up to 30 s apart, so that a broker or registry outage of any length is waited out
   * (every restart resumes from the last checkpoint, so nothing is lost or written twice). A
   * failure that a restart cannot fix (the input is dead letters as a whole) suppresses restarts
   * itself. Set on the job, so it holds on a cluster whatever the cluster's default.
   */
  public static Configuration restartPolicy() {
    Configuration flink = new Configuration();
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofSeconds(30));
    return flink;
  }

  /**
   * The environment to run the job in: the Flink cluster's under {@code flink run}, which keeps and
   * restores the job's checkpoints itself; otherwise a local MiniCluster in this process, which
   * keeps them in {@link LocalRecovery#directory} and resumes from the latest (see {@link
   * LocalRecovery} for why not from the group's offsets). Both restart the job as {@link
   * #restartPolicy()} says.
   */
  public StreamExecutionEnvironment environment() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(restartPolicy());
    if (env instanceof LocalStreamEnvironment) {
      Configuration local = LocalRecovery.configure(config, restartPolicy());
      local.getOptional(StateRecoveryOptions.SAVEPOINT_PATH).ifPresentOrElse(
          checkpoint -> LOG.info("resuming from checkpoint {}", checkpoint),
          () -> LOG.info("no checkpoint in {}: starting from the committed offsets of group {}",
              LocalRecovery.directory(config), config.groupId()));
      env = StreamExecutionEnvironment.getExecutionEnvironment(local);
    }
    return env;
  }

  /** Adds the job to {@code env}: checkpointing, source, scoring operator, sink. */
  public void build(StreamExecutionEnvironment env, Source<KafkaRecordBytes, ?, ?> source, Sink<OutgoingRecord> sink) {
    env.enableCheckpointing(config.checkpointIntervalMillis(), CheckpointingMode.EXACTLY_ONCE);
    DataStream<KafkaRecordBytes> raw = env
        .fromSource(source, WatermarkStrategy.noWatermarks(), "turns: " + turns.name())
        .setParallelism(config.parallelism())
        .uid("turns-source");
    raw.transform("teacher scoring", TypeInformation.of(OutgoingRecord.class), scoringOperator())
        .setParallelism(config.parallelism())
        .uid("teacher-scoring")
        .sinkTo(sink)
        .setParallelism(config.parallelism())
        .uid("soft-labels-sink")
        .name("soft labels: " + softLabels.name());
  }

  /** The scoring operator: the teacher behind its gate, and the fallback teacher when there is one. */
  private TeacherScoringOperator scoringOperator() {
    TeacherScoringOperator operator = new TeacherScoringOperator(scorer, config.registry(), turns, softLabels,
        config.maxBatchSize(), config.maxWaitMillis(), config.maxTextChars(), config.softLabelsTopK(),
        config.deadLetterMaxValueBytes(), config.deadLetterMaxFraction(), selectionGate());
    TurnScorer.Factory fallback = TurnScorers.fallbackFromConfig(config);
    return fallback == null ? operator : operator.withFallback(fallback, config.fallback().maxTurnsPerSecond());
  }

  /** The gate before the teacher: the configured policy, the champion followed on the model topics. */
  private SelectionGate.Factory selectionGate() {
    return new SelectionGate.Factory(config.selection(), KafkaChampionFollower.factory(config.bootstrapServers(),
        config.kafka(), config.namespace(), config.championModelName(), config.selection().championRefreshMillis(),
        config.selection().followLatest()));
  }

  /**
   * Reads turns from the committed offsets of the job's group, or from the start; its consumers
   * and admin client get the configured {@code kafka.*} client settings.
   */
  public KafkaSource<KafkaRecordBytes> kafkaSource() {
    Properties consumer = new Properties();
    // The consumer hands over one partition's fetched records before the next partition's. With
    // Kafka's 1 MB per partition that is thousands of turns, a minute of scoring, while the other
    // partitions' offsets stand still and the lag monitor calls the teacher STOP
    // (TeacherJobFairnessIT). 64 KiB is a few hundred turns: every partition moves every few
    // seconds. A kafka.max.partition.fetch.bytes setting overrides it.
    consumer.setProperty("max.partition.fetch.bytes", Integer.toString(SOURCE_PARTITION_FETCH_BYTES));
    config.kafka().applyTo(consumer);
    return KafkaSource.<KafkaRecordBytes>builder()
        .setProperties(consumer)
        .setBootstrapServers(config.bootstrapServers())
        .setTopics(turns.name())
        .setGroupId(config.groupId())
        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
        .setDeserializer(new KafkaRecordBytesDeserializer())
        .setProperty("isolation.level", "read_committed")
        .setProperty("partition.discovery.interval.ms", Long.toString(config.partitionDiscoveryIntervalMillis()))
        .setProperty("commit.offsets.on.checkpoint", "true")
        .build();
  }

  /**
   * Writes soft labels and dead letters in Kafka transactions committed at each checkpoint; its
   * producers get the configured {@code kafka.*} client settings.
   */
  public KafkaSink<OutgoingRecord> kafkaSink() {
    Properties producer = new Properties();
    // Must stay below the broker's transaction.max.timeout.ms (15 min by default).
    producer.setProperty("transaction.timeout.ms", "600000");
    producer.setProperty("linger.ms", "5");
    config.kafka().applyTo(producer);
    return KafkaSink.<OutgoingRecord>builder()
        .setBootstrapServers(config.bootstrapServers())
        .setRecordSerializer(new OutgoingRecordSerializer())
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(config.transactionalIdPrefix())
        .setKafkaProducerConfig(producer)
        .build();
  }

  /**
   * Checks, before the job is submitted, that its Kafka settings let it in: a job that cannot
   * authenticate or is not authorized would otherwise restart for ever.
   *
   * @throws KafkaAccessCheck.AccessDeniedException saying what to check
   */
  public void checkKafkaAccess(Duration timeout) {
    KafkaAccessCheck.check(config.bootstrapServers(), config.kafka(), topicsUsed(), timeout);
  }

  /**
   * The topics the job reads or writes: turns, soft labels and dead letters, and, when its
   * selection policy asks the champion student, the model topics that name the champion.
   */
  List<String> topicsUsed() {
    List<String> topics = new java.util.ArrayList<>(List.of(turns.name(), softLabels.name(), turns.deadLetterTopic()));
    if (config.selection().needsStudent()) {
      topics.add(Topics.CHECKPOINTS.inNamespace(config.namespace()).name());
      topics.add(Topics.PROMOTIONS.inNamespace(config.namespace()).name());
    }
    return List.copyOf(topics);
  }

  public TeacherJobConfig config() {
    return config;
  }
}
