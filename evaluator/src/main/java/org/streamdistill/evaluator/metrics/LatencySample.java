package org.streamdistill.evaluator.metrics;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The latencies of a window's turns for exact percentiles, bounded: it holds every turn's
 * latency up to {@code capacity} turns, then those of the {@code capacity} turns with the
 * smallest {@link TurnOutcome#sampleKey} (a bottom-k sample). Hashing the turn id makes that a
 * uniform sample without replacement that does not depend on arrival order, so a replay gives
 * the same percentiles.
 *
 * <p>Why a sample and not a histogram: small windows (and the hand-computed tests) get exact
 * values, and a sample of a few hundred turns estimates p50 and p95 well. Its cost is the
 * sample's bytes, rewritten on every update of the window; p99 of a window much larger than
 * the sample is an estimate from its top few entries.
 *
 * <p>Mutable; owned by one {@link MetricsTally}.
 */
final class LatencySample {

  private final int capacity;
  private long[] keys;
  private long[] latencies;
  private int size;

  LatencySample(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a latency sample holds at least 1 turn, got capacity " + capacity);
    }
    this.capacity = capacity;
    this.keys = new long[Math.min(capacity, 16)];
    this.latencies = new long[keys.length];
  }

  int capacity() {
    return capacity;
  }

  /** Turns held. */
  int size() {
    return size;
  }

  /** Offers one turn's latency; kept while the sample has room or its key is among the smallest. */
  void add(long sampleKey, long latencyMs) {
    int at = insertionPoint(sampleKey, latencyMs);
    if (size == capacity) {
      if (at == size) {
        return;
      }
      size--; // the largest key leaves
    }
    if (size == keys.length) {
      int grown = Math.min(capacity, keys.length * 2);
      keys = Arrays.copyOf(keys, grown);
      latencies = Arrays.copyOf(latencies, grown);
    }
    System.arraycopy(keys, at, keys, at + 1, size - at);
    System.arraycopy(latencies, at, latencies, at + 1, size - at);
    keys[at] = sampleKey;
    latencies[at] = latencyMs;
    size++;
  }

  /**
   * The nearest-rank percentile: the {@code ceil(percent / 100 * n)}-th smallest latency held,
   * null when empty.
   */
  Long percentile(int percent) {
    if (percent < 1 || percent > 100) {
      throw new IllegalArgumentException("percent must be in [1, 100], got " + percent);
    }
    if (size == 0) {
      return null;
    }
    long[] sorted = Arrays.copyOf(latencies, size);
    Arrays.sort(sorted);
    int rank = (int) (((long) percent * size + 99) / 100);
    return sorted[rank - 1];
  }

  int serializedSize() {
    return 2 * Integer.BYTES + size * 2 * Long.BYTES;
  }

  void writeTo(ByteBuffer buffer) {
    buffer.putInt(capacity).putInt(size);
    for (int i = 0; i < size; i++) {
      buffer.putLong(keys[i]).putLong(latencies[i]);
    }
  }

  static LatencySample readFrom(ByteBuffer buffer) {
    LatencySample sample = new LatencySample(buffer.getInt());
    int size = buffer.getInt();
    if (size < 0 || size > sample.capacity) {
      throw new IllegalArgumentException("latency sample of " + size + " turns exceeds its capacity "
          + sample.capacity);
    }
    sample.keys = new long[Math.max(size, 1)];
    sample.latencies = new long[sample.keys.length];
    for (int i = 0; i < size; i++) {
      sample.keys[i] = buffer.getLong();
      sample.latencies[i] = buffer.getLong();
    }
    sample.size = size;
    return sample;
  }

  /** Where (key, latency) goes in the order of keys, ties broken by latency. */
  private int insertionPoint(long sampleKey, long latencyMs) {
    int low = 0;
    int high = size;
    while (low < high) {
      int mid = (low + high) >>> 1;
      int cmp = Long.compare(keys[mid], sampleKey);
      if (cmp == 0) {
        cmp = Long.compare(latencies[mid], latencyMs);
      }
      if (cmp <= 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }
}
