package org.streamdistill.evaluator.deadletter;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many poison records were sent to dead-letter topics, per source topic. Thread-safe: all
 * stream threads of one application share one counter, which the application owns and reports.
 */
public final class DeadLetterCounter {

  private final Map<String, LongAdder> bySourceTopic = new ConcurrentHashMap<>();

  /** Counts one dead-lettered record read from {@code sourceTopic}. */
  public void increment(String sourceTopic) {
    bySourceTopic.computeIfAbsent(sourceTopic, topic -> new LongAdder()).increment();
  }

  /** Records dead-lettered from {@code sourceTopic} so far. */
  public long count(String sourceTopic) {
    LongAdder adder = bySourceTopic.get(sourceTopic);
    return adder == null ? 0 : adder.sum();
  }

  /** Records dead-lettered from all topics so far. */
  public long total() {
    return bySourceTopic.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** A snapshot, sorted by topic. */
  public Map<String, Long> snapshot() {
    Map<String, Long> snapshot = new TreeMap<>();
    bySourceTopic.forEach((topic, adder) -> snapshot.put(topic, adder.sum()));
    return snapshot;
  }
}
