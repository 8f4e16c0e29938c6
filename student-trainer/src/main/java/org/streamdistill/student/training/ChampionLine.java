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
 * the evaluator can compare the two on the same turns and roll back. Follows promotion events.
 *
 * <p>PROMOTE and ROLLBACK make {@code to_version} the champion; a PROMOTE puts the replaced
 * champion on standby, a ROLLBACK (or a promotion of the standby model) leaves none, as keeping
 * the demoted one would invite flapping; a HOLD changes nothing. A promotion of the live
 * challenger freezes it as it is now. A version whose checkpoint file is gone or cannot be read
 * is logged and the champion stays as it is.
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

    /** Checkpoints the challenger as {@link #version()} and returns a frozen copy. */
    TextCnn freeze();
  }

  private final String modelName;
  private final Versions versions;
  private final LiveChallenger live;
  private TextCnn champion;
  private String championVersion;
  private TextCnn previous;
  private String previousVersion;

  ChampionLine(String modelName, Versions versions, LiveChallenger live) {
    this.modelName = modelName;
    this.versions = versions;
    this.live = live;
  }

  /** Applies one live promotion event. */
  void apply(PromotionEvent event) {
    if (!event.getModelName().equals(modelName)) {
      return;
    }
    switch (event.getDecision()) {
      case "PROMOTE", "ROLLBACK" -> adopt(event.getToVersion(), event.getDecision());
      case "HOLD" -> { }
      default -> LOG.warn("ignoring promotion event with unknown decision '{}' for {}", event.getDecision(),
          event.getToVersion());
    }
  }

  private void adopt(String version, String decision) {
    if (version.equals(championVersion)) {
      return;
    }
    TextCnn next;
    if (version.equals(previousVersion)) {
      // A ROLLBACK: the standby model serves again, as it was.
      next = previous;
    } else {
      Optional<TextCnn> model = resolve(version, decision);
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

  /** The weights of {@code version}: the live challenger frozen, or its checkpoint; empty if neither exists. */
  private Optional<TextCnn> resolve(String version, String decision) {
    if (live.exists() && version.equals(live.version())) {
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
