package org.streamdistill.teacher.selection;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.schemas.registry.SchemaRegistryClient;

/**
 * The gate before the teacher, for one subtask: asks the champion student (when the policy needs
 * it and there is one) for each turn's class probabilities, then lets the policy decide. A
 * champion that fails on a window is logged and that window decided as if there were none.
 * Owns its policy and its champion source.
 */
public final class SelectionGate implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SelectionGate.class);

  private final SelectionSettings settings;
  private final SelectionPolicy policy;
  private final ChampionSource champions;
  private String championVersion;

  /** The gate of a job with one subtask. */
  public SelectionGate(SelectionSettings settings, ChampionSource champions) {
    this(settings, champions, 1);
  }

  /** @param subtasks the job's scoring subtasks: a budget is split evenly over them ({@link JobRate}) */
  public SelectionGate(SelectionSettings settings, ChampionSource champions, int subtasks) {
    this.settings = settings;
    this.policy = settings.open(subtasks);
    this.champions = champions;
  }

  /** Travels with the job graph; opens the gate in a subtask. */
  public record Factory(SelectionSettings settings, ChampionSource.Factory champions) implements Serializable {

    /** The gate of the pipeline before selection: every turn to the teacher, no champion looked for. */
    public static Factory passAll() {
      return new Factory(SelectionSettings.all(), registry -> ChampionSource.none());
    }

    /** @param subtasks the job's scoring subtasks, which share its budget */
    public SelectionGate open(SchemaRegistryClient registry, int subtasks) throws Exception {
      return new SelectionGate(settings, settings.needsStudent() ? champions.open(registry) : ChampionSource.none(),
          subtasks);
    }
  }

  /** Whether every turn passes (policy {@code all}): the caller may skip the gate altogether. */
  public boolean passesEverything() {
    return settings.passesEverything();
  }

  public SelectionSettings settings() {
    return settings;
  }

  /** The champion the last window was judged with, or null. */
  public String championVersion() {
    return championVersion;
  }

  /** One decision per turn, in order, for turns without known entry times. */
  public List<Selection> decide(List<String> turnIds, List<String> texts, long nowMillis) throws Exception {
    return decide(turnIds, texts, null, nowMillis);
  }

  /**
   * One decision per turn, in order.
   *
   * @param enteredMillis when each turn entered its topic (its Kafka timestamp); null: unknown
   */
  public List<Selection> decide(List<String> turnIds, List<String> texts, long[] enteredMillis, long nowMillis)
      throws Exception {
    List<Candidate> window = new ArrayList<>(turnIds.size());
    for (int i = 0; i < turnIds.size(); i++) {
      window.add(new Candidate(turnIds.get(i), null,
          enteredMillis == null ? Candidate.UNKNOWN_TIME : enteredMillis[i]));
    }
    if (policy.needsStudent()) {
      ChampionStudent champion = champions.current(nowMillis);
      championVersion = champion == null ? null : champion.version();
      if (champion != null) {
        askStudent(champion, window, texts, nowMillis);
      }
    }
    return policy.decide(window, nowMillis);
  }

  /** Fills in the champion's probabilities of the candidates the policy will read them for. */
  private void askStudent(ChampionStudent champion, List<Candidate> window, List<String> texts, long nowMillis) {
    List<Integer> asked = new ArrayList<>(window.size());
    List<String> askedTexts = new ArrayList<>(window.size());
    for (int i = 0; i < window.size(); i++) {
      if (policy.needsStudentFor(window.get(i), nowMillis)) {
        asked.add(i);
        askedTexts.add(texts.get(i));
      }
    }
    if (asked.isEmpty()) {
      return;
    }
    float[][] probabilities;
    try {
      probabilities = champion.probabilities(askedTexts);
    } catch (Exception e) {
      LOG.warn("champion {} failed on a window of {} turns ({}); deciding it as without a champion",
          champion.version(), askedTexts.size(), e.toString());
      return;
    }
    for (int k = 0; k < asked.size(); k++) {
      Candidate c = window.get(asked.get(k));
      window.set(asked.get(k), new Candidate(c.turnId(), probabilities[k], c.enteredMillis()));
    }
  }

  @Override
  public void close() {
    champions.close();
  }
}
