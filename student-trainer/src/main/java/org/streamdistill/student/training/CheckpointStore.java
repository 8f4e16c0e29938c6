package org.streamdistill.student.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * ({@code <model>-v<n>.ckpt}), holding weights, optimizer state and, as metadata, the samples
 * seen, the next offset of every consumed partition, the label set and its names. Files are
 * written atomically, so the newest complete file is always the one to resume from.
 */
final class CheckpointStore {

  private static final Pattern FILE = Pattern.compile("(.+-v(\\d+))\\.ckpt");
  private static final String OFFSET_PREFIX = "offset.";

  /** What a checkpoint saves. */
  record Saved(String version, String parent, long samplesSeen, Map<String, Long> offsets, String labelSetId,
               String[] labelNames, TextCnn model, Adam optimizer) {}

  /** What a checkpoint gives back. */
  record Loaded(String version, long sequence, long samplesSeen, Map<String, Long> offsets, String labelSetId,
                String[] labelNames, TextCnn model, Adam savedOptimizer) {
    Adam optimizer(Adam.Settings fallback) {
      return savedOptimizer != null ? savedOptimizer : new Adam(fallback);
    }
  }

  private final Path dir;
  private final int keep;

  CheckpointStore(Path dir, int keep) {
    this.dir = dir;
    this.keep = keep;
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
      ModelState.capture(saved.model(), saved.optimizer(), metadata).writeAtomically(file);
      prune(alsoKeep);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  Optional<Loaded> newest() {
    return files().max(Comparator.comparingLong(CheckpointStore::sequence)).map(this::read);
  }

  Optional<Loaded> load(String version) {
    Path file = dir.resolve(version + ".ckpt");
    return Files.isRegularFile(file) ? Optional.of(read(file)) : Optional.empty();
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
        m.get("label_set_id"), labelNames, state.model(), state.optimizer().orElse(null));
  }

  /** Keeps the newest {@code keep} checkpoints and those named in {@code alsoKeep} (the champion). */
  private void prune(Set<String> alsoKeep) throws IOException {
    List<Path> all = files().sorted(Comparator.comparingLong(CheckpointStore::sequence).reversed()).toList();
    for (int i = keep; i < all.size(); i++) {
      Matcher matcher = FILE.matcher(all.get(i).getFileName().toString());
      if (matcher.matches() && !alsoKeep.contains(matcher.group(1))) {
        Files.deleteIfExists(all.get(i));
      }
    }
  }

  private Stream<Path> files() {
    if (!Files.isDirectory(dir)) {
      return Stream.empty();
    }
    try (Stream<Path> listing = Files.list(dir)) {
      return listing.filter(p -> FILE.matcher(p.getFileName().toString()).matches()).toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static long sequence(Path file) {
    Matcher matcher = FILE.matcher(file.getFileName().toString());
    return matcher.matches() ? Long.parseLong(matcher.group(2)) : -1;
  }
}
