package org.streamdistill.schemas.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made at test time by
 * the JDK's own {@code keytool} run as a process (no certificate or key lives in the repository),
 * with a PKCS12 key store for a server and a trust store holding only that certificate.
 *
 * @param keyStore PKCS12 store with the private key and certificate
 * @param trustStore PKCS12 store with the certificate alone
 * @param password password of both stores and of the key, random per call
 */
public record TestCertificates(Path keyStore, Path trustStore, String password) {

  /** Generates a key pair and certificate named {@code name} in {@code dir}. */
  public static TestCertificates generate(Path dir, String name) throws IOException, InterruptedException {
    byte[] random = new byte[12];
    new SecureRandom().nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    Path keyStore = dir.resolve(name + "-key.p12");
    Path trustStore = dir.resolve(name + "-trust.p12");
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", keyStore.toString(),
        "-storetype", "PKCS12", "-storepass", password, "-keypass", password);
    // The trust store is written here rather than by two more keytool runs: each starts a JVM,
    // seconds apiece on a loaded machine.
    try (var in = Files.newInputStream(keyStore)) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(in, password.toCharArray());
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry(name, keys.getCertificate(name));
      try (var out = Files.newOutputStream(trustStore)) {
        trust.store(out, password.toCharArray());
      }
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot copy the certificate keytool made into a trust store", e);
    }
    return new TestCertificates(keyStore, trustStore, password);
  }

  private static final java.util.Map<String, TestCertificates> SHARED = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The certificate named {@code name}, generated once per test JVM in a temporary directory
   * deleted at exit: test classes that need "a" certificate share it.
   */
  public static TestCertificates shared(String name) throws IOException {
    try {
      return SHARED.computeIfAbsent(name, n -> {
        try {
          Path dir = Files.createTempDirectory("test-certificates");
          dir.toFile().deleteOnExit();
          TestCertificates made = generate(dir, n);
          for (Path file : List.of(made.keyStore(), made.trustStore())) {
            file.toFile().deleteOnExit();
          }
          return made;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while generating a certificate", e);
        }
      });
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** A TLS context trusting this certificate only. */
  public SSLContext clientContext() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(trustStore)) {
      trust.load(in, password.toCharArray());
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  /** The key store loaded as an endpoint's TLS settings. */
  public HttpTls serverTls() {
    return new HttpTls(KeyStores.load("test", keyStore.toString(), "PKCS12", password), password, password,
        keyStore.toString());
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("keytool did not finish within 60 s: " + command);
    }
    if (process.exitValue() != 0) {
      throw new IOException("keytool " + args[0] + " failed (exit " + process.exitValue() + "): " + output);
    }
  }
}
