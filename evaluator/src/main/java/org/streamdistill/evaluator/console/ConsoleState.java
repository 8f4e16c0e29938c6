package org.streamdistill.evaluator.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.streamdistill.evaluator.lag.GroupLag;
import org.streamdistill.evaluator.lag.LagSnapshot;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.RollingMetrics;
import org.streamdistill.records.StudentCheckpoint;

/**
 * What the console shows, summarised from the topics by {@link PipelineWatcher}: bounded
 * histories (samples of throughput, lag and latency; rolling metrics per model version and role;
 * decisions) and current figures (champion, latest checkpoint, dead letters by topic and reason).
 * One writer (the watcher's thread) and any number of readers (page requests): every method
 * holds the object's lock, and {@link #toJson} renders a consistent copy.
 */
public final class ConsoleState {

  /** One sample, taken every refresh interval. Rates are records per second; latencies milliseconds (NaN: none). */
  public record Sample(long atMillis, Map<String, Double> rates, LagSnapshot lag, double teacherLatencyP50,
                       double teacherLatencyP95, double studentLatencyP50, double studentLatencyP95) {}

  /** A record and where it goes on the time axis. */
  private record Seen<T>(long atMillis, T value) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Rolling-metrics points kept per window type. Per type, so that event-time windows, which the
   * evaluator updates at every turn of a busy window, cannot push the last-turns history (one
   * point per model version and role every few hundred turns) out of the chart.
   */
  static final int MAX_MODEL_POINTS = 5_000;
  private static final int MAX_DECISIONS = 1_000;

  private final String namespace;
  private final String serveUrl;
  private final int historyPoints;
  private final Deque<Sample> samples = new ArrayDeque<>();
  private final Map<String, Deque<ObjectNode>> modelPoints = new TreeMap<>();
  private final Deque<Seen<PromotionEvent>> decisions = new ArrayDeque<>();
  private final Map<String, Long> deadLetters = new TreeMap<>();
  private final Map<String, String> onnxByVersion = new LinkedHashMap<>();
  private long holds;
  private StudentCheckpoint latestCheckpoint;
  private long checkpoints;
  private String champion;
  private long championSinceMillis;

  public ConsoleState(String namespace, String serveUrl, int historyPoints) {
    this.namespace = namespace;
    this.serveUrl = serveUrl;
    this.historyPoints = historyPoints;
  }

  public synchronized void sample(Sample sample) {
    samples.addLast(sample);
    while (samples.size() > historyPoints) {
      samples.removeFirst();
    }
  }

  /** A record of {@code evaluator.metrics}, published at {@code atMillis}. */
  public synchronized void rollingMetrics(long atMillis, RollingMetrics m) {
    ObjectNode point = JSON.createObjectNode();
    point.put("t", atMillis / 1000.0);
    point.put("version", m.getModelVersion());
    point.put("role", m.getRole());
    point.put("window", m.getWindowType());
    point.put("turns", m.getTurns());
    point.put("agreement", m.getTeacherAgreement());
    putNullable(point, "goldAccuracy", m.getGoldAccuracy());
    putNullable(point, "kl", m.getKlTeacher());
    putNullable(point, "eceTeacher", m.getEceTeacher());
    putNullable(point, "latencyP50Ms", m.getLatencyP50Ms() == null ? null : m.getLatencyP50Ms().doubleValue());
    Deque<ObjectNode> ofWindowType = modelPoints.computeIfAbsent(m.getWindowType(), w -> new ArrayDeque<>());
    ofWindowType.addLast(point);
    while (ofWindowType.size() > MAX_MODEL_POINTS) {
      ofWindowType.removeFirst();
    }
  }

  /** A record of {@code model.promotions}, placed at {@code atMillis} on the time axis. */
  public synchronized void decision(long atMillis, PromotionEvent event) {
    if ("HOLD".equals(event.getDecision())) {
      holds++;
      return;
    }
    decisions.addLast(new Seen<>(atMillis, event));
    while (decisions.size() > MAX_DECISIONS) {
      decisions.removeFirst();
    }
    champion = event.getToVersion();
    // Where the decision sits on the charts: its decidedAt is the event time of the turn behind
    // it, which for a replayed backlog can be minutes before the decision was taken.
    championSinceMillis = atMillis;
  }

  /** A record of {@code student.checkpoints}. */
  public synchronized void checkpoint(StudentCheckpoint checkpoint) {
    latestCheckpoint = checkpoint;
    checkpoints++;
    if (checkpoint.getOnnxUri() != null) {
      onnxByVersion.put(checkpoint.getModelVersion(), checkpoint.getOnnxUri());
      if (onnxByVersion.size() > 1_000) {
        onnxByVersion.remove(onnxByVersion.keySet().iterator().next());
      }
    }
  }

  /** A record of a dead-letter topic: poison read from {@code sourceTopic}, for {@code reason}. */
  public synchronized void deadLetter(String sourceTopic, String reason) {
    deadLetters.merge(sourceTopic + "\u0000" + reason, 1L, Long::sum);
  }

  /** Everything the page shows, as one JSON document. */
  public synchronized ObjectNode toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("namespace", namespace);
    root.put("serveUrl", serveUrl);
    Sample last = samples.peekLast();
    root.put("sampledAt", last == null ? 0 : last.atMillis() / 1000.0);

    ObjectNode championNode = root.putObject("champion");
    championNode.put("version", champion);
    championNode.put("since", champion == null ? null : championSinceMillis / 1000.0);
    championNode.put("onnxUri", champion == null ? null : onnxByVersion.get(champion));
    championNode.put("latestCheckpoint", latestCheckpoint == null ? null : latestCheckpoint.getModelVersion());
    championNode.put("checkpoints", checkpoints);

    ArrayNode lag = root.putArray("lag");
    if (last != null) {
      for (GroupLag group : last.lag().groups()) {
        ObjectNode g = lag.addObject();
        g.put("group", group.group());
        g.put("status", group.status().name());
        g.put("meaning", group.status().meaning());
        g.put("records", group.totalLag());
        long seconds = group.maxTimeLagMs();
        if (seconds >= 0) {
          g.put("seconds", seconds / 1000.0);
        } else {
          g.putNull("seconds");
        }
      }
      ObjectNode rates = root.putObject("rates");
      last.rates().forEach(rates::put);
    } else {
      root.putObject("rates");
    }

    ObjectNode history = root.putObject("history");
    ArrayNode t = history.putArray("t");
    ObjectNode lagRecords = history.putObject("lagRecords");
    ObjectNode lagSeconds = history.putObject("lagSeconds");
    ObjectNode rateSeries = history.putObject("rates");
    ArrayNode teacherP50 = history.putArray("teacherLatencyP50Ms");
    ArrayNode teacherP95 = history.putArray("teacherLatencyP95Ms");
    ArrayNode studentP50 = history.putArray("studentLatencyP50Ms");
    ArrayNode studentP95 = history.putArray("studentLatencyP95Ms");
    int i = 0;
    for (Sample s : samples) {
      t.add(s.atMillis() / 1000.0);
      for (GroupLag group : s.lag().groups()) {
        series(lagRecords, group.group(), i).add(group.totalLag());
        long ms = group.maxTimeLagMs();
        if (ms >= 0) {
          series(lagSeconds, group.group(), i).add(ms / 1000.0);
        } else {
          series(lagSeconds, group.group(), i).addNull();
        }
      }
      for (Map.Entry<String, Double> rate : s.rates().entrySet()) {
        series(rateSeries, rate.getKey(), i).add(rate.getValue());
      }
      addNullable(teacherP50, s.teacherLatencyP50());
      addNullable(teacherP95, s.teacherLatencyP95());
      addNullable(studentP50, s.studentLatencyP50());
      addNullable(studentP95, s.studentLatencyP95());
      i++;
      padTo(lagRecords, i);
      padTo(lagSeconds, i);
      padTo(rateSeries, i);
    }

    ArrayNode models = root.putArray("models");
    modelPoints.values().forEach(points -> points.forEach(p -> models.add(p.deepCopy())));

    ArrayNode decisionNodes = root.putArray("decisions");
    for (Seen<PromotionEvent> seen : decisions) {
      PromotionEvent e = seen.value();
      ObjectNode d = decisionNodes.addObject();
      d.put("t", seen.atMillis() / 1000.0);
      d.put("decidedAt", e.getDecidedAt().toEpochMilli() / 1000.0);
      d.put("decision", e.getDecision());
      d.put("from", e.getFromVersion());
      d.put("to", e.getToVersion());
      d.put("metric", e.getMetric());
      d.put("pairedTurns", e.getPairedTurns());
      d.put("championScore", e.getChampionScore());
      d.put("challengerScore", e.getChallengerScore());
      putNullable(d, "pValue", e.getPValue());
      d.put("reason", e.getReason());
    }
    root.put("holds", holds);

    ArrayNode dead = root.putArray("deadLetters");
    deadLetters.forEach((key, count) -> {
      String[] parts = key.split("\u0000", 2);
      ObjectNode d = dead.addObject();
      d.put("topic", parts[0]);
      d.put("reason", parts[1]);
      d.put("count", count);
    });
    return root;
  }

  /** The array of {@code name} in {@code parent}, created with {@code index} nulls when new (a series that starts late). */
  private static ArrayNode series(ObjectNode parent, String name, int index) {
    ArrayNode array = (ArrayNode) parent.get(name);
    if (array == null) {
      array = parent.putArray(name);
      for (int k = 0; k < index; k++) {
        array.addNull();
      }
    }
    return array;
  }

  /** Every series of {@code parent} padded with nulls to {@code length} (a series that stopped). */
  private static void padTo(ObjectNode parent, int length) {
    parent.properties().forEach(e -> {
      ArrayNode array = (ArrayNode) e.getValue();
      while (array.size() < length) {
        array.addNull();
      }
    });
  }

  private static void putNullable(ObjectNode node, String name, Double value) {
    if (value == null || value.isNaN()) {
      node.putNull(name);
    } else {
      node.put(name, value);
    }
  }

  private static void addNullable(ArrayNode array, double value) {
    if (Double.isNaN(value)) {
      array.addNull();
    } else {
      array.add(value);
    }
  }
}
