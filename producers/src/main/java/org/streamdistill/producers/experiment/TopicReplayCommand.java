package org.streamdistill.producers.experiment;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.producers.publish.ProgressLine;

/** {@code replay topic}: copies a range of dialogue.turns into an experiment namespace. */
public final class TopicReplayCommand {

  private TopicReplayCommand() {}

  /** @return the process exit code: 0 done, 1 failed, 2 bad settings */
  public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err,
                        NamespaceProvisioner provisioner) throws InterruptedException {
    if (args.contains("--help")) {
      out.println("Copies a range of dialogue.turns into an experiment namespace. Settings:\n"
          + TopicReplayConfig.LOADER.help());
      return 0;
    }
    TopicReplayConfig config;
    try {
      config = TopicReplayConfig.parse(args, env);
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("replay topic: " + e.getMessage());
      return 2;
    }
    try {
      TopicReplay.Report report = TopicReplay.run(config, provisioner,
          range -> new ProgressLine("replay", range.size(), out, 2_000));
      out.printf("replay topic: %,d records read from %s, %,d written to %s, %,d left out by the sample%n",
          report.read(), report.range().topic(), report.written(), report.target(), report.sampledOut());
      out.println("replay topic: to replay exactly this range again: " + report.range().asFlags());
      return 0;
    } catch (IllegalStateException e) {
      err.println("replay topic: " + e.getMessage());
      return 1;
    }
  }
}
