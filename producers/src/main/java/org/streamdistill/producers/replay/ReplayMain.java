package org.streamdistill.producers.replay;

import java.util.List;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.producers.publish.RateLimiter;
import org.streamdistill.producers.publish.TurnPublisher;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;

/** Command line: replay CLINC150 into {@code dialogue.turns} of a running platform. */
public final class ReplayMain {
  private ReplayMain() {}

  public static void main(String[] args) throws Exception {
    if (List.of(args).contains("--help")) {
      System.out.println("Replays CLINC150 into dialogue.turns. Settings:\n" + ReplayConfig.LOADER.help());
      return;
    }
    ReplayConfig config;
    try {
      config = ReplayConfig.parse(List.of(args), System.getenv());
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("replay: " + e.getMessage());
      System.exit(2);
      return;
    }
    Clinc150Turns turns = new Clinc150Turns(Clinc150.read(config.data()), config.options(), System::currentTimeMillis);
    try (TurnPublisher publisher = new TurnPublisher(config.bootstrapServers(),
        new RestSchemaRegistryClient(config.registryUrl()), Topics.TURNS.inNamespace(config.namespace()))) {
      long start = System.nanoTime();
      long total = turns.size();
      long count = publisher.publish(turns, new RateLimiter(config.ratePerSecond()), n -> {
        if (n % 5000 == 0 || n == total) {
          double seconds = (System.nanoTime() - start) / 1e9;
          System.out.printf("replay: %,d / %,d turns (%.0f turns/s)%n", n, total, n / Math.max(seconds, 1e-9));
        }
      });
      System.out.printf("replay: done, %,d turns acknowledged%n", count);
    }
  }
}
