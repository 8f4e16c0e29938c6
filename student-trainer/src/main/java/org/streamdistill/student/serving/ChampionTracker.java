package org.streamdistill.student.serving;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.StudentCheckpoint;

/**
 * Works out, from promotion events and checkpoint records of one model line, which version is
 * the champion and where its ONNX export is. Pure state, no I/O besides the optional existence
 * check of a guessed file; the order of the two streams does not matter (a promotion may name a
 * version whose checkpoint record arrives later).
 *
 * <ul>
 *   <li>PROMOTE and ROLLBACK make {@code to_version} the champion.
 *   <li>HOLD changes nothing, except that a tracker that knows no champion yet (it started after
 *       {@code model.promotions} was compacted to a HOLD) adopts {@code from_version}, which a
 *       HOLD names as the serving champion.
 *   <li>A checkpoint record with an {@code onnx_uri} says where that version's export is.
 *       {@code student.checkpoints} is compacted by model name, so a tracker started later may
 *       see only the newest checkpoint; for a champion without a record it then tries {@code
 *       <version>.onnx} beside the newest known export (the trainer writes every export there).
 *   <li>With a model directory, an {@code onnx_uri} outside it (another scheme, {@code ..}, an
 *       absolute path elsewhere) is refused and counted ({@link #refusedCheckpoints()}): a record
 *       anyone could write to {@code student.checkpoints} must not make the server open an
 *       arbitrary file.
 * </ul>
 */
final class ChampionTracker {

  private static final Logger LOG = LoggerFactory.getLogger(ChampionTracker.class);

  /** A version to serve and its export. */
  record Champion(String version, URI onnxUri) {}

  private final String modelName;
  private final Predicate<URI> exists;
  private final Path modelDir;
  private long refused;
  private final Map<String, URI> exports = new HashMap<>();
  private URI newestExport;
  private String wanted;
  private Champion announced;
  private String warnedAbout;

  ChampionTracker(String modelName) {
    this(modelName, ChampionTracker::fileExists);
  }

  ChampionTracker(String modelName, Predicate<URI> exists) {
    this(modelName, exists, null);
  }

  /** @param modelDir exports must lie inside it; null accepts any {@code file:} URI */
  ChampionTracker(String modelName, Predicate<URI> exists, Path modelDir) {
    this.modelName = Objects.requireNonNull(modelName, "modelName");
    this.exists = exists;
    this.modelDir = modelDir == null ? null : modelDir.toAbsolutePath().normalize();
  }

  /** Checkpoint records refused because their export lies outside the model directory. */
  long refusedCheckpoints() {
    return refused;
  }

  /** Why {@code onnx} may not be loaded, or null. */
  private String outsideModelDir(URI onnx) {
    if (!"file".equals(onnx.getScheme())) {
      return "it is not a file: URI";
    }
    if (modelDir == null) {
      return null;
    }
    Path path;
    try {
      path = Path.of(onnx).toAbsolutePath().normalize();
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      return "it is not a valid file path (" + e.getMessage() + ")";
    }
    if (!path.startsWith(modelDir) || !path.getFileName().toString().endsWith(".onnx")) {
      return "it is not an .onnx file inside the model directory " + modelDir;
    }
    return null;
  }

  /** Records where a version's export is; returns the champion to serve if that changed. */
  Optional<Champion> onCheckpoint(StudentCheckpoint checkpoint) {
    if (!checkpoint.getModelName().equals(modelName)) {
      return Optional.empty();
    }
    String uri = checkpoint.getOnnxUri();
    if (uri == null) {
      return resolve();
    }
    URI onnx;
    try {
      onnx = URI.create(uri);
    } catch (IllegalArgumentException e) {
      refused++;
      LOG.warn("refusing checkpoint record of {}: onnx_uri is not a URI ({})", checkpoint.getModelVersion(),
          e.getMessage());
      return Optional.empty();
    }
    String outside = outsideModelDir(onnx);
    if (outside != null) {
      refused++;
      LOG.warn("refusing checkpoint record of {}: its onnx_uri {} is refused because {}", checkpoint.getModelVersion(),
          onnx, outside);
      return Optional.empty();
    }
    exports.put(checkpoint.getModelVersion(), onnx);
    newestExport = onnx;
    return resolve();
  }

  /** Applies a promotion decision; returns the champion to serve if that changed. */
  Optional<Champion> onPromotion(PromotionEvent event) {
    if (!event.getModelName().equals(modelName)) {
      return Optional.empty();
    }
    switch (event.getDecision()) {
      case "PROMOTE", "ROLLBACK" -> wanted = event.getToVersion();
      case "HOLD" -> {
        if (wanted == null && event.getFromVersion() != null) {
          wanted = event.getFromVersion();
        }
      }
      default -> LOG.warn("ignoring promotion event with unknown decision '{}' for {}",
          event.getDecision(), event.getToVersion());
    }
    return resolve();
  }

  /** The version promotions name as champion, known export or not. */
  String wantedVersion() {
    return wanted;
  }

  private Optional<Champion> resolve() {
    if (wanted == null || (announced != null && announced.version().equals(wanted))) {
      return Optional.empty();
    }
    URI onnx = exports.get(wanted);
    if (onnx == null && newestExport != null) {
      URI guess = siblingExport(newestExport, wanted);
      if (guess != null && exists.test(guess)) {
        onnx = guess;
      }
    }
    if (onnx == null) {
      if (!wanted.equals(warnedAbout)) {
        warnedAbout = wanted;
        LOG.info("champion {} has no known ONNX export yet; serving stays as it is until its "
            + "checkpoint record (with onnx_uri) arrives", wanted);
      }
      return Optional.empty();
    }
    announced = new Champion(wanted, onnx);
    return Optional.of(announced);
  }

  private static URI siblingExport(URI export, String version) {
    String text = export.toString();
    int slash = text.lastIndexOf('/');
    if (slash < 0 || !version.matches("[A-Za-z0-9._-]+")) {
      return null;
    }
    return URI.create(text.substring(0, slash + 1) + version + ".onnx");
  }

  static boolean fileExists(URI uri) {
    return "file".equals(uri.getScheme()) && Files.isRegularFile(Path.of(uri));
  }
}
