package org.streamdistill.student.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.streamdistill.student.checkpoint.ModelState;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.optim.Adam;

/**
 * The trainer's checkpoints on disk: one {@link ModelState} file per model version
 * ({@code <model>-v<n>.ckpt}, n the sequence number), holding weights, optimizer state and, as
 * metadata, the samples seen, the resume offset of every consumed partition (the first turn the
 * weights have not learned), the label set and its names. Files are written atomically: a
 * half-written file is never read. Which file to resume from is not decided here but by the
 * committed Kafka transaction ({@link RestorePlan}): the newest file may be an orphan written
 * just before a crash, which {@link #moveAside} puts away.
 */
final class CheckpointStore implements RestorePlan.CheckpointFiles {

  /** Subdirectory that receives orphaned checkpoints (kept for inspection, never loaded). */
  static final String ORPHANED = "orphaned";
  private static final String OFFSET_PREFIX = "offset.";

  /** What a checkpoint saves. */
  record Saved(String version, String parent, long samplesSeen, Map<String, Long> offsets, String labelSetId,
               String[] labelNames, TextCnn model, Adam optimizer, Map<String, byte[]> sections) {}

  /** What a checkpoint gives back. */
  record Loaded(String version, long sequence, long samplesSeen, Map<String, Long> offsets, String labelSetId,
                String[] labelNames, TextCnn model, Adam savedOptimizer, Map<String, byte[]> sections) {
    Adam optimizer(Adam.Settings fallback) {
      return savedOptimizer != null ? savedOptimizer : new Adam(fallback);
    }
  }

  private final Path dir;
  private final String modelName;
  private final Pattern file;
  private final int keep;

  /**
   * @param keep how many of the newest checkpoints pruning keeps (at least 2: the newest file may
   *     be an uncommitted orphan, and the committed one before it must survive)
   */
  CheckpointStore(Path dir, String modelName, int keep) {
    if (keep < 2) {
      throw new IllegalArgumentException("keep must be >= 2, got " + keep);
    }
    this.dir = dir;
    this.modelName = modelName;
    this.file = Pattern.compile(Pattern.quote(modelName) + "-v(\\d+)\\.ckpt");
    this.keep = keep;
  }

  /**
   * Why {@code version} cannot be a version of this model line ({@code <model>-v<n>}), or null.
   * Checked before a name from a record becomes a file name: {@code ../x} must not reach the disk.
   */
  String checkVersionName(String version) {
    String prefix = modelName + "-v";
    if (version == null || !version.startsWith(prefix) || version.length() == prefix.length()
        || version.length() > prefix.length() + 18 || !version.substring(prefix.length()).chars().allMatch(c -> c >= '0' && c <= '9')) {
      return "version '" + (version == null ? "null" : version.length() > 80 ? version.substring(0, 80) + "..." : version)
          + "', which is not a version of model line " + modelName + " (" + prefix + "<n>)";
    }
    return null;
  }

  /** The version name of checkpoint {@code sequence}: {@code <model>-v<sequence>}. */
  String version(long sequence) {
    return modelName + "-v" + sequence;
  }

  Path save(Saved saved, Set<String> alsoKeep) {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("version", saved.version());
    if (saved.parent() != null) {
      metadata.put("parent", saved.parent());
    }
    metadata.put("samples_seen", Long.toString(saved.samplesSeen()));
    metadata.put("label_set_id", saved.labelSetId());
    List<String> names = new ArrayList<>();
    for (int i = 0; i < saved.labelNames().length; i++) {
      names.add(saved.labelNames()[i] == null ? "" : saved.labelNames()[i]);
    }
    metadata.put("label_names", String.join("\n", names));
    saved.offsets().forEach((partition, offset) -> metadata.put(OFFSET_PREFIX + partition, Long.toString(offset)));
    Path file = dir.resolve(saved.version() + ".ckpt");
    try {
      ModelState.capture(saved.model(), saved.optimizer(), metadata, saved.sections()).writeAtomically(file);
      prune(alsoKeep);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  @Override
  public List<Long> sequences() {
    return files().map(this::sequence).sorted().toList();
  }

  @Override
  public Map<String, Long> offsets(long sequence) {
    return load(sequence).offsets();
  }

  @Override
  public String describe(long sequence) {
    return dir.resolve(version(sequence) + ".ckpt").toString();
  }

  /** Reads checkpoint {@code sequence}, which must exist. */
  Loaded load(long sequence) {
    Path path = dir.resolve(version(sequence) + ".ckpt");
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException("checkpoint " + path + " does not exist");
    }
    return read(path);
  }

  Optional<Loaded> load(String version) {
    if (checkVersionName(version) != null) {
      return Optional.empty();
    }
    Path path = dir.resolve(version + ".ckpt");
    return Files.isRegularFile(path) ? Optional.of(read(path)) : Optional.empty();
  }

  /**
   * Moves checkpoint {@code sequence} and its ONNX export into {@value #ORPHANED}/ (suffixed with
   * the time, so that an earlier orphan of the same version is kept too), out of reach of
   * {@link #sequences()} and promotions. Returns where the checkpoint went.
   */
  Path moveAside(long sequence) {
    Path orphans = dir.resolve(ORPHANED);
    String suffix = "." + System.currentTimeMillis();
    Path checkpoint = dir.resolve(version(sequence) + ".ckpt");
    Path target = orphans.resolve(checkpoint.getFileName() + suffix);
    try {
      Files.createDirectories(orphans);
      Files.move(checkpoint, target, StandardCopyOption.REPLACE_EXISTING);
      Path onnx = dir.resolve(version(sequence) + ".onnx");
      if (Files.isRegularFile(onnx)) {
        Files.move(onnx, orphans.resolve(onnx.getFileName() + suffix), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move orphaned checkpoint " + checkpoint + " to " + orphans + ": "
          + e.getMessage(), e);
    }
    return target;
  }

  private Loaded read(Path file) {
    ModelState state;
    try {
      state = ModelState.read(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> m = state.metadata();
    Map<String, Long> offsets = new LinkedHashMap<>();
    m.forEach((key, value) -> {
      if (key.startsWith(OFFSET_PREFIX)) {
        offsets.put(key.substring(OFFSET_PREFIX.length()), Long.parseLong(value));
      }
    });
    String[] names = m.getOrDefault("label_names", "").split("\n", -1);
    for (int i = 0; i < names.length; i++) {
      if (names[i].isEmpty()) {
        names[i] = null;
      }
    }
    String[] labelNames = new String[state.model().config().numClasses()];
    System.arraycopy(names, 0, labelNames, 0, Math.min(names.length, labelNames.length));
    return new Loaded(m.get("version"), sequence(file), Long.parseLong(m.get("samples_seen")), offsets,
        m.get("label_set_id"), labelNames, state.model(), state.optimizer().orElse(null),
        state.sections());
  }

  /** Keeps the newest {@code keep} checkpoints and those named in {@code alsoKeep} (the champion). */
  private void prune(Set<String> alsoKeep) throws IOException {
    List<Path> all = files().sorted(Comparator.comparingLong(this::sequence).reversed()).toList();
    for (int i = keep; i < all.size(); i++) {
      if (!alsoKeep.contains(version(sequence(all.get(i))))) {
        Files.deleteIfExists(all.get(i));
      }
    }
  }

  private Stream<Path> files() {
    if (!Files.isDirectory(dir)) {
      return Stream.empty();
    }
    try (Stream<Path> listing = Files.list(dir)) {
      return listing.filter(p -> file.matcher(p.getFileName().toString()).matches()).toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints in " + dir + ": " + e.getMessage(), e);
    }
  }

  private long sequence(Path path) {
    Matcher matcher = file.matcher(path.getFileName().toString());
    return matcher.matches() ? Long.parseLong(matcher.group(1)) : -1;
  }
}
