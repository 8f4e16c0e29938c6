package org.streamdistill.evaluator.metrics;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.RollingMetrics;

/**
 * Rolling metrics per (model version, role) over its last N turns, in arrival order: a count
 * window that does not care how fast turns come. Consumes {@link TurnOutcome}s keyed by {@link
 * ModelKey}, produces {@code RollingMetrics} keyed by model version with {@code window_type =
 * last_turns} and {@code window_turns = N}, one every {@code lastTurnsEvery} turns of a key,
 * over its last min(N, turns seen) turns. {@code window_start} is the earliest event time among
 * them and {@code window_end} the latest plus 1 ms; late turns do not exist here.
 *
 * <p>Storage: a ring of N slots per key, one small entry per slot, so that a turn costs one
 * write whatever N is, and a record costs N reads every {@code lastTurnsEvery} turns. A key
 * (model version and role) not seen for {@code lastTurnsRetention} of stream time is forgotten,
 * else every retired challenger version would keep N entries for ever. The turns of a key that
 * arrive after its last record and before it retires are never published.
 */
public final class LastTurnsMetricsProcessor implements Processor<ModelKey, TurnOutcome, String, RollingMetrics> {

  /** {@code RollingMetrics.window_type} of these records. */
  public static final String WINDOW_TYPE = "last_turns";

  private static final Logger LOG = LoggerFactory.getLogger(LastTurnsMetricsProcessor.class);

  private final MetricsSettings settings;
  private final String headStoreName;
  private final String slotStoreName;
  private final int capacity;
  private final Serde<ModelKey> keySerde = ModelKey.serde();

  private ProcessorContext<String, RollingMetrics> context;
  private KeyValueStore<ModelKey, Head> heads;
  private KeyValueStore<Bytes, byte[]> slots;

  /**
   * @param headStoreName key-value store of each key's turn count and latest event time ({@link Head#serde()})
   * @param slotStoreName key-value store of the ring slots (key bytes plus slot number to outcome bytes)
   */
  public LastTurnsMetricsProcessor(MetricsSettings settings, String headStoreName, String slotStoreName) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.headStoreName = Objects.requireNonNull(headStoreName, "headStoreName");
    this.slotStoreName = Objects.requireNonNull(slotStoreName, "slotStoreName");
    if (settings.lastTurns() < 1) {
      throw new IllegalArgumentException("last-turns metrics need N >= 1, got " + settings.lastTurns());
    }
    this.capacity = settings.lastTurns();
  }

  /**
   * A key's ring: how many turns it has seen and the latest event time among them.
   *
   * @param turns turns seen since the key was first (or last forgotten)
   * @param latestEventTimeMs latest event time seen, epoch milliseconds
   */
  public record Head(long turns, long latestEventTimeMs) {

    /** A fixed 16-byte serde. */
    public static Serde<Head> serde() {
      return Serdes.serdeFrom(
          (topic, head) -> head == null ? null
              : ByteBuffer.allocate(16).putLong(head.turns).putLong(head.latestEventTimeMs).array(),
          (topic, bytes) -> {
            if (bytes == null) {
              return null;
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            return new Head(buffer.getLong(), buffer.getLong());
          });
    }
  }

  @Override
  public void init(ProcessorContext<String, RollingMetrics> context) {
    this.context = context;
    this.heads = context.getStateStore(headStoreName);
    this.slots = context.getStateStore(slotStoreName);
    Duration retention = settings.lastTurnsRetention();
    Duration every = retention.compareTo(Duration.ofMinutes(1)) < 0 ? retention : Duration.ofMinutes(1);
    context.schedule(every, PunctuationType.STREAM_TIME, this::forgetIdleKeys);
  }

  @Override
  public void process(Record<ModelKey, TurnOutcome> record) {
    ModelKey key = record.key();
    Head head = heads.get(key);
    long seen = head == null ? 0 : head.turns();
    long latest = head == null ? record.timestamp() : Math.max(head.latestEventTimeMs(), record.timestamp());
    slots.put(slotKey(key, (int) (seen % capacity)), TurnOutcome.write(record.value()));
    seen++;
    heads.put(key, new Head(seen, latest));
    if (seen % settings.lastTurnsEvery() == 0) {
      publish(key, seen);
    }
  }

  private void publish(ModelKey key, long seen) {
    int held = (int) Math.min(seen, capacity);
    MetricsTally tally = new MetricsTally(settings.latencySampleSize());
    long earliest = Long.MAX_VALUE;
    long latest = Long.MIN_VALUE;
    for (long i = seen - held; i < seen; i++) { // oldest first: arrival order
      byte[] bytes = slots.get(slotKey(key, (int) (i % capacity)));
      TurnOutcome outcome = TurnOutcome.read(slotStoreName, bytes);
      tally.add(outcome, false);
      earliest = Math.min(earliest, outcome.eventTimeMs());
      latest = Math.max(latest, outcome.eventTimeMs());
    }
    RollingMetrics metrics = tally.toRollingMetrics(key, earliest, latest + 1, WINDOW_TYPE, capacity, 0);
    context.forward(new Record<>(key.modelVersion(), metrics, latest));
  }

  private void forgetIdleKeys(long streamTime) {
    long horizon = streamTime - settings.lastTurnsRetention().toMillis();
    List<KeyValue<ModelKey, Head>> idle = new ArrayList<>();
    try (KeyValueIterator<ModelKey, Head> it = heads.all()) {
      it.forEachRemaining(entry -> {
        if (entry.value.latestEventTimeMs() < horizon) {
          idle.add(entry);
        }
      });
    }
    for (KeyValue<ModelKey, Head> entry : idle) {
      int held = (int) Math.min(entry.value.turns(), capacity);
      for (int slot = 0; slot < held; slot++) {
        slots.delete(slotKey(entry.key, slot));
      }
      heads.delete(entry.key);
      LOG.debug("forgot the last turns of model {} ({}): not seen since event time {}", entry.key.modelVersion(),
          entry.key.role(), entry.value.latestEventTimeMs());
    }
  }

  private Bytes slotKey(ModelKey key, int slot) {
    byte[] keyBytes = keySerde.serializer().serialize(slotStoreName, key);
    return Bytes.wrap(ByteBuffer.allocate(keyBytes.length + Integer.BYTES).put(keyBytes).putInt(slot).array());
  }
}
