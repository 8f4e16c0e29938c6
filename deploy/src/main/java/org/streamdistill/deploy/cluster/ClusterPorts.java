package org.streamdistill.deploy.cluster;

/**
 * The local cluster's fixed loopback ports, all above one base so that a second cluster (or a
 * default demo, on 9092 and 8081) can run beside it with another base. Fixed, not picked free,
 * so that a process restarted later is found where it was and {@code status} needs no lookup.
 */
public record ClusterPorts(int base) {

  /** Kafka nodes, numbered from 1. */
  public static final int KAFKA_NODES = 3;

  public int kafka(int node) {
    return base + node;
  }

  public int controller(int node) {
    return base + KAFKA_NODES + node;
  }

  public int registry() {
    return base + 7;
  }

  public int flinkRest() {
    return base + 8;
  }

  public int flinkRpc() {
    return base + 9;
  }

  public int ingest() {
    return base + 10;
  }

  public String bootstrapServers() {
    StringBuilder servers = new StringBuilder();
    for (int node = 1; node <= KAFKA_NODES; node++) {
      servers.append(node > 1 ? "," : "").append("127.0.0.1:").append(kafka(node));
    }
    return servers.toString();
  }

  public String registryUrl() {
    return "http://127.0.0.1:" + registry();
  }

  public String flinkRestUrl() {
    return "http://127.0.0.1:" + flinkRest();
  }

  public String ingestUrl() {
    return "http://127.0.0.1:" + ingest();
  }
}
