package org.streamdistill.deploy.cluster;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.streamdistill.deploy.platform.TopicProvisioner;
import org.streamdistill.deploy.platform.TopicProvisioner.ProvisioningResult;
import org.streamdistill.deploy.platform.TopicProvisioner.TopicSpec;

/**
 * {@code provision}: creates every catalogue topic and its dead-letter twin on an external
 * Kafka cluster, with the catalogue's partitions and cleanup policies. Idempotent; existing
 * topics are left as they are and reported when they differ from the catalogue.
 */
public final class ProvisionCommand {

  private static final String USAGE = """
      Usage: streamdistill provision [--bootstrap-servers HOST:PORT[,HOST:PORT...]] [--namespace NS]
                                     [--replication-factor N] [--config FILE]

      Creates every topic of the catalogue and its <topic>.dlq twin, with the catalogue's partition
      counts and cleanup policies. Topics that exist are left as they are; those whose partitions or
      cleanup policy differ from the catalogue are listed as mismatched. Settings (file, then
      STREAMDISTILL_* variables, then flags):
      """;

  private ProvisionCommand() {}

  /** Runs the command; returns the process exit code (0 ok, 1 failed, 2 bad usage). */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help")) {
      out.print(USAGE);
      out.println(ClusterCommandConfig.PROVISION_LOADER.help());
      return 0;
    }
    String bootstrap;
    String namespace;
    Integer replication;
    org.streamdistill.schemas.config.KafkaClientSettings kafka;
    try {
      Map<String, Object> settings = ClusterCommandConfig.provision(args, System.getenv());
      bootstrap = (String) settings.get(ClusterCommandConfig.BOOTSTRAP_SERVERS);
      namespace = (String) settings.get(ClusterCommandConfig.NAMESPACE);
      int factor = (Integer) settings.get(ClusterCommandConfig.REPLICATION_FACTOR);
      replication = factor == 0 ? null : factor;
      kafka = org.streamdistill.schemas.config.KafkaClientSettings.from(settings);
    } catch (org.apache.kafka.common.config.ConfigException e) {
      err.println("provision: " + e.getMessage());
      return 2;
    }

    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "streamdistill-provision");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    kafka.applyTo(props);
    Admin admin;
    try {
      admin = Admin.create(props);
    } catch (KafkaException e) {
      // A malformed address fails here; the cause says what is wrong with it.
      err.println("provision: --bootstrap-servers " + bootstrap + ": "
          + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
      return 2;
    }
    try (admin) {
      TopicProvisioner provisioner = replication == null
          ? new TopicProvisioner(admin)
          : new TopicProvisioner(admin, replication.shortValue());
      out.printf("provisioning %d topics on %s%s ...%n", TopicProvisioner.plan(namespace).size(), bootstrap,
          namespace.isEmpty() ? "" : " in namespace '" + namespace + "'");
      ProvisioningResult result = provisioner.provision(namespace);
      for (TopicSpec spec : TopicProvisioner.plan(namespace)) {
        String status = result.created().contains(spec.name()) ? "created"
            : result.mismatched().contains(spec.name()) ? "MISMATCHED"
            : "existing";
        out.printf("  %-10s %-36s %2d partition(s), cleanup.policy=%s%n", status, spec.name(), spec.partitions(),
            spec.cleanupPolicy());
      }
      out.printf("created %d, existing %d, mismatched %d%n", result.created().size(),
          result.alreadyPresent().size() - result.mismatched().size(), result.mismatched().size());
      if (!result.mismatched().isEmpty()) {
        // Left alone on purpose (repartitioning moves keys under running consumers); the
        // operator decides. The log has the details of each difference.
        err.println("provision: " + result.mismatched().size() + " existing topic(s) differ from the catalogue "
            + "(partitions or cleanup.policy) and were left as they are: " + result.mismatched());
      }
      return 0;
    } catch (IllegalStateException e) {
      err.println("provision: " + e.getMessage());
      return 1;
    }
  }
}
