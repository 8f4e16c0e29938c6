package org.streamdistill.deploy.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code cluster up} started, written to {@code cluster-state.json} in the work directory
 * after every change, so that {@code status} and {@code down} work from a new shell: the ports,
 * the submitted job and, per process, its pid and start time (a pid alone could have been reused
 * by another process since).
 *
 * @param basePort the ports' base ({@link ClusterPorts})
 * @param jobId the teacher job last submitted, or null
 * @param processes by name, in start order
 */
public record ClusterState(int basePort, String jobId, Map<String, ProcessRecord> processes) {

  /** The file's name in the work directory. */
  public static final String FILE = "cluster-state.json";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * One started process.
   *
   * @param pid its process id
   * @param startedAtMillis its start time as the operating system reports it (to tell it from a reused pid)
   * @param output its standard output and error
   * @param log its Log4j log
   * @param ports the ports it listens on, for the status table
   */
  public record ProcessRecord(long pid, long startedAtMillis, String output, String log, String ports) {}

  public ClusterState {
    processes = new LinkedHashMap<>(processes);
  }

  public ClusterState withProcess(String name, ProcessRecord process) {
    Map<String, ProcessRecord> updated = new LinkedHashMap<>(processes);
    updated.put(name, process);
    return new ClusterState(basePort, jobId, updated);
  }

  public ClusterState withJob(String id) {
    return new ClusterState(basePort, id, processes);
  }

  public static Optional<ClusterState> read(Path workDir) throws IOException {
    Path file = workDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    return Optional.of(JSON.readValue(file.toFile(), ClusterState.class));
  }

  /** Written beside and renamed over the old file: a reader never sees half a state. */
  public void write(Path workDir) throws IOException {
    Path tmp = workDir.resolve(FILE + ".tmp");
    JSON.writeValue(tmp.toFile(), this);
    Files.move(tmp, workDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
