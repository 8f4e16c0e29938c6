package org.streamdistill.deploy.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.streamdistill.deploy.platform.EmbeddedKafka;

/**
 * A single-node KRaft broker whose client listener speaks SASL_SSL (SCRAM-SHA-512), with ACLs
 * enforced by KRaft's {@code StandardAuthorizer}: what a secured production cluster offers the
 * pipeline. The TLS key pair is generated for each run with the JDK's {@code keytool}; nothing
 * secret is kept in the repository.
 *
 * <p>Two more listeners stay PLAINTEXT on loopback: the controller's (in KRaft the SCRAM
 * credentials a broker would need to reach a SASL controller must exist before the cluster
 * does) and an internal one whose anonymous principal is a super user, through which the test
 * creates the SCRAM users and ACLs, as an operator's admin host would.
 */
final class SecuredKafka implements AutoCloseable {

  static final String HOST = "127.0.0.1";
  private static final String SECURE_LISTENER = "SECURE";

  private final EmbeddedKafka kafka;
  private final int securePort;
  private final Path truststore;
  private final Path untrustedTruststore;
  private final String truststorePassword;

  private SecuredKafka(EmbeddedKafka kafka, int securePort, Path truststore, Path untrustedTruststore,
                       String truststorePassword) {
    this.kafka = kafka;
    this.securePort = securePort;
    this.truststore = truststore;
    this.untrustedTruststore = untrustedTruststore;
    this.truststorePassword = truststorePassword;
  }

  /** Generates the broker's key pair and certificate below {@code dir}, then starts the broker. */
  static SecuredKafka start(Path dir) throws Exception {
    String storePassword = randomSecret();
    Path keystore = dir.resolve("broker-keystore.p12");
    Path certificate = dir.resolve("broker.crt");
    Path truststore = dir.resolve("truststore.p12");
    // A self-signed certificate for 127.0.0.1 (clients verify the host name against its SAN).
    keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=streamdistill-test-broker", "-ext", "SAN=ip:" + HOST + ",dns:localhost",
        "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", storePassword);
    keytool("-exportcert", "-alias", "broker", "-rfc", "-file", certificate.toString(),
        "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", storePassword);
    keytool("-importcert", "-noprompt", "-alias", "streamdistill-test-ca", "-file", certificate.toString(),
        "-keystore", truststore.toString(), "-storetype", "PKCS12", "-storepass", storePassword);
    // A truststore holding some other certificate: what a client configured with the wrong CA has.
    Path otherKeystore = dir.resolve("other-keystore.p12");
    Path otherCertificate = dir.resolve("other.crt");
    Path untrusted = dir.resolve("untrusted-truststore.p12");
    keytool("-genkeypair", "-alias", "other", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=some-other-ca", "-keystore", otherKeystore.toString(), "-storetype", "PKCS12",
        "-storepass", storePassword);
    keytool("-exportcert", "-alias", "other", "-rfc", "-file", otherCertificate.toString(),
        "-keystore", otherKeystore.toString(), "-storetype", "PKCS12", "-storepass", storePassword);
    keytool("-importcert", "-noprompt", "-alias", "other", "-file", otherCertificate.toString(),
        "-keystore", untrusted.toString(), "-storetype", "PKCS12", "-storepass", storePassword);

    int[] ports = freePorts(3);
    int internal = ports[0];
    int controller = ports[1];
    int secure = ports[2];
    EmbeddedKafka kafka = EmbeddedKafka.builder()
        .logDir(dir.resolve("kafka"))
        .port(internal)
        .controllerPort(controller)
        .brokerConfig("listeners", "PLAINTEXT://" + HOST + ":" + internal + "," + SECURE_LISTENER + "://" + HOST + ":"
            + secure + ",CONTROLLER://" + HOST + ":" + controller)
        .brokerConfig("advertised.listeners", "PLAINTEXT://" + HOST + ":" + internal + "," + SECURE_LISTENER + "://"
            + HOST + ":" + secure)
        .brokerConfig("listener.security.protocol.map",
            "PLAINTEXT:PLAINTEXT," + SECURE_LISTENER + ":SASL_SSL,CONTROLLER:PLAINTEXT")
        .brokerConfig("sasl.enabled.mechanisms", "SCRAM-SHA-512")
        .brokerConfig("listener.name.secure.scram-sha-512.sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required;")
        .brokerConfig("ssl.keystore.type", "PKCS12")
        .brokerConfig("ssl.keystore.location", keystore.toString())
        .brokerConfig("ssl.keystore.password", storePassword)
        .brokerConfig("ssl.key.password", storePassword)
        .brokerConfig("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
        // The PLAINTEXT listeners (loopback, the test's and the controller's) authenticate nobody.
        .brokerConfig("super.users", "User:ANONYMOUS")
        .brokerConfig("allow.everyone.if.no.acl.found", "false")
        .start();
    return new SecuredKafka(kafka, secure, truststore, untrusted, storePassword);
  }

  /** {@code host:port} of the SASL_SSL listener. */
  String bootstrapServers() {
    return HOST + ":" + securePort;
  }

  /** {@code host:port} of the unauthenticated super-user listener: for the test's own administration. */
  String adminBootstrapServers() {
    return kafka.bootstrapServers();
  }

  /** Trusts the broker's certificate. */
  Path truststore() {
    return truststore;
  }

  /** Trusts some other certificate only. */
  Path untrustedTruststore() {
    return untrustedTruststore;
  }

  String truststorePassword() {
    return truststorePassword;
  }

  /** Creates (or replaces) a SCRAM-SHA-512 user. */
  void createUser(String user, String password) throws Exception {
    try (Admin admin = admin()) {
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
          new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password))).all().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * What the pipeline's stages need, granted to {@code user}: every operation on topics, groups and
   * transactional ids, and idempotent writes and descriptions on the cluster. The README's table
   * narrows it per stage; one user for all keeps the test short.
   */
  void grantPipelineAcls(String user) throws Exception {
    String principal = "User:" + user;
    List<AclBinding> acls = new ArrayList<>();
    for (ResourceType type : List.of(ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID)) {
      acls.add(allow(new ResourcePattern(type, "*", PatternType.LITERAL), principal, AclOperation.ALL));
    }
    ResourcePattern cluster = new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL);
    for (AclOperation operation : List.of(AclOperation.IDEMPOTENT_WRITE, AclOperation.DESCRIBE,
        AclOperation.DESCRIBE_CONFIGS)) {
      acls.add(allow(cluster, principal, operation));
    }
    try (Admin admin = admin()) {
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }
  }

  private static AclBinding allow(ResourcePattern pattern, String principal, AclOperation operation) {
    return new AclBinding(pattern, new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
  }

  private Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, adminBootstrapServers()));
  }

  @Override
  public void close() {
    kafka.close();
  }

  /** A fresh random secret: 24 hex digits. */
  static String randomSecret() {
    byte[] bytes = new byte[12];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
    }
  }

  private static int[] freePorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST));
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // the port is free again either way
        }
      }
    }
  }

  /** Writes {@code content} to a file only its owner may read, as a secrets file should be. */
  static Path writeSecret(Path file, String content) throws IOException {
    Files.writeString(file, content);
    try {
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // best effort on other file systems
    }
    return file;
  }
}
