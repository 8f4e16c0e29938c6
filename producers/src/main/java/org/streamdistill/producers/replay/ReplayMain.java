package org.streamdistill.producers.replay;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.producers.dataset.DatasetReplayCommand;
import org.streamdistill.producers.experiment.NamespaceProvisioner;
import org.streamdistill.producers.experiment.TopicReplayCommand;
import org.streamdistill.producers.experiment.TurnsTopicCreator;
import org.streamdistill.producers.publish.ProgressLine;
import org.streamdistill.producers.publish.RateLimiter;
import org.streamdistill.producers.publish.TurnPublisher;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;

/**
 * Command line of every replay into a running platform:
 * {@code replay [clinc150] [settings]} (CLINC150, the default), {@code replay dataset}
 * (JSON Lines or CSV) and {@code replay topic} (a range of dialogue.turns into an
 * experiment namespace).
 */
public final class ReplayMain {
  private ReplayMain() {}

  private static final String USAGE = """
      Usage: replay [clinc150|dataset|topic] [--help] [settings]
        clinc150   replay CLINC150 into dialogue.turns (the default)
        dataset    replay a JSON Lines or CSV file into dialogue.turns
        topic      copy a range of dialogue.turns into an experiment namespace
      """;

  public static void main(String[] args) throws Exception {
    System.exit(run(List.of(args), System.getenv(), System.out, System.err, new TurnsTopicCreator()));
  }

  /**
   * @param provisioner creates a namespace's topics before a replay writes into it
   * @return the process exit code
   */
  public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err,
                        NamespaceProvisioner provisioner) throws Exception {
    String mode = args.isEmpty() || args.get(0).startsWith("--") ? "clinc150" : args.get(0);
    List<String> rest = args.isEmpty() || args.get(0).startsWith("--") ? args : args.subList(1, args.size());
    return switch (mode) {
      case "clinc150" -> clinc150(rest, env, out, err);
      case "dataset" -> DatasetReplayCommand.run(rest, env, out, err, provisioner);
      case "topic" -> TopicReplayCommand.run(rest, env, out, err, provisioner);
      case "help" -> {
        out.print(USAGE);
        yield 0;
      }
      default -> {
        err.print("replay: unknown kind '" + mode + "'\n" + USAGE);
        yield 2;
      }
    };
  }

  private static int clinc150(List<String> args, Map<String, String> env, PrintStream out, PrintStream err)
      throws Exception {
    if (args.contains("--help")) {
      out.print(USAGE);
      out.println("\nreplay clinc150 replays CLINC150 into dialogue.turns. Settings:\n" + ReplayConfig.LOADER.help());
      return 0;
    }
    ReplayConfig config;
    try {
      config = ReplayConfig.parse(args, env);
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("replay: " + e.getMessage());
      return 2;
    }
    Clinc150Turns turns = new Clinc150Turns(Clinc150.read(config.data()), config.options(), System::currentTimeMillis);
    try (TurnPublisher publisher = new TurnPublisher(config.bootstrapServers(), config.kafka(),
        config.registry().newClient(), Topics.TURNS.inNamespace(config.namespace()))) {
      long count = publisher.publish(turns, new RateLimiter(config.ratePerSecond()),
          new ProgressLine("replay", turns.size(), out, 2_000));
      out.printf("replay: done, %,d turns acknowledged%n", count);
    }
    return 0;
  }
}
