package org.streamdistill.schemas.registry;

import java.io.Serializable;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.streamdistill.schemas.config.NotBlank;
import org.streamdistill.schemas.http.BasicCredentials;
import org.streamdistill.schemas.http.KeyStores;

/**
 * How every stage reaches the schema registry: its URL, HTTP basic credentials and TLS trust (and
 * optionally a client key store for mutual TLS). The settings are defined once here ({@link
 * #define}) and added to each command's {@code ConfigDef}; their names are the ones Confluent's
 * serializers read ({@code schema.registry.basic.auth.user.info}, {@code
 * schema.registry.ssl.truststore.location}, ...), so a client config written for Confluent's
 * clients carries over.
 *
 * <p>Passwords are Kafka {@link Password}s in the settings ({@code [hidden]} in {@code --help}
 * and dumps) and stay out of {@link #toString()} and every error message. The stores are read
 * when the settings are parsed, so a wrong path or password fails at start-up naming the setting.
 * Serializable: the teacher job carries its settings to the Flink task managers, which read the
 * stores again at the same paths.
 *
 * @param url base URL, {@code http://} or {@code https://}, without user info
 * @param credentials basic credentials, or null to send none
 * @param trustStore certificates to trust for an {@code https://} URL, or null for the JVM's defaults
 * @param keyStore the client's own key and certificate (mutual TLS), or null
 */
public record RegistryClientSettings(String url, BasicCredentials credentials, Store trustStore, Store keyStore)
    implements Serializable {

  public static final String URL = "schema.registry.url";
  public static final String CREDENTIALS_SOURCE = "schema.registry.basic.auth.credentials.source";
  public static final String USER_INFO = "schema.registry.basic.auth.user.info";
  public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
  public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
  public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
  public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
  public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
  public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
  public static final String KEY_PASSWORD = "schema.registry.ssl.key.password";

  /** The one value of {@link #CREDENTIALS_SOURCE} supported: credentials from {@link #USER_INFO}. */
  public static final String SOURCE_USER_INFO = "USER_INFO";

  public static final String DEFAULT_URL = "http://127.0.0.1:8081";

  /** A key or trust store: where it is, its type and passwords. {@link #toString()} hides the passwords. */
  public record Store(String location, String type, String password, String keyPassword) implements Serializable {
    KeyStore load(String locationKey) {
      return KeyStores.load(locationKey, location, type, password);
    }

    @Override
    public String toString() {
      return "Store[" + location + ", " + type + ", passwords=[hidden]]";
    }
  }

  public RegistryClientSettings {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("schema registry URL is empty");
    }
    URI uri;
    try {
      uri = URI.create(url.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("schema registry URL must be http(s)://host:port, got '" + url + "'");
    }
    String scheme = uri.getScheme();
    if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || uri.getHost() == null) {
      throw new IllegalArgumentException("schema registry URL must be http(s)://host:port, got '"
          + (uri.getRawUserInfo() == null ? url : "(a URL with user info)") + "'");
    }
    if (uri.getRawUserInfo() != null) {
      // Refused rather than used: the URL is an ordinary setting, printed in logs and --help.
      throw new IllegalArgumentException("schema registry URL must not carry user info: give the credentials in "
          + USER_INFO + " instead");
    }
    if ((trustStore != null || keyStore != null) && !"https".equalsIgnoreCase(scheme)) {
      throw new IllegalArgumentException("schema registry TLS settings (schema.registry.ssl.*) are given but the URL "
          + url + " is not https://");
    }
    url = url.strip();
  }

  /** Plain settings: no credentials, the JVM's default trust. */
  public static RegistryClientSettings of(String url) {
    return new RegistryClientSettings(url, null, null, null);
  }

  /** The same settings with basic credentials. */
  public RegistryClientSettings withCredentials(BasicCredentials credentials) {
    return new RegistryClientSettings(url, credentials, trustStore, keyStore);
  }

  /** The same settings trusting the certificates of {@code trust}. */
  public RegistryClientSettings withTrustStore(Store trust) {
    return new RegistryClientSettings(url, credentials, trust, keyStore);
  }

  /** Adds the registry client's settings to a command's definition. */
  public static ConfigDef define(ConfigDef definition) {
    return definition
        .define(URL, Type.STRING, DEFAULT_URL, NotBlank.INSTANCE, Importance.HIGH,
            "Schema registry URL (Confluent REST API): http://host:port, or https://host:port for TLS.")
        .define(CREDENTIALS_SOURCE, Type.STRING, SOURCE_USER_INFO, ConfigDef.ValidString.in(SOURCE_USER_INFO),
            Importance.LOW, "Where the registry's basic-auth credentials come from: USER_INFO, i.e. " + USER_INFO
                + " (Confluent's setting; its URL and SASL_INHERIT sources are not supported).")
        .define(USER_INFO, Type.PASSWORD, null, Importance.MEDIUM,
            "HTTP basic credentials for the schema registry, user:password; unset: none are sent. Prefer the "
                + "environment variable STREAMDISTILL_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO (flags show up in ps).")
        .define(TRUSTSTORE_LOCATION, Type.STRING, "", Importance.MEDIUM,
            "Trust store (PKCS12 or JKS) with the certificate or CA of an https:// registry; empty: the JVM's "
                + "default CAs.")
        .define(TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "Password of " + TRUSTSTORE_LOCATION + ".")
        .define(TRUSTSTORE_TYPE, Type.STRING, KeyStores.DEFAULT_TYPE, NotBlank.INSTANCE, Importance.LOW,
            "Type of " + TRUSTSTORE_LOCATION + ": PKCS12 or JKS.")
        .define(KEYSTORE_LOCATION, Type.STRING, "", Importance.LOW,
            "Key store with this client's own key and certificate, for a registry that requires mutual TLS; "
                + "empty: none.")
        .define(KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.LOW, "Password of " + KEYSTORE_LOCATION + ".")
        .define(KEYSTORE_TYPE, Type.STRING, KeyStores.DEFAULT_TYPE, NotBlank.INSTANCE, Importance.LOW,
            "Type of " + KEYSTORE_LOCATION + ": PKCS12 or JKS.")
        .define(KEY_PASSWORD, Type.PASSWORD, null, Importance.LOW,
            "Password of the private key in " + KEYSTORE_LOCATION + " when it differs from the store's.");
  }

  /**
   * The settings defined by {@link #define}, read from parsed values; the stores are loaded once
   * to check them.
   *
   * @throws ConfigException naming the setting that is wrong, never a password's value
   */
  public static RegistryClientSettings from(Map<String, ?> values) {
    BasicCredentials credentials = null;
    String userInfo = value((Password) values.get(USER_INFO));
    if (userInfo != null) {
      try {
        credentials = BasicCredentials.parse(userInfo);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(USER_INFO + ": " + e.getMessage());
      }
    }
    Store trust = store(values, TRUSTSTORE_LOCATION, TRUSTSTORE_TYPE, TRUSTSTORE_PASSWORD, null);
    Store key = store(values, KEYSTORE_LOCATION, KEYSTORE_TYPE, KEYSTORE_PASSWORD, KEY_PASSWORD);
    RegistryClientSettings settings;
    try {
      settings = new RegistryClientSettings((String) values.get(URL), credentials, trust, key);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(URL + ": " + e.getMessage());
    }
    if (key != null && key.password() == null) {
      throw new ConfigException(KEYSTORE_PASSWORD + " must be set with " + KEYSTORE_LOCATION);
    }
    settings.sslContext(); // reads the stores: a wrong path, type or password fails here
    return settings;
  }

  private static Store store(Map<String, ?> values, String locationKey, String typeKey, String passwordKey,
                             String keyPasswordKey) {
    String location = (String) values.get(locationKey);
    if (location == null || location.isBlank()) {
      return null;
    }
    String password = value((Password) values.get(passwordKey));
    String keyPassword = keyPasswordKey == null ? null : value((Password) values.get(keyPasswordKey));
    return new Store(location.strip(), (String) values.get(typeKey), password, keyPassword);
  }

  private static String value(Password password) {
    return password == null || password.value() == null || password.value().isEmpty() ? null : password.value();
  }

  /** Whether the URL is {@code https://}. */
  public boolean tls() {
    return url.regionMatches(true, 0, "https:", 0, 6);
  }

  /**
   * The TLS context the stores define, or null when neither is set (the JVM's defaults apply).
   *
   * @throws ConfigException naming the setting when a store cannot be read
   */
  public SSLContext sslContext() {
    if (trustStore == null && keyStore == null) {
      return null;
    }
    try {
      TrustManagerFactory trust = null;
      if (trustStore != null) {
        trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trustStore.load(TRUSTSTORE_LOCATION));
      }
      KeyManagerFactory keys = null;
      if (keyStore != null) {
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        String keyPassword = keyStore.keyPassword() != null ? keyStore.keyPassword() : keyStore.password();
        keys.init(keyStore.load(KEYSTORE_LOCATION), keyPassword == null ? null : keyPassword.toCharArray());
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
      return context;
    } catch (java.security.UnrecoverableKeyException e) {
      throw new ConfigException(KEY_PASSWORD + ": cannot read the private key in " + keyStore.location()
          + ": wrong key password");
    } catch (GeneralSecurityException e) {
      throw new ConfigException("schema.registry.ssl.*: cannot set up TLS: " + e.getMessage());
    }
  }

  /** A client of the registry these settings describe. */
  public RestSchemaRegistryClient newClient() {
    return new RestSchemaRegistryClient(this);
  }

  /** Names the URL, the user and the stores' paths; never a password. */
  @Override
  public String toString() {
    return "RegistryClientSettings[" + url + (credentials != null ? ", user " + credentials.user() : "")
        + (trustStore != null ? ", trust " + trustStore.location() : "")
        + (keyStore != null ? ", key " + keyStore.location() : "") + "]";
  }
}
