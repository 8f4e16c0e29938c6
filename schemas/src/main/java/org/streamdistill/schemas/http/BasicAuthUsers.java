package org.streamdistill.schemas.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The users an endpoint accepts with HTTP basic authentication, and the check of an {@code
 * Authorization} header against them. Only SHA-256 digests of the passwords are kept and they are
 * compared with {@link MessageDigest#isEqual}; an unknown user is compared against a digest too,
 * so a check takes the same time whether the user exists, the password differs early or late, or
 * it has another length. {@link #toString()} names the users, never a password.
 */
public final class BasicAuthUsers {

  private static final byte[] NO_SUCH_USER = SecretDigest.sha256("\u0000no such user\u0000");

  private final Map<String, byte[]> digests;

  private BasicAuthUsers(Map<String, byte[]> digests) {
    if (digests.isEmpty()) {
      throw new IllegalArgumentException("no users given");
    }
    this.digests = Map.copyOf(digests);
  }

  /** The users of {@code credentials}; a user given twice keeps the last password. */
  public static BasicAuthUsers of(List<BasicCredentials> credentials) {
    Map<String, byte[]> digests = new LinkedHashMap<>();
    for (BasicCredentials c : credentials) {
      digests.put(c.user(), SecretDigest.sha256(c.password()));
    }
    return new BasicAuthUsers(digests);
  }

  /**
   * Parses users given as {@code user:password} entries separated by commas or line breaks;
   * blank entries and lines starting with {@code #} are skipped.
   *
   * @param source names the origin in error messages (a setting, a file), never the passwords
   * @throws IllegalArgumentException naming the entry's number when one is not {@code user:password}
   */
  public static List<BasicCredentials> parseList(String text, String source) {
    List<BasicCredentials> users = new java.util.ArrayList<>();
    int number = 0;
    for (String line : text.split("\\R")) {
      if (line.strip().startsWith("#")) {
        continue;
      }
      for (String entry : line.split(",")) {
        if (entry.isBlank()) {
          continue;
        }
        number++;
        try {
          users.add(BasicCredentials.parse(entry));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(source + ": user entry " + number + ": " + e.getMessage());
        }
      }
    }
    return users;
  }

  /** Reads {@link #parseList} entries from a file (one {@code user:password} a line). */
  public static List<BasicCredentials> readFile(Path file) throws IOException {
    return parseList(Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString());
  }

  /**
   * The user an {@code Authorization: Basic ...} header authenticates, or null when it is missing,
   * malformed, names an unknown user or carries the wrong password.
   */
  public String authenticate(String authorizationHeader) {
    BasicCredentials presented = BasicCredentials.fromAuthorizationHeader(authorizationHeader);
    if (presented == null) {
      return null;
    }
    byte[] expected = digests.get(presented.user());
    boolean known = expected != null;
    boolean matches = MessageDigest.isEqual(known ? expected : NO_SUCH_USER, SecretDigest.sha256(presented.password()));
    return known && matches ? presented.user() : null;
  }

  /** The user names, for a start-up log line. */
  public Set<String> users() {
    return new java.util.TreeSet<>(digests.keySet());
  }

  @Override
  public String toString() {
    return "BasicAuthUsers" + users();
  }
}
