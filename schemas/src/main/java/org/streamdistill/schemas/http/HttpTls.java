package org.streamdistill.schemas.http;

import java.security.KeyStore;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.streamdistill.schemas.config.NotBlank;

/**
 * TLS of one HTTP endpoint: the key store holding its private key and certificate chain. An
 * app adds the settings under its own prefix ({@link #define}; {@code registry.} gives {@code
 * registry.http.ssl.keystore.location}, ...) and hands {@link #from} to {@link
 * BoundedHttpServer#start}; without a key store the endpoint speaks plain HTTP, as before.
 * The passwords are Kafka {@link Password}s: {@code --help} and config dumps show {@code
 * [hidden]}, and {@link #toString()} leaves them out.
 *
 * @param keyStore the loaded key store
 * @param keyStorePassword its password
 * @param keyPassword the private key's password (the store's when not given)
 * @param location where the store was read from, for the start-up log line
 */
public record HttpTls(KeyStore keyStore, String keyStorePassword, String keyPassword, String location) {

  public static final String KEYSTORE_LOCATION = "http.ssl.keystore.location";
  public static final String KEYSTORE_PASSWORD = "http.ssl.keystore.password";
  public static final String KEYSTORE_TYPE = "http.ssl.keystore.type";
  public static final String KEY_PASSWORD = "http.ssl.key.password";

  /** Adds the TLS settings under {@code prefix}. */
  public static ConfigDef define(ConfigDef definition, String prefix) {
    return definition
        .define(prefix + KEYSTORE_LOCATION, Type.STRING, "", Importance.MEDIUM,
            "Key store (PKCS12 or JKS) with this endpoint's private key and certificate: set, the endpoint "
                + "speaks HTTPS only; empty, plain HTTP.")
        .define(prefix + KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM,
            "Password of " + prefix + KEYSTORE_LOCATION + "; prefer its STREAMDISTILL_* environment variable.")
        .define(prefix + KEYSTORE_TYPE, Type.STRING, KeyStores.DEFAULT_TYPE, NotBlank.INSTANCE, Importance.LOW,
            "Type of " + prefix + KEYSTORE_LOCATION + ": PKCS12 or JKS.")
        .define(prefix + KEY_PASSWORD, Type.PASSWORD, null, Importance.LOW,
            "Password of the private key in " + prefix + KEYSTORE_LOCATION + " when it differs from the store's.");
  }

  /**
   * The TLS settings defined by {@link #define} under {@code prefix}, with the key store loaded;
   * null when no key store is set (plain HTTP).
   *
   * @throws ConfigException naming the setting when the store cannot be read
   */
  public static HttpTls from(Map<String, ?> values, String prefix) {
    String location = (String) values.get(prefix + KEYSTORE_LOCATION);
    if (location == null || location.isBlank()) {
      return null;
    }
    String storePassword = value((Password) values.get(prefix + KEYSTORE_PASSWORD));
    if (storePassword == null) {
      throw new ConfigException(prefix + KEYSTORE_PASSWORD + " must be set with " + prefix + KEYSTORE_LOCATION);
    }
    String keyPassword = value((Password) values.get(prefix + KEY_PASSWORD));
    KeyStore store = KeyStores.load(prefix + KEYSTORE_LOCATION, location.strip(),
        (String) values.get(prefix + KEYSTORE_TYPE), storePassword);
    return new HttpTls(store, storePassword, keyPassword != null ? keyPassword : storePassword, location.strip());
  }

  private static String value(Password password) {
    return password == null || password.value() == null || password.value().isEmpty() ? null : password.value();
  }

  /** Leaves the passwords out. */
  @Override
  public String toString() {
    return "HttpTls[keyStore=" + location + ", passwords=[hidden]]";
  }
}
