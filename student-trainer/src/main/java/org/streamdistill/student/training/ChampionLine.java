package org.streamdistill.student.training;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.student.model.TextCnn;

/**
 * The frozen models beside the challenger: the champion (the version the evaluator promoted)
 * and, after a promotion, the champion it replaced (role "previous"), kept predicting so that
 * the evaluator can compare the two on the same turns and roll back. Follows promotion events
 * and, at start, recovers both from the history of {@code model.promotions}.
 *
 * <p>Rules, as on the serving side ({@code ChampionTracker}): PROMOTE and ROLLBACK make {@code
 * to_version} the champion; a PROMOTE puts the replaced champion on standby, a ROLLBACK (or a
 * promotion of the standby model) leaves none, as keeping the demoted one would invite flapping;
 * a HOLD changes nothing, except that a line without a champion (a restart after {@code
 * model.promotions} was compacted down to a HOLD) adopts {@code from_version}, which a HOLD names
 * as the serving champion. A HOLD of the rollback watch (comparison "previous") also names the
 * standby model, in {@code to_version}.
 *
 * <p>A version whose checkpoint file is gone (pruned, or another directory) or cannot be read
 * never stops the trainer: the event is logged and the champion stays as it is. A promotion of
 * the live challenger freezes it as it is now; while the trainer replays turns it had published
 * before a restart, the challenger is behind the weights the evaluator judged, so the freeze
 * waits until the replay is over ({@link #retryDeferred()}).
 */
final class ChampionLine {

  private static final Logger LOG = LoggerFactory.getLogger(ChampionLine.class);
  static final String ROLE_CHAMPION = "champion";
  static final String ROLE_PREVIOUS = "previous";

  /** Checkpointed versions of the model line. */
  interface Versions {
    /**
     * The weights of {@code version}; empty when there is no such checkpoint.
     *
     * @throws RuntimeException when the file exists but cannot be read
     */
    Optional<TextCnn> load(String version);
  }

  /** The learning model, which a promotion may name. */
  interface LiveChallenger {
    /** Whether there is a challenger at all (none before the first soft label). */
    boolean exists();

    /** The version its predictions carry. */
    String version();

    /** Whether its weights are those its latest published predictions came from (false while replaying). */
    boolean current();

    /** Checkpoints the challenger as {@link #version()} and returns a frozen copy. */
    TextCnn freeze();
  }

  /** Which versions serve, as the promotion history says. */
  record Wanted(String champion, String previous) {

    /** Folds the events of {@code modelName}, oldest first, into the champion and its standby. */
    static Wanted fold(String modelName, List<PromotionEvent> history) {
      String champion = null;
      String previous = null;
      for (PromotionEvent event : history) {
        if (!event.getModelName().equals(modelName)) {
          continue;
        }
        String to = event.getToVersion();
        String from = event.getFromVersion();
        switch (event.getDecision()) {
          case "PROMOTE", "ROLLBACK" -> {
            if (to.equals(champion)) {
              continue;
            }
            boolean promotion = "PROMOTE".equals(event.getDecision()) && !to.equals(previous);
            // After compaction the champion before this event may be unknown: from_version names it.
            String replaced = champion != null ? champion : from;
            champion = to;
            previous = promotion ? replaced : null;
          }
          case "HOLD" -> {
            if (champion == null && from != null) {
              champion = from;
            }
            if (ROLE_PREVIOUS.equals(event.getComparison()) && from != null && from.equals(champion)
                && previous == null && !to.equals(champion)) {
              previous = to;
            }
          }
          default -> { }
        }
      }
      return new Wanted(champion, previous);
    }
  }

  private record Deferred(String version, String decision, boolean recovered) {}

  private final String modelName;
  private final Versions versions;
  private final LiveChallenger live;
  private TextCnn champion;
  private String championVersion;
  private TextCnn previous;
  private String previousVersion;
  private Deferred deferred;
  /** The last version a HOLD named that could not be loaded: not tried again on every HOLD. */
  private String unavailable;

  ChampionLine(String modelName, Versions versions, LiveChallenger live) {
    this.modelName = modelName;
    this.versions = versions;
    this.live = live;
  }

  /**
   * Sets the champion and its standby from the promotion history read at start (the compacted
   * topic from its beginning), loading their checkpoints once, whatever the history held before.
   */
  void recover(List<PromotionEvent> history) {
    Wanted wanted = Wanted.fold(modelName, history);
    if (wanted.champion() == null) {
      LOG.info("no champion of {} in the promotion history ({} events): predicting with the challenger alone",
          modelName, history.size());
      return;
    }
    // The standby is older than the champion, never the live challenger: only a file can hold it.
    if (wanted.previous() != null && !(live.exists() && wanted.previous().equals(live.version()))) {
      previous = resolve(wanted.previous(), "recovered standby", false).orElse(null);
      previousVersion = previous == null ? null : wanted.previous();
    }
    Optional<TextCnn> model = resolve(wanted.champion(), "recovered champion", true);
    if (model.isPresent()) {
      champion = model.get();
      championVersion = wanted.champion();
      LOG.info("recovered champion {}{} from the promotion history", championVersion,
          previousVersion == null ? "" : " (standby " + previousVersion + ")");
    } else if (deferred == null) {
      // No champion to compare it with: a standby model alone would give the evaluator no pairs.
      previous = null;
      previousVersion = null;
    }
  }

  /** Applies one live promotion event. */
  void apply(PromotionEvent event) {
    if (!event.getModelName().equals(modelName)) {
      return;
    }
    switch (event.getDecision()) {
      case "PROMOTE", "ROLLBACK" -> adopt(event.getToVersion(), event.getDecision());
      case "HOLD" -> {
        String from = event.getFromVersion();
        if (championVersion == null && deferred == null && from != null && !from.equals(unavailable)) {
          adopt(from, "HOLD");
          if (championVersion == null) {
            unavailable = from;
          }
        }
      }
      default -> LOG.warn("ignoring promotion event with unknown decision '{}' for {}", event.getDecision(),
          event.getToVersion());
    }
  }

  /** Freezes a promoted challenger whose freeze waited for the end of a replay, once it is over. */
  void retryDeferred() {
    if (deferred == null || !live.current()) {
      return;
    }
    Deferred waiting = deferred;
    deferred = null;
    if (!waiting.recovered()) {
      adopt(waiting.version(), waiting.decision());
      return;
    }
    Optional<TextCnn> model = resolve(waiting.version(), waiting.decision(), true);
    if (model.isPresent()) {
      champion = model.get();
      championVersion = waiting.version();
      LOG.info("recovered champion {} frozen from the challenger now that the replay is over", championVersion);
    } else if (deferred == null) {
      previous = null;
      previousVersion = null;
    }
  }

  private void adopt(String version, String decision) {
    deferred = null;
    if (version.equals(championVersion)) {
      return;
    }
    TextCnn next;
    if (version.equals(previousVersion)) {
      // A ROLLBACK: the standby model serves again, as it was.
      next = previous;
    } else {
      Optional<TextCnn> model = resolve(version, decision, false);
      if (model.isEmpty()) {
        return;
      }
      next = model.get();
    }
    TextCnn replaced = champion;
    String replacedVersion = championVersion;
    boolean promotion = !"ROLLBACK".equals(decision) && !version.equals(previousVersion);
    champion = next;
    championVersion = version;
    previous = promotion ? replaced : null;
    previousVersion = promotion ? replacedVersion : null;
    LOG.info("{}: champion is now {}{}", decision, version,
        previousVersion == null ? "" : " (" + previousVersion + " on standby until the evaluator decides)");
  }

  /** The weights of {@code version}: the live challenger frozen, or its checkpoint; empty if neither is possible now. */
  private Optional<TextCnn> resolve(String version, String decision, boolean recovered) {
    if (live.exists() && version.equals(live.version())) {
      if (!live.current()) {
        deferred = new Deferred(version, decision, recovered);
        LOG.info("{} of the live challenger {}: frozen once the replay of published turns is over", decision,
            version);
        return Optional.empty();
      }
      // The evaluator judged the live challenger: freeze it as it is now, as that version.
      return Optional.of(live.freeze());
    }
    Optional<TextCnn> loaded;
    try {
      loaded = versions.load(version);
    } catch (RuntimeException e) {
      // A damaged file must not stop learning: the champion stays as it is, and the operator is told.
      LOG.error("{} of {} ignored: its checkpoint cannot be read ({}); the champion stays {}", decision, version,
          e.getMessage(), championVersion);
      return Optional.empty();
    }
    if (loaded.isEmpty()) {
      LOG.warn("{} of {} ignored: no checkpoint of that version (pruned, or another checkpoint directory); the "
          + "champion stays {}", decision, version, championVersion);
    }
    return loaded;
  }

  /** Checkpoints that pruning must keep: the champion and the previous one (a rollback target). */
  Set<String> keptVersions() {
    Set<String> kept = new HashSet<>();
    if (championVersion != null) {
      kept.add(championVersion);
    }
    if (previousVersion != null) {
      kept.add(previousVersion);
    }
    return kept;
  }

  /** The frozen models that predict beside the challenger: champion first, then previous. */
  List<PredictionWriter.Predictor> predictors() {
    if (champion == null) {
      return List.of();
    }
    if (previous == null) {
      return List.of(new PredictionWriter.Predictor(championVersion, ROLE_CHAMPION, champion));
    }
    return List.of(new PredictionWriter.Predictor(championVersion, ROLE_CHAMPION, champion),
        new PredictionWriter.Predictor(previousVersion, ROLE_PREVIOUS, previous));
  }

  String championVersion() {
    return championVersion;
  }

  String previousVersion() {
    return previousVersion;
  }
}
