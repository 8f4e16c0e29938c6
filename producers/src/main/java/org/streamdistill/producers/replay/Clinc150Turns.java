package org.streamdistill.producers.replay;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.records.DialogueTurn;

/**
 * The CLINC150 corpus as a stream of dialogue turns: the training split (with its
 * out-of-scope utterances) replayed {@code passes} times, each pass shuffled, then the test
 * split marked as held out. Consecutive utterances are grouped into conversations of 1 to
 * {@code maxTurnsPerConversation} turns, because CLINC150 holds single utterances and the
 * pipeline keys by conversation.
 *
 * <p>Gold labels are attached to a random {@code goldFraction} of training turns (human
 * feedback is sparse in live chat) and to every held-out turn: held-out turns are the
 * evaluation set, predicted but never learned from, so their labels cannot leak into the
 * student. The same seed gives the same turns, ids and order.
 */
public final class Clinc150Turns implements Iterable<DialogueTurn> {

  /** Source tag of training turns. */
  public static final String SOURCE_TRAIN = "clinc150:train";
  /** Source tag of held-out test turns. */
  public static final String SOURCE_TEST = "clinc150:test";

  private final List<Planned> plan;
  private final java.util.function.LongSupplier clock;

  private record Planned(String turnId, String conversationId, int turnIndex, String text, String gold,
                         boolean heldOut, String source) {}

  public Clinc150Turns(Clinc150 data, ReplayOptions options, java.util.function.LongSupplier clock) {
    this.clock = clock;
    this.plan = plan(data, options);
  }

  private static List<Planned> plan(Clinc150 data, ReplayOptions options) {
    Random random = new Random(options.seed());
    List<Planned> planned = new ArrayList<>();
    String prefix = "clinc150-s" + options.seed();
    int[] conversationCounter = {0};
    for (int pass = 1; pass <= options.passes(); pass++) {
      List<Clinc150.Example> examples = new ArrayList<>(options.trainFrom() > 0
          ? data.trainWithOos(options.trainFrom(), 1) : data.trainWithOos());
      Collections.shuffle(examples, random);
      addConversations(planned, examples, random, options, prefix + "-p" + pass, false, SOURCE_TRAIN, conversationCounter);
    }
    if (options.includeTest()) {
      List<Clinc150.Example> examples = new ArrayList<>(data.testWithOos());
      Collections.shuffle(examples, random);
      addConversations(planned, examples, random, options, prefix + "-test", true, SOURCE_TEST, conversationCounter);
    }
    if (options.limit() > 0 && planned.size() > options.limit()) {
      return List.copyOf(planned.subList(0, (int) options.limit()));
    }
    return List.copyOf(planned);
  }

  private static void addConversations(List<Planned> out, List<Clinc150.Example> examples, Random random,
                                       ReplayOptions options, String idPrefix, boolean heldOut, String source,
                                       int[] conversationCounter) {
    int i = 0;
    while (i < examples.size()) {
      int length = 1 + random.nextInt(options.maxTurnsPerConversation());
      String conversationId = "conv-" + idPrefix + "-" + (conversationCounter[0]++);
      for (int t = 0; t < length && i < examples.size(); t++, i++) {
        Clinc150.Example example = examples.get(i);
        boolean labelled = heldOut || random.nextDouble() < options.goldFraction();
        out.add(new Planned(idPrefix + "-" + i, conversationId, t, example.text(),
            labelled ? example.label() : null, heldOut, source));
      }
    }
  }

  /** How many turns the replay holds. */
  public int size() {
    return plan.size();
  }

  /** Turns are stamped with the clock's time as they are taken, as in a live chat. */
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
        return DialogueTurn.newBuilder()
            .setTurnId(p.turnId())
            .setConversationId(p.conversationId())
            .setTurnIndex(p.turnIndex())
            .setSpeaker("user")
            .setText(p.text())
            .setEventTime(Instant.ofEpochMilli(clock.getAsLong()))
            .setSource(p.source())
            .setGoldLabel(p.gold())
            .setHeldOut(p.heldOut())
            .build();
      }
    };
  }
}
