package org.streamdistill.deploy.teacher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.teacher.job.TeacherJob;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * A teacher job with a backlog on every partition of {@code dialogue.turns} moves every
 * partition's committed offset forward, not one partition after another. The lag monitor calls
 * a partition whose offset stands still with lag STOP, and the demo's console showed the teacher
 * STOP for minutes while it was busy: the Kafka source handed over one partition's whole fetch
 * (up to 1 MB, thousands of turns, a minute of scoring) before the next partition's.
 */
class TeacherJobFairnessIT {

  private static final int TURNS_PER_PARTITION_AT_LEAST = 4_000;
  private static final Duration WATCH = Duration.ofSeconds(20);

  private static TeacherTestPlatform platform;

  @BeforeAll
  static void startPlatform() {
    platform = TeacherTestPlatform.start();
  }

  @AfterAll
  static void stopPlatform() {
    if (platform != null) {
      platform.close();
    }
  }

  @Test
  void shouldMoveEveryPartitionForwardWhileWorkingThroughABacklog() throws Exception {
    // Given a backlog of thousands of turns on each of the turns topic's partitions
    String namespace = platform.freshNamespace();
    String topic = platform.turns(namespace).name();
    AvroWireCodec<DialogueTurn> codec = platform.turnCodec(namespace);
    int partitions = platform.admin().describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
        .get(topic).partitions().size();
    assertThat(partitions).isGreaterThan(1);
    try (KafkaProducer<byte[], byte[]> producer = platform.producer()) {
      for (int i = 0; i < TURNS_PER_PARTITION_AT_LEAST * partitions; i++) {
        DialogueTurn turn = TeacherTestPlatform.turn("turn-" + i, "conv-" + i, 0,
            "how do i reset the password of my online banking account, turn " + i, null);
        producer.send(new ProducerRecord<>(topic, i % partitions, turn.getConversationId().getBytes(UTF_8),
            codec.encode(turn)));
      }
      producer.flush();
    }

    // When the teacher job, slower than the backlog (about 200 turns/s), works through it
    Map<String, String> settings = platform.jobSettings(namespace);
    TeacherJob job = new TeacherJob(TeacherJobConfig.of(settings), FixedTurnScorer.slow(5));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(TeacherJob.restartPolicy());
    job.build(env, job.kafkaSource(), job.kafkaSink());
    JobClient client = env.executeAsync(TeacherJob.NAME + "-" + namespace);
    try {
      String group = job.config().groupId();
      await("a first committed offset").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
          .failFast("teacher job stopped", () -> TeacherTestPlatform.assertStillRunning(client))
          .until(() -> !committed(group).isEmpty());
      Map<TopicPartition, Long> before = committed(group);
      Thread.sleep(WATCH.toMillis()); // watching progress over a fixed span, not waiting for a condition
      Map<TopicPartition, Long> after = committed(group);

      // Then within 20 s every partition's committed offset moved
      Map<TopicPartition, Long> moved = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        TopicPartition tp = new TopicPartition(topic, p);
        moved.put(tp, after.getOrDefault(tp, 0L) - before.getOrDefault(tp, 0L));
      }
      assertThat(moved).as("turns committed per partition in %s (before %s, after %s)", WATCH, before, after)
          .allSatisfy((tp, turns) -> assertThat(turns).as("%s", tp).isPositive());
    } finally {
      TeacherTestPlatform.cancel(client);
    }
  }

  private static Map<TopicPartition, Long> committed(String group) throws Exception {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> committed = platform.admin().listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    committed.forEach((tp, o) -> offsets.put(tp, o.offset()));
    return offsets;
  }
}
