package org.streamdistill.deploy;

import java.util.Arrays;
import java.util.List;
import org.streamdistill.deploy.demo.DemoCommand;
import org.streamdistill.producers.replay.ReplayMain;
import org.streamdistill.teacher.fit.FitCommand;

/** Command-line entry point of {@code bin/streamdistill}: dispatches to one command. */
public final class Main {
  private Main() {}

  private static final String USAGE = """
      Usage: bin/streamdistill <command> [--help] [settings]

      Commands:
        demo     run the whole pipeline on the embedded platform (KRaft broker, schema registry,
                 Flink MiniCluster, student trainer, Kafka Streams evaluator) and print a summary
        fit      fit the teacher head on CLINC150 and write a teacher bundle
        replay   replay CLINC150 into dialogue.turns of a running Kafka + schema registry
        help     this text
      """;

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      System.out.print(USAGE);
      return;
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    int code = switch (args[0]) {
      case "demo" -> DemoCommand.run(rest, System.out, System.err);
      case "fit" -> FitCommand.run(rest, System.out, System.err);
      case "replay" -> {
        ReplayMain.main(rest.toArray(new String[0]));
        yield 0;
      }
      default -> {
        System.err.println("unknown command '" + args[0] + "'\n" + USAGE);
        yield 2;
      }
    };
    System.exit(code);
  }
}
