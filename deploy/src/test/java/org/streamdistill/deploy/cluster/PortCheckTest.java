package org.streamdistill.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
  void shouldDrawDistinctFreePortsBelowTheEphemeralRange() throws Exception {
    int ceiling = PortCheck.ephemeralFloor();

    List<Integer> ports = PortCheck.freeBelowEphemeralRange(4);

    assertThat(ports).hasSize(4).doesNotHaveDuplicates().allSatisfy(port -> {
      assertThat(port).isBetween(10_000, ceiling - 1);
      assertThat(PortCheck.free(port)).as("port %d free", port).isTrue();
    });
  }

  @Test
  void shouldWarnOnlyWhenThePortsOverlapTheEphemeralRange() {
    int[] range = {32_768, 60_999};

    assertThat(PortCheck.ephemeralOverlap(new ClusterPorts(29_090), range)).isEmpty();
    assertThat(PortCheck.ephemeralOverlap(new ClusterPorts(32_757), range)).isEmpty();
    assertThat(PortCheck.ephemeralOverlap(new ClusterPorts(32_758), range)).hasValueSatisfying(warning ->
        assertThat(warning).contains("32759..32768", "32768..60999", "at most 32757", "--base-port"));
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

  @Test
  void shouldRefuseClusterUpOnATakenPortBeforeFittingTheTeacher() throws Exception {
    // Given something listening on what would be the cluster's ingestion port, and no teacher bundle
    try (ServerSocket listening = listenBelowEphemeralRange()) {
      Path bundle = dir.resolve("bundle");
      Path jar = Files.writeString(dir.resolve("job.jar"), "not opened before the ports are checked");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();

      // When the cluster is started on those ports
      int code = ClusterCommand.run(List.of("up", "--work-dir", dir.resolve("cluster").toString(), "--base-port",
          Integer.toString(listening.getLocalPort() - 10), "--teacher-bundle", bundle.toString(), "--job-jar",
          jar.toString()), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

      // Then it stops at once, naming the port, and fits nothing
      assertThat(code).isEqualTo(1);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("ports [" + listening.getLocalPort() + "] are in use",
          "--base-port");
      assertThat(bundle).doesNotExist();
      assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("fitting");
    }
  }

  /** A socket on a port between 20000 and 32000, so that the base port below it is a valid setting. */
  private static ServerSocket listenBelowEphemeralRange() throws java.io.IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        return new ServerSocket(java.util.concurrent.ThreadLocalRandom.current().nextInt(20_000, 32_000), 1,
            InetAddress.getLoopbackAddress());
      } catch (java.io.IOException taken) {
        if (attempt == 50) {
          throw taken;
        }
      }
    }
  }
}
