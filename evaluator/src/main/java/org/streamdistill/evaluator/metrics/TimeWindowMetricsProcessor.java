package org.streamdistill.evaluator.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.RollingMetrics;

/**
 * Rolling metrics per (model version, role) on tumbling or hopping event-time windows, each
 * published once, when its grace period has passed. Consumes {@link TurnOutcome}s keyed by
 * {@link ModelKey} (timestamp: the turn's event time), produces {@code RollingMetrics} keyed by
 * model version with {@code window_type = time}.
 *
 * <p>This is the DSL's windowed aggregate plus {@code suppress(untilWindowCloses)}, written out
 * so that late turns can be told apart and counted, which the DSL does only in an internal
 * metric. Stream time is the largest event time this processor has seen (kept in a store, so a
 * restart goes on where it stopped). A turn at event time t belongs to every window [s, s +
 * size) with s a multiple of the advance and s <= t < s + size; a window is <em>closed</em> once
 * stream time - grace >= its end. A turn is
 *
 * <ul>
 *   <li>added to each of its windows that is not closed, and counted in that window's {@code
 *       late_turns} when the stream had already passed the window's end;
 *   <li>dropped when all its windows are closed: counted in the {@link LateTurnCounter}, in the
 *       next record of its model version and role ({@code late_dropped_turns}), and logged.
 * </ul>
 *
 * <p>After each turn, every window that the turn's stream time closed is published, in order of
 * window start then key, and deleted. A window in which a model predicted no turn has no state
 * and publishes nothing: an empty window emits no record (an absent record is the statement that
 * the model was not seen then; a zero record would also be emitted for every retired version).
 */
public final class TimeWindowMetricsProcessor implements Processor<ModelKey, TurnOutcome, String, RollingMetrics> {

  /** {@code RollingMetrics.window_type} of these records. */
  public static final String WINDOW_TYPE = "time";

  static final String STREAM_TIME = "stream-time";
  static final String EMITTED_THROUGH = "emitted-through";

  private static final Logger LOG = LoggerFactory.getLogger(TimeWindowMetricsProcessor.class);

  private final MetricsSettings settings;
  private final String windowStoreName;
  private final String progressStoreName;
  private final String droppedStoreName;
  private final LateTurnCounter lateTurns;
  private final long size;
  private final long advance;
  private final long grace;

  private ProcessorContext<String, RollingMetrics> context;
  private WindowStore<ModelKey, MetricsTally> windows;
  private KeyValueStore<String, Long> progress;
  private KeyValueStore<ModelKey, Long> dropped;
  private long streamTime;
  private long emittedThrough;

  /**
   * @param windowStoreName window store of the open windows' tallies (retention at least size + grace)
   * @param progressStoreName key-value store of this task's stream time and emission progress
   * @param droppedStoreName key-value store of late turns dropped per key since its last record
   */
  public TimeWindowMetricsProcessor(MetricsSettings settings, String windowStoreName, String progressStoreName,
      String droppedStoreName, LateTurnCounter lateTurns) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.windowStoreName = Objects.requireNonNull(windowStoreName, "windowStoreName");
    this.progressStoreName = Objects.requireNonNull(progressStoreName, "progressStoreName");
    this.droppedStoreName = Objects.requireNonNull(droppedStoreName, "droppedStoreName");
    this.lateTurns = Objects.requireNonNull(lateTurns, "lateTurns");
    this.size = settings.windowSize().toMillis();
    this.advance = settings.windowAdvance().toMillis();
    this.grace = settings.windowGrace().toMillis();
  }

  @Override
  public void init(ProcessorContext<String, RollingMetrics> context) {
    this.context = context;
    this.windows = context.getStateStore(windowStoreName);
    this.progress = context.getStateStore(progressStoreName);
    this.dropped = context.getStateStore(droppedStoreName);
    Long storedStreamTime = progress.get(STREAM_TIME);
    Long storedEmitted = progress.get(EMITTED_THROUGH);
    this.streamTime = storedStreamTime == null ? Long.MIN_VALUE : storedStreamTime;
    this.emittedThrough = storedEmitted == null ? Long.MIN_VALUE : storedEmitted;
  }

  @Override
  public void process(Record<ModelKey, TurnOutcome> record) {
    long eventTime = record.timestamp();
    if (eventTime > streamTime) {
      streamTime = eventTime;
      progress.put(STREAM_TIME, streamTime);
    }
    long closeTime = streamTime - grace;
    boolean counted = false;
    for (long start = eventTime - Math.floorMod(eventTime, advance); start > eventTime - size && start >= 0;
        start -= advance) {
      long end = start + size;
      if (end <= closeTime) {
        continue;
      }
      MetricsTally tally = windows.fetch(record.key(), start);
      if (tally == null) {
        tally = new MetricsTally(settings.latencySampleSize());
      }
      windows.put(record.key(), tally.add(record.value(), end <= streamTime), start);
      counted = true;
    }
    if (!counted) {
      drop(record, closeTime);
    }
    publishClosedWindows(closeTime);
  }

  private void drop(Record<ModelKey, TurnOutcome> record, long closeTime) {
    lateTurns.increment();
    Long before = dropped.get(record.key());
    long count = (before == null ? 0 : before) + 1;
    dropped.put(record.key(), count);
    if (count == 1) {
      LOG.warn("dropping a late turn of model {} ({}) at event time {}: its windows closed at stream time {}"
              + " minus {} ms grace; further drops are counted in its next metrics record",
          record.key().modelVersion(), record.key().role(), record.timestamp(), streamTime, grace);
    } else {
      LOG.debug("dropping a late turn of model {} ({}) at event time {} (close time {})",
          record.key().modelVersion(), record.key().role(), record.timestamp(), closeTime);
    }
  }

  /** Publishes and deletes every window whose end is at most {@code closeTime} and not yet published. */
  private void publishClosedWindows(long closeTime) {
    if (emittedThrough != Long.MIN_VALUE && closeTime <= emittedThrough) {
      return;
    }
    long firstStart = emittedThrough == Long.MIN_VALUE ? 0 : Math.max(0, emittedThrough - size + 1);
    long lastStart = closeTime - size;
    if (lastStart >= firstStart) {
      List<KeyValue<Windowed<ModelKey>, MetricsTally>> closed = new ArrayList<>();
      try (KeyValueIterator<Windowed<ModelKey>, MetricsTally> it = windows.fetchAll(firstStart, lastStart)) {
        it.forEachRemaining(closed::add);
      }
      closed.sort(Comparator.<KeyValue<Windowed<ModelKey>, MetricsTally>>comparingLong(kv -> kv.key.window().start())
          .thenComparing(kv -> kv.key.key().modelVersion())
          .thenComparing(kv -> kv.key.key().role()));
      for (KeyValue<Windowed<ModelKey>, MetricsTally> window : closed) {
        publish(window.key.key(), window.key.window().start(), window.value);
      }
    }
    emittedThrough = closeTime;
    progress.put(EMITTED_THROUGH, emittedThrough);
  }

  private void publish(ModelKey key, long start, MetricsTally tally) {
    long end = start + size;
    Long droppedSince = dropped.get(key);
    if (droppedSince != null) {
      dropped.delete(key);
      LOG.warn("model {} ({}): {} late turns dropped since its previous metrics record (grace {} ms)",
          key.modelVersion(), key.role(), droppedSince, grace);
    }
    RollingMetrics metrics = tally.toRollingMetrics(key, start, end, WINDOW_TYPE, null,
        droppedSince == null ? 0 : droppedSince);
    context.forward(new Record<>(key.modelVersion(), metrics, end - 1));
    windows.put(key, null, start);
  }
}
