package org.streamdistill.teacher.selection;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.StudentCheckpoint;

/**
 * Which student export the gate should load, worked out from {@code student.checkpoints} (where
 * each version's ONNX export is) and {@code model.promotions} (which version is the champion) of
 * one model line. PROMOTE and ROLLBACK make {@code to_version} the champion; a HOLD names the
 * serving champion in {@code from_version}, adopted when none is known yet (the topic was
 * compacted). The two streams may arrive in any order. Following the latest instead, the newest
 * checkpoint with an export is the one to load and decisions are ignored. Pure state, no I/O.
 */
public final class ChampionRecords {

  /** A champion version and its export file. */
  public record Export(String version, Path file) {}

  private final String modelName;
  private final boolean followLatest;
  private final Map<String, Path> exports = new HashMap<>();
  private String wanted;
  private String loaded;

  /** Follows the promoted champion of {@code modelName}. */
  public ChampionRecords(String modelName) {
    this(modelName, false);
  }

  /**
   * @param followLatest load the newest checkpoint's export (the learning challenger) instead of
   *     the promoted champion
   */
  public ChampionRecords(String modelName, boolean followLatest) {
    this.modelName = modelName;
    this.followLatest = followLatest;
  }

  /** Notes where a version's export is; returns the champion to load if that became known. */
  public Optional<Export> onCheckpoint(StudentCheckpoint checkpoint) {
    if (!checkpoint.getModelName().equals(modelName) || checkpoint.getOnnxUri() == null) {
      return Optional.empty();
    }
    URI uri = URI.create(checkpoint.getOnnxUri());
    if (!"file".equals(uri.getScheme())) {
      return Optional.empty();
    }
    if (followLatest) {
      exports.clear(); // only the newest is ever loaded
      wanted = checkpoint.getModelVersion();
    }
    exports.put(checkpoint.getModelVersion(), Path.of(uri));
    return next();
  }

  /** Applies a decision; returns the champion to load if it changed and its export is known. */
  public Optional<Export> onPromotion(PromotionEvent event) {
    if (followLatest || !event.getModelName().equals(modelName)) {
      return Optional.empty();
    }
    switch (event.getDecision()) {
      case "PROMOTE", "ROLLBACK" -> wanted = event.getToVersion();
      case "HOLD" -> {
        if (wanted == null && event.getFromVersion() != null) {
          wanted = event.getFromVersion();
        }
      }
      default -> { }
    }
    return next();
  }

  private Optional<Export> next() {
    if (wanted == null || wanted.equals(loaded) || !exports.containsKey(wanted)) {
      return Optional.empty();
    }
    loaded = wanted;
    return Optional.of(new Export(wanted, exports.get(wanted)));
  }
}
