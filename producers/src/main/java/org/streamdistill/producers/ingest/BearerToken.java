package org.streamdistill.producers.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * Checks {@code Authorization: Bearer <token>} headers against the configured token. Both
 * sides are hashed with SHA-256 and compared with {@link MessageDigest#isEqual}, so the time
 * a check takes depends neither on where a guess first differs nor on its length. Only the
 * digest is kept; {@link #toString()} reveals nothing.
 */
public final class BearerToken {

  private static final String SCHEME = "bearer ";

  private final byte[] digest;

  public BearerToken(String token) {
    if (token == null || token.isEmpty()) {
      throw new IllegalArgumentException("the bearer token is empty");
    }
    this.digest = sha256(token);
  }

  /** Whether the value of an {@code Authorization} header carries the token. */
  public boolean accepts(String authorizationHeader) {
    if (authorizationHeader == null || authorizationHeader.length() <= SCHEME.length()
        || !authorizationHeader.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
      return false;
    }
    String presented = authorizationHeader.substring(SCHEME.length()).trim();
    return MessageDigest.isEqual(digest, sha256(presented));
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "BearerToken[hidden]";
  }
}
