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
    Path certificate = dir.resolve(name + ".crt");
    Path trustStore = dir.resolve(name + "-trust.p12");
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", keyStore.toString(),
        "-storetype", "PKCS12", "-storepass", password, "-keypass", password);
    keytool("-exportcert", "-rfc", "-alias", name, "-keystore", keyStore.toString(), "-storetype", "PKCS12",
        "-storepass", password, "-file", certificate.toString());
    keytool("-importcert", "-noprompt", "-alias", name, "-file", certificate.toString(), "-keystore",
        trustStore.toString(), "-storetype", "PKCS12", "-storepass", password);
    return new TestCertificates(keyStore, trustStore, password);
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
