package org.streamdistill.schemas.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Digests of secrets (tokens, passwords) so that they are compared in constant time with {@link
 * MessageDigest#isEqual} on equal-length values, and never kept as text.
 */
final class SecretDigest {

  private SecretDigest() {}

  static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
