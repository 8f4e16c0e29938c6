package org.streamdistill.deploy.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The machine a run measured: processors, memory, Java, operating system, and the load
 * average (1, 5 and 15 minutes) at the start and the end of the run, so a reader can tell a
 * quiet machine from one shared with other builds.
 *
 * @param processors {@code Runtime.availableProcessors()} (nproc)
 * @param totalMemoryBytes physical memory
 * @param javaVersion {@code java.version}
 * @param javaVm {@code java.vm.name}
 * @param os {@code os.name os.version os.arch}
 * @param loadAverageStart "1m 5m 15m" when the run started
 * @param loadAverageEnd the same when it ended (empty until then)
 */
public record Machine(int processors, long totalMemoryBytes, String javaVersion, String javaVm, String os,
                      String loadAverageStart, String loadAverageEnd) {

  /** This machine now; the end load average is left empty. */
  public static Machine current() {
    long memory = 0;
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      memory = os.getTotalMemorySize();
    }
    return new Machine(Runtime.getRuntime().availableProcessors(), memory, System.getProperty("java.version"),
        System.getProperty("java.vm.name"), System.getProperty("os.name") + " " + System.getProperty("os.version")
            + " " + System.getProperty("os.arch"), loadAverage(), "");
  }

  /** The same machine with the load average at the end of the run filled in. */
  public Machine withLoadAverageEnd(String value) {
    return new Machine(processors, totalMemoryBytes, javaVersion, javaVm, os, loadAverageStart, value);
  }

  /** "1m 5m 15m" from /proc/loadavg, or the JVM's 1-minute figure where that file does not exist. */
  public static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }
}
