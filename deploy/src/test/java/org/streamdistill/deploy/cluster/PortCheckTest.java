package org.streamdistill.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortCheckTest {

  @TempDir
  Path dir;

  @Test
  void shouldReportAPortSomethingListensOn() throws Exception {
    // Given a socket listening on a port that is the cluster's ingestion port
    try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ClusterPorts ports = new ClusterPorts(listening.getLocalPort() - 10);

      // Then that port is reported taken
      assertThat(PortCheck.taken(ports)).contains(listening.getLocalPort());
      assertThat(PortCheck.free(listening.getLocalPort())).isFalse();
    }
  }

  @Test
  void shouldWarnOnlyWhenThePortsOverlapTheEphemeralRange() {
    int[] range = {32_768, 60_999};

    assertThat(PortCheck.ephemeralOverlap(new ClusterPorts(29_090), range)).isEmpty();
    assertThat(PortCheck.ephemeralOverlap(new ClusterPorts(32_757), range)).isEmpty();
    assertThat(PortCheck.ephemeralOverlap(new ClusterPorts(32_758), range)).hasValueSatisfying(warning ->
        assertThat(warning).contains("32759..32768", "32768..60999", "below 32757", "--base-port"));
    assertThat(PortCheck.ephemeralOverlap(new ClusterPorts(50_000), range)).isPresent();
    assertThat(PortCheck.ephemeralOverlap(new ClusterPorts(60_999), range)).isEmpty();
  }

  @Test
  void shouldReadTheRangeAndIgnoreAnAbsentOrGarbledFile() throws Exception {
    Path file = dir.resolve("ip_local_port_range");
    Files.writeString(file, "32768\t60999\n");
    assertThat(PortCheck.ephemeralRange(file)).hasValueSatisfying(range -> assertThat(range).containsExactly(32_768, 60_999));

    Files.writeString(file, "not a range");
    assertThat(PortCheck.ephemeralRange(file)).isEmpty();
    assertThat(PortCheck.ephemeralRange(dir.resolve("absent"))).isEmpty();
  }
}
