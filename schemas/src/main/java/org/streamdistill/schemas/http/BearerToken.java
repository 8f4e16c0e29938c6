package org.streamdistill.schemas.http;

import java.security.MessageDigest;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Checks {@code Authorization: Bearer <token>} headers against the configured token. Both
 * sides are hashed with SHA-256 and compared with {@link MessageDigest#isEqual}, so the time
 * a check takes depends neither on where a guess first differs nor on its length. Only the
 * digest is kept; {@link #toString()} reveals nothing.
 *
 * <p>The ingestion endpoint requires one ({@code ingest.token}); the serving and lag endpoints
 * take an optional one under their HTTP prefix ({@link #define}: {@code server.http.token},
 * {@code lag.http.token}). Every token setting is checked by {@link #VALIDATOR}.
 */
public final class BearerToken {

  private static final String SCHEME = "bearer ";

  /** Shorter tokens are refused at start-up: they can be guessed. */
  public static final int MIN_TOKEN_CHARS = 16;

  /** The optional token of an endpoint, under its prefix: {@code server.http.token}, ... */
  public static final String HTTP_TOKEN = "http.token";

  /**
   * Accepts a token of at least {@link #MIN_TOKEN_CHARS} printable ASCII characters, or no value
   * at all (an optional token left unset). Its messages never hold the value: they end up in a
   * terminal or a log.
   */
  public static final ConfigDef.Validator VALIDATOR = new ConfigDef.Validator() {
    @Override
    public void ensureValid(String name, Object value) {
      if (value == null) {
        return; // required tokens have no default, so ConfigDef itself refuses a missing one
      }
      String token = ((Password) value).value();
      if (token.length() < MIN_TOKEN_CHARS) {
        throw new ConfigException(name + " must be at least " + MIN_TOKEN_CHARS + " characters, got "
            + token.length() + " (e.g. openssl rand -hex 24)");
      }
      if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new ConfigException(name + " must be printable ASCII without spaces");
      }
    }

    @Override
    public String toString() {
      return "at least " + MIN_TOKEN_CHARS + " printable characters";
    }
  };

  /** Adds the endpoint's optional bearer token under {@code prefix} ({@code prefix + "http.token"}). */
  public static ConfigDef define(ConfigDef definition, String prefix) {
    return definition.define(prefix + HTTP_TOKEN, Type.PASSWORD, null, VALIDATOR, Importance.MEDIUM,
        "Bearer token every request must carry (Authorization: Bearer ...); requests without it get 401. "
            + "Unset: no authentication. Prefer the environment variable (flags show up in ps).");
  }

  /** The token defined by {@link #define} under {@code prefix}, or null when unset. */
  public static BearerToken from(Map<String, ?> values, String prefix) {
    Password token = (Password) values.get(prefix + HTTP_TOKEN);
    return token == null || token.value() == null || token.value().isEmpty() ? null : new BearerToken(token.value());
  }

  private final byte[] digest;

  public BearerToken(String token) {
    if (token == null || token.isEmpty()) {
      throw new IllegalArgumentException("the bearer token is empty");
    }
    this.digest = SecretDigest.sha256(token);
  }

  /** Whether the value of an {@code Authorization} header carries the token. */
  public boolean accepts(String authorizationHeader) {
    if (authorizationHeader == null || authorizationHeader.length() <= SCHEME.length()
        || !authorizationHeader.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
      return false;
    }
    String presented = authorizationHeader.substring(SCHEME.length()).trim();
    return MessageDigest.isEqual(digest, SecretDigest.sha256(presented));
  }

  @Override
  public String toString() {
    return "BearerToken[hidden]";
  }
}
