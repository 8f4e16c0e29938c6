package org.streamdistill.evaluator.deadletter;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * How many poison records were sent to dead-letter topics, per source topic. Thread-safe: all
 * stream threads of one application share one counter, which the application owns and reports.
 */
public final class DeadLetterCounter {

  private final Map<String, LongAdder> bySourceTopic = new ConcurrentHashMap<>();
  private volatile BiConsumer<String, String> listener = (topic, exceptionClass) -> { };

  /**
   * Hands every dead letter counted from now on to {@code listener} as (source topic, exception
   * class name) too: the evaluator's Prometheus counter of dead letters by topic and reason.
   */
  public void onDeadLetter(BiConsumer<String, String> listener) {
    this.listener = java.util.Objects.requireNonNull(listener, "listener");
  }

  /** Counts one dead-lettered record read from {@code sourceTopic} for an exception of class {@code exceptionClass}. */
  public void increment(String sourceTopic, String exceptionClass) {
    increment(sourceTopic);
    listener.accept(sourceTopic, exceptionClass);
  }

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
