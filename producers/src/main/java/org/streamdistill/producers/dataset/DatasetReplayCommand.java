package org.streamdistill.producers.dataset;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.producers.experiment.NamespaceProvisioner;
import org.streamdistill.producers.publish.OriginalPace;
import org.streamdistill.producers.publish.Pacer;
import org.streamdistill.producers.publish.ProgressLine;
import org.streamdistill.producers.publish.RateLimiter;
import org.streamdistill.producers.publish.TurnPublisher;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;

/** {@code replay dataset}: reads a JSON Lines or CSV file and publishes it to the turns topic. */
public final class DatasetReplayCommand {

  private DatasetReplayCommand() {}

  /** @return the process exit code: 0 done, 1 failed, 2 bad settings or file */
  public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err,
                        NamespaceProvisioner provisioner) throws InterruptedException {
    if (args.contains("--help")) {
      out.println("Replays a JSON Lines or CSV file into dialogue.turns. Settings:\n" + DatasetReplayConfig.LOADER.help());
      return 0;
    }
    DatasetReplayConfig config;
    DatasetTurns turns;
    try {
      config = DatasetReplayConfig.parse(args, env);
      List<DatasetRow> rows = switch (config.format()) {
        case JSONL -> JsonLinesReader.read(config.path(), config.columns());
        case CSV -> CsvReader.read(config.path(), config.columns(), config.delimiter());
      };
      turns = new DatasetTurns(rows, config.options(), System::currentTimeMillis);
      if (turns.leftOutForEventTime() > 0) {
        err.printf("replay dataset: %,d rows left out: their time cannot be an event time (before 1970, or more than "
            + "an hour ahead of this machine's clock), e.g. %s%n", turns.leftOutForEventTime(),
            String.join("; ", turns.leftOutExamples(3)));
      }
    } catch (ConfigException | IllegalArgumentException | IOException e) {
      err.println("replay dataset: " + e.getMessage());
      return 2;
    }
    Pacer pacer = config.originalPace()
        ? new OriginalPace(turns.originalTimesMillis(), config.speed(), config.maxGapMillis())
        : new RateLimiter(config.ratePerSecond());
    try {
      if (!config.namespace().isEmpty()) {
        provisioner.provision(config.bootstrapServers(), config.kafka(), config.namespace());
      }
      try (TurnPublisher publisher = new TurnPublisher(config.bootstrapServers(), config.kafka(),
          config.registry().newClient(), Topics.TURNS.inNamespace(config.namespace()))) {
        out.printf("replay dataset: %,d turns of %s to %s (%s)%n", turns.size(), config.path().getFileName(),
            Topics.TURNS.inNamespace(config.namespace()).name(), config.originalPace()
                ? "original pace x" + config.speed() : config.ratePerSecond() > 0 ? config.ratePerSecond() + " turns/s"
                : "as fast as possible");
        long count = publisher.publish(turns, pacer, new ProgressLine("replay", turns.size(), out, 2_000));
        out.printf("replay dataset: done, %,d turns acknowledged, %,d rows left out for their event time%n", count,
            turns.leftOutForEventTime());
      }
    } catch (RuntimeException e) {
      err.println("replay dataset: " + e.getMessage());
      return 1;
    }
    return 0;
  }
}
