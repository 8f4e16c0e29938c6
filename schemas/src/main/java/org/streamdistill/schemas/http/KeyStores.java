package org.streamdistill.schemas.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.util.Collections;
import org.apache.kafka.common.config.ConfigException;

/**
 * Loads the key and trust stores that TLS settings name, at start-up, so that a wrong path,
 * type or password fails there with a message naming the setting (and never the password),
 * instead of at the first handshake.
 */
public final class KeyStores {

  /** The type a store setting defaults to; PKCS12 stores also read JKS files on Java 17. */
  public static final String DEFAULT_TYPE = "PKCS12";

  private KeyStores() {}

  /**
   * Reads a store.
   *
   * @param locationKey the setting that names the file, for error messages
   * @param password the store's password, null or empty for none
   * @throws ConfigException naming {@code locationKey} when the file is missing or unreadable, of
   *     another type, or the password is wrong; or when it holds no entries
   */
  public static KeyStore load(String locationKey, String location, String type, String password) {
    KeyStore store;
    try {
      store = KeyStore.getInstance(type);
    } catch (KeyStoreException e) {
      throw new ConfigException(locationKey + ": unknown key store type '" + type + "' (PKCS12 or JKS)");
    }
    try (InputStream in = Files.newInputStream(Path.of(location))) {
      store.load(in, password == null ? null : password.toCharArray());
    } catch (NoSuchFileException e) {
      throw new ConfigException(locationKey + ": no such file " + location);
    } catch (IOException e) {
      // A wrong password surfaces as an IOException whose cause is UnrecoverableKeyException.
      boolean wrongPassword = e.getCause() instanceof java.security.UnrecoverableKeyException
          || String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("password");
      throw new ConfigException(locationKey + ": cannot read " + type + " store " + location + ": "
          + (wrongPassword ? "wrong password, or the file is not a " + type + " store" : e.getMessage()));
    } catch (GeneralSecurityException e) {
      throw new ConfigException(locationKey + ": cannot read " + type + " store " + location + ": " + e.getMessage());
    }
    try {
      if (Collections.list(store.aliases()).isEmpty()) {
        throw new ConfigException(locationKey + ": the store " + location + " holds no keys or certificates");
      }
    } catch (KeyStoreException e) {
      throw new IllegalStateException("a loaded key store refused to list its entries", e);
    }
    return store;
  }
}
