package org.streamdistill.deploy.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whether the local cluster's fixed ports can be used: which are taken now, and whether they lie in
 * the operating system's ephemeral range, from which every outgoing connection (Kafka clients, the
 * registry, Flink) takes its local port. A port there can be taken by such a connection between the
 * check and the moment the last process (ingestion) binds it, so {@code up} warns.
 */
public final class PortCheck {

  /** Linux's ephemeral port range; the check is skipped where it is absent. */
  public static final Path LINUX_EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  /** The lowest port {@link #freeBelowEphemeralRange} draws: above the well-known services' ports. */
  private static final int FIRST_PRIVATE_PORT = 10_000;

  private PortCheck() {
  }

  /** The ports among base+1..base+10 that cannot be bound on the loopback address now. */
  public static List<Integer> taken(ClusterPorts ports) {
    List<Integer> taken = new ArrayList<>();
    for (int port = ports.base() + 1; port <= ports.ingest(); port++) {
      if (!free(port)) {
        taken.add(port);
      }
    }
    return taken;
  }

  /** Whether {@code port} can be bound on the loopback address now. */
  public static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  /**
   * {@code count} distinct ports, free now, for processes that bind them later and bind them again
   * after each restart (the soak's broker, registry and ingestion): drawn below the system's
   * ephemeral range (from 10000; below 32768 where the range is unknown), where no outgoing
   * connection can take one while its process is starting or down. Where the range leaves no room
   * below it, ports the system picks ({@code bind(0)}), as before.
   */
  public static List<Integer> freeBelowEphemeralRange(int count) throws IOException {
    int ceiling = ephemeralFloor();
    List<Integer> ports = new ArrayList<>();
    if (ceiling - FIRST_PRIVATE_PORT < 1_000) {
      while (ports.size() < count) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
          if (!ports.contains(socket.getLocalPort())) {
            ports.add(socket.getLocalPort());
          }
        }
      }
      return ports;
    }
    for (int attempt = 0; attempt < 50 * count && ports.size() < count; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(FIRST_PRIVATE_PORT, ceiling);
      if (!ports.contains(port) && free(port)) {
        ports.add(port);
      }
    }
    if (ports.size() < count) {
      throw new IOException("found only " + ports.size() + " of " + count + " free ports between "
          + FIRST_PRIVATE_PORT + " and " + ceiling);
    }
    return ports;
  }

  /** The first port of this system's ephemeral range; 32768 (Linux's usual one) where it cannot be read. */
  public static int ephemeralFloor() {
    return ephemeralRange(LINUX_EPHEMERAL_RANGE).map(range -> range[0]).orElse(32_768);
  }

  /** The ephemeral range {@code low..high} read from {@code file}, or nothing when absent or unreadable. */
  public static Optional<int[]> ephemeralRange(Path file) {
    try {
      String[] parts = Files.readString(file).trim().split("\\s+");
      if (parts.length == 2) {
        return Optional.of(new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])});
      }
    } catch (IOException | NumberFormatException | SecurityException unreadable) {
      // not Linux, or not readable: nothing to warn about
    }
    return Optional.empty();
  }

  /** A warning when some of the cluster's ports lie in {@code range} (low, high), or nothing. */
  public static Optional<String> ephemeralOverlap(ClusterPorts ports, int[] range) {
    int first = ports.base() + 1;
    int last = ports.ingest();
    if (last < range[0] || first > range[1]) {
      return Optional.empty();
    }
    return Optional.of(String.format("ports %d..%d overlap the system's ephemeral range %d..%d: an outgoing "
        + "connection may take one of them before its process binds it; a base port of at most %d avoids "
        + "that (--base-port)", first, last, range[0], range[1], Math.max(1024, range[0] - 11)));
  }
}
