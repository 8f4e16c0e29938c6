package org.streamdistill.deploy.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import org.streamdistill.teacher.model.TeacherScore;

/**
 * A directory of teacher outputs kept between bench runs, so that student experiments on the
 * same turns need not score them again (the ensemble takes minutes for CLINC150's 19,600 turns).
 * A file holds one teacher version's outputs for one list of texts: its name is the version and
 * a digest of the texts in order, so another bundle, other turns or another order never match.
 * A teacher bundle's outputs depend only on the bundle and the texts (fits are deterministic and
 * scoring has no randomness), so a stored file stands for a new scoring. A file that cannot be
 * read (truncated, another format) is scored anew and replaced.
 */
final class ScoreCache {

  private static final int MAGIC = 0x53445343; // "SDSC"
  private static final int FORMAT = 1;

  private final Path dir;

  private ScoreCache(Path dir) {
    this.dir = dir;
  }

  /**
   * The cache in {@code dir}, created when missing: checked before any teacher scores, so a bad
   * directory stops the run before minutes of scoring rather than after.
   *
   * @throws IOException when {@code dir} cannot be created or written
   */
  static ScoreCache open(Path dir) throws IOException {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IOException("the scores cache " + dir + " cannot be created: " + e, e);
    }
    if (!Files.isWritable(dir)) {
      throw new IOException("the scores cache " + dir + " is not writable");
    }
    return new ScoreCache(dir);
  }

  /** What {@link #scores} did: read the outputs; scored them (none stored); scored them over an unreadable file. */
  enum Source { READ, SCORED, REPLACED }

  /** Outputs with where they came from, and the file that holds them. */
  record Scores(List<TeacherScore> scores, Source source, Path file) {}

  /**
   * The stored outputs of {@code version} for {@code texts}, or {@code score}'s, stored for the
   * next run.
   *
   * @throws UncheckedIOException when the outputs cannot be stored
   */
  Scores scores(String version, List<String> texts, Supplier<List<TeacherScore>> score) {
    Path file = file(version, texts);
    boolean stored = Files.isRegularFile(file);
    if (stored) {
      try {
        List<TeacherScore> read = read(file);
        if (read.size() == texts.size()) {
          return new Scores(read, Source.READ, file);
        }
      } catch (IOException | RuntimeException e) {
        // unreadable: scored again below, and replaced
      }
    }
    List<TeacherScore> scored = score.get();
    try {
      write(file, scored);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store teacher outputs in " + file, e);
    }
    return new Scores(scored, stored ? Source.REPLACED : Source.SCORED, file);
  }

  Path file(String version, List<String> texts) {
    return dir.resolve(version.replaceAll("[^A-Za-z0-9._+-]", "_") + "-" + digest(texts) + ".scores");
  }

  private static String digest(List<String> texts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String text : texts) {
        sha.update(text.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static void write(Path file, List<TeacherScore> scores) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
      out.writeInt(MAGIC);
      out.writeInt(FORMAT);
      out.writeInt(scores.size());
      for (TeacherScore s : scores) {
        out.writeBoolean(s.truncated());
        out.writeInt(s.topIndex());
        int[] ids = s.tokenIds();
        out.writeInt(ids.length);
        for (int id : ids) {
          out.writeInt(id);
        }
        float[] logits = s.logits();
        out.writeInt(logits.length);
        for (float v : logits) {
          out.writeFloat(v);
        }
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static List<TeacherScore> read(Path file) throws IOException {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
        throw new IOException(file + " is not a teacher output file of format " + FORMAT);
      }
      int n = in.readInt();
      List<TeacherScore> scores = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        boolean truncated = in.readBoolean();
        int top = in.readInt();
        int[] ids = new int[in.readInt()];
        for (int j = 0; j < ids.length; j++) {
          ids[j] = in.readInt();
        }
        float[] logits = new float[in.readInt()];
        for (int j = 0; j < logits.length; j++) {
          logits[j] = in.readFloat();
        }
        scores.add(new TeacherScore(ids, truncated, logits, top));
      }
      if (in.read() != -1) {
        throw new IOException(file + " has bytes after its " + n + " outputs");
      }
      return scores;
    }
  }
}
