package org.streamdistill.producers.dataset;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.function.LongSupplier;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.time.EventTimeWindow;

/**
 * The rows of a data file as a stream of dialogue turns, planned once, up front:
 *
 * <ol>
 *   <li>order: file order; timestamp order when replaying at the original pace (stable);
 *       shuffled by the seed when asked (never together with timestamp order);
 *   <li>the first {@code limit} rows;
 *   <li>conversations: the file's conversation column ({@code <name>-<id>}), or consecutive
 *       rows grouped into conversations of 1 to {@code maxTurnsPerConversation} turns
 *       ({@code <name>-s<seed>-<n>});
 *   <li>turn indexes: 0, 1, ... within each conversation, in replay order;
 *   <li>labels: a labelled row is held out with probability {@code heldOutFraction} (keeps
 *       its label), else keeps its label with probability {@code goldFraction}.
 * </ol>
 *
 * Turn ids are {@code <name>-<line>}. The same file, options and seed give the same turns
 * in the same order; only the event time of turns stamped "now" differs between runs.
 *
 * <p>With original event times, rows whose time Kafka could not carry (before 1970, or more
 * than an hour ahead of the clock: {@link EventTimeWindow#writableToKafka()}) are left out
 * before anything else is planned, and counted ({@link #leftOutForEventTime()}): such a time
 * would otherwise reach the teacher only to be dead-lettered there.
 */
public final class DatasetTurns implements Iterable<DialogueTurn> {

  private record Planned(String turnId, String conversationId, int turnIndex, String speaker, String text,
                         String gold, boolean heldOut, Instant originalTime) {}

  private final List<Planned> plan;
  private final List<String> leftOut = new ArrayList<>();
  private final String source;
  private final boolean originalEventTime;
  private final LongSupplier clock;

  public DatasetTurns(List<DatasetRow> rows, DatasetReplayOptions options, LongSupplier clock) {
    this.source = "dataset:" + options.name();
    this.originalEventTime = options.originalEventTime();
    this.clock = clock;
    this.plan = plan(withWritableTimes(rows, options), options);
  }

  private List<DatasetRow> withWritableTimes(List<DatasetRow> rows, DatasetReplayOptions options) {
    if (!options.originalEventTime()) {
      return rows;
    }
    EventTimeWindow writable = EventTimeWindow.writableToKafka();
    long now = clock.getAsLong();
    List<DatasetRow> kept = new ArrayList<>(rows.size());
    for (DatasetRow row : rows) {
      String violation = row.timestamp() == null ? null : writable.violation(row.timestamp(), now);
      if (violation == null) {
        kept.add(row);
      } else {
        leftOut.add("line " + row.line() + ": " + violation);
      }
    }
    return kept;
  }

  /** How many rows were left out because their original time cannot be an event time. */
  public int leftOutForEventTime() {
    return leftOut.size();
  }

  /** Why the first few rows were left out, one line each. */
  public List<String> leftOutExamples(int max) {
    return List.copyOf(leftOut.subList(0, Math.min(max, leftOut.size())));
  }

  private static List<Planned> plan(List<DatasetRow> rows, DatasetReplayOptions options) {
    Random random = new Random(options.seed());
    List<DatasetRow> ordered = new ArrayList<>(rows);
    if (options.timestampOrder() || options.originalEventTime()) {
      for (DatasetRow row : ordered) {
        if (row.timestamp() == null) {
          throw new IllegalArgumentException("line " + row.line() + " has no timestamp: the original pace and "
              + "original event times need one on every row (map the timestamp column)");
        }
      }
    }
    if (options.timestampOrder()) {
      ordered.sort(Comparator.comparing(DatasetRow::timestamp)); // List.sort is stable
    }
    if (options.shuffle()) {
      Collections.shuffle(ordered, random);
    }
    if (options.limit() > 0 && ordered.size() > options.limit()) {
      ordered = ordered.subList(0, (int) options.limit());
    }
    List<String> conversations = conversations(ordered, options, random);
    Map<String, Integer> nextIndex = new HashMap<>();
    List<Planned> planned = new ArrayList<>(ordered.size());
    for (int i = 0; i < ordered.size(); i++) {
      DatasetRow row = ordered.get(i);
      String conversation = conversations.get(i);
      int index = nextIndex.merge(conversation, 1, Integer::sum) - 1;
      // Two draws per row, labelled or not, so one row's label does not shift the next row's luck.
      boolean heldOut = random.nextDouble() < options.heldOutFraction() && row.label() != null;
      boolean keepGold = random.nextDouble() < options.goldFraction();
      String gold = row.label() != null && (heldOut || keepGold) ? row.label() : null;
      planned.add(new Planned(options.name() + "-" + row.line(), conversation, index, row.speaker(), row.text(),
          gold, heldOut, row.timestamp()));
    }
    return List.copyOf(planned);
  }

  private static List<String> conversations(List<DatasetRow> rows, DatasetReplayOptions options, Random random) {
    List<String> ids = new ArrayList<>(rows.size());
    boolean fromFile = rows.stream().anyMatch(r -> r.conversationId() != null);
    if (fromFile) {
      for (DatasetRow row : rows) {
        ids.add(options.name() + "-" + row.conversationId());
      }
      return ids;
    }
    int counter = 0;
    int i = 0;
    while (i < rows.size()) {
      int length = 1 + random.nextInt(options.maxTurnsPerConversation());
      String id = options.name() + "-s" + options.seed() + "-" + counter++;
      for (int t = 0; t < length && i < rows.size(); t++, i++) {
        ids.add(id);
      }
    }
    return ids;
  }

  public int size() {
    return plan.size();
  }

  /** Original times in replay order, in epoch millis, for {@code OriginalPace}; fails when a row has none. */
  public long[] originalTimesMillis() {
    long[] times = new long[plan.size()];
    for (int i = 0; i < times.length; i++) {
      Instant time = plan.get(i).originalTime();
      if (time == null) {
        throw new IllegalStateException("turn " + plan.get(i).turnId() + " has no timestamp");
      }
      times[i] = time.toEpochMilli();
    }
    return times;
  }

  @Override
  public Iterator<DialogueTurn> iterator() {
    return new Iterator<>() {
      private int next = 0;

      @Override
      public boolean hasNext() {
        return next < plan.size();
      }

      @Override
      public DialogueTurn next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Planned p = plan.get(next++);
        Instant eventTime = originalEventTime ? p.originalTime() : Instant.ofEpochMilli(clock.getAsLong());
        return DialogueTurn.newBuilder()
            .setTurnId(p.turnId())
            .setConversationId(p.conversationId())
            .setTurnIndex(p.turnIndex())
            .setSpeaker(p.speaker())
            .setText(p.text())
            .setEventTime(eventTime)
            .setSource(source)
            .setGoldLabel(p.gold())
            .setHeldOut(p.heldOut())
            .build();
      }
    };
  }
}
