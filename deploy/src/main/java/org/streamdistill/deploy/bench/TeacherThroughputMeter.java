package org.streamdistill.deploy.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.producers.publish.RateLimiter;
import org.streamdistill.producers.publish.TurnPublisher;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;

/**
 * Times a running teacher job, wherever it runs (a MiniCluster in this JVM, the local Flink
 * cluster): produces turns into {@code dialogue.turns} of a namespace with the production {@link
 * TurnPublisher} and waits until a {@code read_committed} consumer has seen a soft label (or dead
 * letter) for each. The job must score each turn once: every record seen counts.
 */
final class TeacherThroughputMeter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TeacherThroughputMeter.class);

  /** Throws when the job is known to have failed, so that a wait ends at once. */
  interface Health {
    void check() throws Exception;
  }

  private final String namespace;
  private final Topic<SoftLabel> softLabels;
  private final String deadLetters;
  private final CommittedWatcher watcher;
  private final TurnPublisher publisher;
  private final ExecutorService producerThread =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-producer"));
  private final AvroWireCodec<SoftLabel> codec;
  private final Duration timeout;
  private final Health health;
  private long expected;

  TeacherThroughputMeter(String bootstrapServers, SchemaRegistryClient registry, String namespace, Duration timeout,
                         Health health) {
    this.namespace = namespace;
    this.softLabels = Topics.SOFT_LABELS.inNamespace(namespace);
    Topic<DialogueTurn> turns = Topics.TURNS.inNamespace(namespace);
    this.deadLetters = turns.deadLetterTopic();
    this.watcher = new CommittedWatcher(bootstrapServers, List.of(softLabels.name(), deadLetters));
    this.publisher = new TurnPublisher(bootstrapServers, registry, turns);
    this.codec = new AvroWireCodec<>(registry, softLabels.valueSubject(), SoftLabel.class);
    this.timeout = timeout;
    this.health = health;
  }

  /** Produces {@code warmup} and waits until every one of its soft labels is visible; nothing is timed. */
  void warmUp(Iterable<DialogueTurn> warmup) throws Exception {
    long count = 0;
    for (DialogueTurn t : warmup) {
      count++;
    }
    if (count > 0) {
      publisher.publish(warmup, RateLimiter.unlimited(), n -> { });
      expected += count;
      watcher.awaitTotal(expected, timeout, health::check);
    }
    LOG.info("bench: teacher job in namespace '{}' warmed up with {} turns", namespace, count);
  }

  /** Produces {@code measured} (turn ids not used before in this job) and times it. */
  TeacherJobThroughput.Result measure(Iterable<DialogueTurn> measured) throws Exception {
    Set<String> measuredIds = new HashSet<>();
    for (DialogueTurn t : measured) {
      measuredIds.add(t.getTurnId());
    }
    int labelsBefore = watcher.records(softLabels.name()).size();
    int deadBefore = watcher.records(deadLetters).size();
    long start = System.nanoTime();
    Future<Long> publishing = producerThread.submit(() -> publisher.publish(measured, RateLimiter.unlimited(),
        n -> { }));
    expected += measuredIds.size();
    long end = watcher.awaitTotal(expected, timeout, () -> {
      health.check();
      if (publishing.isDone()) {
        publishing.get();
      }
    });
    publishing.get();
    double seconds = (end - start) / 1e9;

    List<CommittedWatcher.Seen> all = watcher.records(softLabels.name());
    List<CommittedWatcher.Seen> measuredLabels = new ArrayList<>();
    long firstScored = Long.MAX_VALUE;
    long lastScored = Long.MIN_VALUE;
    long lastSeenMillis = Long.MIN_VALUE;
    for (CommittedWatcher.Seen s : all.subList(labelsBefore, all.size())) {
      SoftLabel label = codec.decode(s.value());
      if (measuredIds.contains(label.getTurnId())) {
        measuredLabels.add(s);
        long scored = label.getScoredAt().toEpochMilli();
        firstScored = Math.min(firstScored, scored);
        lastScored = Math.max(lastScored, scored);
        lastSeenMillis = Math.max(lastSeenMillis, s.seenMillis());
      }
    }
    long dead = watcher.records(deadLetters).size() - deadBefore;
    double scoringSeconds = Math.max(lastScored - firstScored, 1) / 1e3;
    return new TeacherJobThroughput.Result(measuredIds.size() / seconds, seconds,
        measuredLabels.size() / scoringSeconds, measuredLabels.isEmpty() ? Double.NaN : lastSeenMillis - lastScored,
        dead, measuredLabels);
  }

  @Override
  public void close() throws InterruptedException {
    producerThread.shutdownNow();
    try {
      publisher.close();
    } finally {
      watcher.close();
    }
  }
}
