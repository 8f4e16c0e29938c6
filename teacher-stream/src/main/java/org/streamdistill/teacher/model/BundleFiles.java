package org.streamdistill.teacher.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.UUID;

/**
 * The file handling both kinds of bundle share ({@link TeacherBundle}, {@link EnsembleBundle}):
 * all-or-nothing directory writes and deletes that touch only the files a bundle is made of, so
 * a mistyped output directory can never cost someone their own files.
 */
final class BundleFiles {

  /** Where an ensemble keeps its member bundles, one sub-directory each. */
  static final String MEMBERS_DIR = "members";

  /** Writes the files of one bundle into a fresh (staging) directory. */
  @FunctionalInterface
  interface Contents {
    void writeTo(Path staging) throws IOException;
  }

  private BundleFiles() {}

  /**
   * Writes a bundle to {@code dir}, all or nothing: {@code contents} go to a temporary sibling
   * directory that is then renamed to {@code dir}. An existing bundle at {@code dir} is replaced
   * (renamed aside, then deleted); any other existing non-empty directory is refused.
   */
  static void saveAtomically(Path dir, Contents contents) throws IOException {
    Path target = dir.toAbsolutePath().normalize();
    Path parent = target.getParent();
    if (parent == null) {
      throw new IOException("cannot write a bundle to the file-system root");
    }
    if (Files.exists(target) && !isReplaceable(target)) {
      throw new IOException(target + " exists and is not a teacher bundle (no " + TeacherBundle.MANIFEST_FILE
          + "); refusing to replace it. Choose another output directory.");
    }
    Files.createDirectories(parent);
    String name = target.getFileName().toString();
    Path staging = Files.createTempDirectory(parent, "." + name + ".tmp-");
    try {
      contents.writeTo(staging);
      if (Files.exists(target)) {
        Path old = parent.resolve("." + name + ".old-" + UUID.randomUUID());
        move(target, old);
        move(staging, target);
        deleteBundle(old);
      } else {
        move(staging, target);
      }
    } catch (IOException | RuntimeException e) {
      deleteBundle(staging);
      throw e;
    }
  }

  private static boolean isReplaceable(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    if (Files.isRegularFile(dir.resolve(TeacherBundle.MANIFEST_FILE))) {
      return true;
    }
    try (var entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  /**
   * Deletes a bundle's files (an ensemble's member bundles included) and then the directory;
   * leaves anything else in place, and then the directory too.
   */
  static void deleteBundle(Path dir) {
    try {
      Path members = dir.resolve(MEMBERS_DIR);
      if (Files.isDirectory(members)) {
        List<Path> memberDirs;
        try (var entries = Files.list(members)) {
          memberDirs = entries.filter(Files::isDirectory).toList();
        }
        for (Path member : memberDirs) {
          deleteBundle(member);
        }
        Files.deleteIfExists(members);
      }
      Files.deleteIfExists(dir.resolve(TeacherBundle.HEAD_FILE));
      Files.deleteIfExists(dir.resolve(TeacherBundle.MANIFEST_FILE));
      Files.deleteIfExists(dir);
    } catch (IOException ignored) {
      // A leftover hidden directory is harmless; failing the save over it would not be.
    }
  }

  /** Creates {@code file} (which must not exist) with {@code bytes}, forced to disk before returning. */
  static void writeDurably(Path file, byte[] bytes) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
  }

  static byte[] sha256(byte[] bytes) {
    return newSha256().digest(bytes);
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }
}
