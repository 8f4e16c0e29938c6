package org.streamdistill.deploy.cluster;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.teacher.fit.FitCommand;
import org.streamdistill.teacher.job.TurnScorers;
import org.streamdistill.teacher.model.InvalidBundleException;

/**
 * {@code cluster up|status|down}: the whole pipeline on one machine as a real cluster, each
 * process a JVM of its own ({@link LocalCluster}); {@code status} and {@code down} find it
 * again from the state file in the work directory.
 */
public final class ClusterCommand {

  private static final String USAGE = """
      Usage: streamdistill cluster up|status|down [--work-dir DIR] [--base-port P] [settings]

        up      start, each in its own JVM with its own log and data directory: 3 KRaft Kafka nodes
                (replication factor 3, min ISR 2), the schema registry, the topics, a Flink JobManager
                and TaskManagers (standalone session cluster), the teacher job submitted with Flink's
                CLI, the trainer, the evaluator and the ingestion endpoint
        status  every process (running or not), the Flink jobs and the consumer lag; exit 0 only when
                every process runs and the teacher job runs all its subtasks
        down    stop everything, newest first: SIGTERM, then kill -9 after cluster.stop.grace-ms.
                Data and logs stay in the work directory; up again resumes on them

      Settings (file, then STREAMDISTILL_* variables, then flags):
      """;

  private ClusterCommand() {}

  /** Runs the command; returns the exit code (0 done, 1 failed or not all up, 2 bad usage). */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty() || args.contains("--help") || args.get(0).equals("help")) {
      out.print(USAGE);
      out.println(LocalClusterConfig.LOADER.help());
      return args.isEmpty() ? 2 : 0;
    }
    String verb = args.get(0);
    if (!List.of("up", "status", "down").contains(verb)) {
      err.println("cluster: unknown action '" + verb + "': give up, status or down");
      return 2;
    }
    LocalClusterConfig config;
    try {
      config = LocalClusterConfig.parse(args.subList(1, args.size()), System.getenv());
    } catch (ConfigException e) {
      err.println("cluster: " + e.getMessage());
      return 2;
    }
    try {
      LocalCluster cluster = new LocalCluster(config, out);
      return switch (verb) {
        case "up" -> up(config, cluster, out, err);
        case "status" -> cluster.status(out) ? 0 : 1;
        default -> {
          out.println("stopping the cluster in " + cluster.layout().workDir());
          cluster.down();
          List<String> left = cluster.running();
          if (!left.isEmpty()) {
            err.println("cluster: still running after kill -9: " + left);
            yield 1;
          }
          out.println("nothing of the cluster runs any more (data and logs stay in " + cluster.layout().workDir()
              + ")");
          yield 0;
        }
      };
    } catch (ClusterException e) {
      err.println("cluster: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("cluster: " + e);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("cluster: interrupted");
      return 1;
    }
  }

  private static int up(LocalClusterConfig config, LocalCluster cluster, PrintStream out, PrintStream err)
      throws IOException, InterruptedException {
    cluster.jobJar(); // a missing jar or a taken port is said before anything starts, the fit included
    if (cluster.running().isEmpty()) {
      cluster.requirePortsFree();
    }
    if (!Files.isDirectory(config.teacherBundle())) {
      out.printf("cluster: teacher bundle %s not found: fitting it first%n", config.teacherBundle());
      int code = FitCommand.run(List.of("--data", config.data().toString(), "--out", config.teacherBundle().toString()),
          out, err);
      if (code != 0) {
        err.println("cluster: fitting the teacher failed (exit " + code + ")");
        return code;
      }
    }
    try {
      TurnScorers.checkBundles(config.teacherBundle(), config.teacherSettings());
    } catch (InvalidBundleException e) {
      err.println("cluster: a teacher bundle cannot be used: " + e.getMessage());
      return 2;
    }
    long start = System.nanoTime();
    out.println("starting the cluster in " + cluster.layout().workDir());
    cluster.up();
    ClusterPorts ports = cluster.ports();
    out.printf("cluster up in %.0f s.%n", (System.nanoTime() - start) / 1e9);
    out.printf("  Kafka        %s%n  registry     %s%n  Flink REST   %s%n  ingestion    %s (token in %s)%n",
        ports.bootstrapServers(), ports.registryUrl(), ports.flinkRestUrl(), ports.ingestUrl(),
        cluster.layout().ingestTokenFile());
    out.printf("Feed it: bin/streamdistill replay --bootstrap-servers %s --registry %s --limit 3000 --passes 1%n",
        ports.bootstrapServers(), ports.registryUrl());
    out.println("Then: bin/streamdistill cluster status, and bin/streamdistill cluster down to stop it.");
    return 0;
  }
}
