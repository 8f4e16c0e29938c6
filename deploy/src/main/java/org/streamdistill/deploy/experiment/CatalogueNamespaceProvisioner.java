package org.streamdistill.deploy.experiment;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.deploy.platform.TopicProvisioner;
import org.streamdistill.producers.experiment.NamespaceProvisioner;
import org.streamdistill.schemas.config.KafkaClientSettings;

/**
 * Creates a whole namespace (every catalogue topic and its dead-letter twin, with the
 * catalogue's partitions and cleanup policies) before a replay writes into it.
 */
public final class CatalogueNamespaceProvisioner implements NamespaceProvisioner {

  private static final Logger LOG = LoggerFactory.getLogger(CatalogueNamespaceProvisioner.class);

  @Override
  public void provision(String bootstrapServers, KafkaClientSettings kafka, String namespace) {
    try (Admin admin = Admin.create(kafka.withOwn(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)))) {
      TopicProvisioner.ProvisioningResult result = new TopicProvisioner(admin).provision(namespace);
      if (!result.mismatched().isEmpty()) {
        LOG.warn("namespace {}: topics {} differ from the catalogue (see earlier warnings)", namespace,
            result.mismatched());
      }
    }
  }
}
