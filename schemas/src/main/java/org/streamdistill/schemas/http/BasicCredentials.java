package org.streamdistill.schemas.http;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A user name and password for HTTP basic authentication, as Confluent's {@code
 * basic.auth.user.info} gives them: {@code user:password} (the password may itself hold colons,
 * the user name may not). {@link #toString()} names the user only, so the record may be logged or
 * put in an exception message; the password leaves it only through {@link #authorizationHeader()}.
 *
 * <p>Serializable because a Flink job carries its registry settings to the task managers.
 *
 * @param user the user name, not empty
 * @param password the password, not empty
 */
public record BasicCredentials(String user, String password) implements Serializable {

  public BasicCredentials {
    if (user == null || user.isEmpty() || user.indexOf(':') >= 0) {
      throw new IllegalArgumentException("the user name must be given and hold no ':'");
    }
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException("the password of user '" + user + "' is empty");
    }
    for (String part : new String[] {user, password}) {
      if (part.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException("user names and passwords must not hold control characters");
      }
    }
  }

  /**
   * Parses {@code user:password} as a setting gives it: surrounding white space (a file's line
   * break) is dropped.
   *
   * @throws IllegalArgumentException without the value in its message: no colon, an empty side
   */
  public static BasicCredentials parse(String userInfo) {
    if (userInfo == null) {
      throw new IllegalArgumentException("expected user:password, got nothing");
    }
    String trimmed = userInfo.strip();
    int colon = trimmed.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("expected user:password, got a value without ':'");
    }
    return new BasicCredentials(trimmed.substring(0, colon), trimmed.substring(colon + 1));
  }

  /** The value of an {@code Authorization} header: {@code Basic base64(user:password)}. */
  public String authorizationHeader() {
    return "Basic " + Base64.getEncoder().encodeToString((user + ':' + password).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The credentials of an {@code Authorization: Basic ...} header, or null when the header is
   * missing, of another scheme or malformed.
   */
  public static BasicCredentials fromAuthorizationHeader(String header) {
    if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      String decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      // Taken as sent: unlike a setting, a presented password is never trimmed.
      return colon < 0 ? null : new BasicCredentials(decoded.substring(0, colon), decoded.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Names the user, never the password. */
  @Override
  public String toString() {
    return "BasicCredentials[user=" + user + ", password=[hidden]]";
  }
}
