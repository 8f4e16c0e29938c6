package org.streamdistill.deploy.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.schemas.http.BasicAuthUsers;
import org.streamdistill.schemas.http.BasicCredentials;
import org.streamdistill.schemas.http.HttpTls;

/**
 * Settings of {@code provision} and {@code registry}, loaded like every other command's:
 * defaults, {@code --config FILE}, {@code STREAMDISTILL_*} variables, {@code --key value} flags
 * (their old flags, {@code --bootstrap-servers}, {@code --namespace}, {@code --port}, ... are the
 * short aliases).
 */
final class ClusterCommandConfig {

  static final String BOOTSTRAP_SERVERS = KafkaClientSettings.BOOTSTRAP_SERVERS;
  static final String NAMESPACE = "topic.namespace";
  static final String REPLICATION_FACTOR = "provision.replication-factor";
  static final String REGISTRY_BIND = "registry.bind-address";
  static final String REGISTRY_PORT = "registry.port";
  static final String REGISTRY_TOPIC = "registry.topic";
  static final String REGISTRY_USERS = "registry.auth.users";
  static final String REGISTRY_USERS_FILE = "registry.auth.users-file";
  /** Prefix of the registry endpoint's TLS settings ({@link HttpTls#define}): {@code registry.http.ssl.*}. */
  static final String REGISTRY_PREFIX = "registry.";

  static final ConfigDef PROVISION = new ConfigDef()
      .define(KafkaClientSettings.bootstrapServersKey())
      .define(NAMESPACE, Type.STRING, "", Importance.MEDIUM,
          "Prefix of every topic name, for experiments beside production; empty for none.")
      .define(REPLICATION_FACTOR, Type.INT, 0, Range.between(0, Short.MAX_VALUE), Importance.MEDIUM,
          "Replicas of each partition; 0 for the broker's default.replication.factor. 3 in production.");

  static final ConfigLoader PROVISION_LOADER = new ConfigLoader(PROVISION, "STREAMDISTILL", Map.of(
      "bootstrap-servers", BOOTSTRAP_SERVERS, "namespace", NAMESPACE, "replication-factor", REPLICATION_FACTOR))
      .withKafkaClientSettings();

  static final ConfigDef REGISTRY = HttpTls.define(new ConfigDef()
      .define(KafkaClientSettings.bootstrapServersKey())
      .define(REGISTRY_BIND, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
          "Address the HTTP endpoint listens on; 0.0.0.0 for every interface (then set " + REGISTRY_USERS
              + " or " + REGISTRY_USERS_FILE + ", and TLS).")
      .define(REGISTRY_USERS, Type.PASSWORD, null, Importance.MEDIUM,
          "Users allowed to read and write, user:password,user2:password2 (HTTP basic authentication); with "
              + REGISTRY_USERS_FILE + " the users of both. Unset with no file: no authentication. Prefer the "
              + "environment variable STREAMDISTILL_REGISTRY_AUTH_USERS (flags show up in ps).")
      .define(REGISTRY_USERS_FILE, Type.STRING, "", Importance.MEDIUM,
          "A file of users allowed to read and write, one user:password a line (# starts a comment); keep it "
              + "readable by the registry only.")
      .define(REGISTRY_PORT, Type.INT, 8081, Range.between(0, 65_535), Importance.HIGH,
          "HTTP port; 0 picks a free one.")
      .define(REGISTRY_TOPIC, Type.STRING, "_schemas", new ConfigDef.NonEmptyString(), Importance.LOW,
          "The compacted topic holding the schemas (created if absent), as Confluent's."), REGISTRY_PREFIX);

  static final ConfigLoader REGISTRY_LOADER = new ConfigLoader(REGISTRY, "STREAMDISTILL", Map.of(
      "bootstrap-servers", BOOTSTRAP_SERVERS, "port", REGISTRY_PORT, "topic", REGISTRY_TOPIC, "bind", REGISTRY_BIND))
      .withKafkaClientSettings();

  private ClusterCommandConfig() {}

  static Map<String, Object> provision(List<String> args, Map<String, String> env) {
    return PROVISION_LOADER.load(args, env);
  }

  static Map<String, Object> registry(List<String> args, Map<String, String> env) {
    return REGISTRY_LOADER.load(args, env);
  }

  /**
   * The users of {@link #REGISTRY_USERS} and {@link #REGISTRY_USERS_FILE} together, or null when
   * neither is set (no authentication).
   *
   * @throws ConfigException naming the setting, never a password, when an entry is malformed or the file unreadable
   */
  static BasicAuthUsers registryUsers(Map<String, Object> settings) {
    List<BasicCredentials> users = new ArrayList<>();
    Password inline = (Password) settings.get(REGISTRY_USERS);
    if (inline != null && inline.value() != null && !inline.value().isBlank()) {
      try {
        users.addAll(BasicAuthUsers.parseList(inline.value(), REGISTRY_USERS));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage());
      }
    }
    String file = (String) settings.get(REGISTRY_USERS_FILE);
    if (file != null && !file.isBlank()) {
      try {
        List<BasicCredentials> fromFile = BasicAuthUsers.readFile(Path.of(file.strip()));
        if (fromFile.isEmpty()) {
          throw new ConfigException(REGISTRY_USERS_FILE + ": " + file + " names no user");
        }
        users.addAll(fromFile);
      } catch (IOException e) {
        throw new ConfigException(REGISTRY_USERS_FILE + ": cannot read " + file + ": " + e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(REGISTRY_USERS_FILE + ": " + e.getMessage());
      }
    }
    return users.isEmpty() ? null : BasicAuthUsers.of(users);
  }
}
