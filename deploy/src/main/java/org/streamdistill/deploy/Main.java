package org.streamdistill.deploy;

import java.util.Arrays;
import java.util.List;
import org.streamdistill.deploy.bench.BenchCommand;
import org.streamdistill.deploy.cluster.ClusterCommand;
import org.streamdistill.deploy.cluster.ProvisionCommand;
import org.streamdistill.deploy.cluster.RegistryCommand;
import org.streamdistill.deploy.demo.DemoCommand;
import org.streamdistill.deploy.experiment.CatalogueNamespaceProvisioner;
import org.streamdistill.evaluator.app.EvaluatorMain;
import org.streamdistill.producers.ingest.IngestMain;
import org.streamdistill.producers.replay.ReplayMain;
import org.streamdistill.student.training.StudentTrainerMain;
import org.streamdistill.teacher.fit.FitCommand;
import org.streamdistill.teacher.job.TeacherJobMain;

/** Command-line entry point of {@code bin/streamdistill}: dispatches to one command. */
public final class Main {
  private Main() {}

  private static final String USAGE = """
      Usage: bin/streamdistill <command> [--help] [settings]

      Commands:
        demo     run the whole pipeline on the embedded platform (KRaft broker, schema registry,
                 Flink MiniCluster, student trainer, Kafka Streams evaluator) and print a summary
        fit      fit the teacher head on CLINC150 and write a teacher bundle
        replay   replay into dialogue.turns of a running Kafka + schema registry:
                 replay [clinc150] | replay dataset (JSON Lines, CSV) |
                 replay topic (a range of dialogue.turns into an experiment namespace)
        ingest   serve the live chat endpoint POST /v1/conversations/{id}/turns until Ctrl-C
        bench    measure the pipeline against its limits (teacher raw vs in the job, student
                 training and serving speed, end-to-end latency, scale, quality per cost) and
                 append a dated section to BENCHMARKS.md; --quick for a few minutes; --cluster
                 for the teacher job's scale-out on the local Flink cluster alone.
                 bench selection: learning curves of the teacher selection policies against
                 teacher calls, and a peak under policies all and budget (issue 14)
                 bench teachers: teacher bundles side by side (accuracy, turns/s) and the student
                 each yields, every turn scored and behind the gate
        soak     every stage in its own process, live turns, and a seeded schedule of faults
                 (kills, restarts, bad input, slow clients); counts lost and duplicated turns from
                 the topics and appends a report to RELIABILITY.md (--minutes M, --seed S)

      One stage per process, against an external Kafka cluster (deploy/cluster/README.md):
        provision    create every catalogue topic and its .dlq twin
        registry     serve the schema registry, stored in the cluster, until Ctrl-C
        teacher-job  run the teacher Flink job on a local MiniCluster (on a Flink cluster:
                     flink run the teacher-stream job jar instead)
        trainer      run the student trainer until Ctrl-C
        evaluator    run the Kafka Streams evaluator until Ctrl-C
        serve        serve the current champion student on POST /v1/classify until Ctrl-C
        lag          consumer lag and status of every pipeline group: a table (--once), or
                     Prometheus /metrics and JSON /lag (--http-port P)
        console      a live web page over a running pipeline: flow, lag, model agreement,
                     promotions, latency, dead letters (127.0.0.1:8070 by default)
        compare      compare namespaces' students on the same turns (an experiment against
                     production): differences, intervals, McNemar p-values, a verdict, an HTML report
        experiment   replay a range into a namespace, run its stages with --set settings until they
                     have caught up, compare with production, stop them (--print-only: the commands)

      On one machine, as a real cluster:
        cluster      cluster up|status|down: 3 Kafka nodes, a Flink session cluster running the teacher
                     job jar, the registry and every stage, each in its own JVM (deploy/cluster/README.md)

      On Kubernetes (deploy/k8s/README.md):
        k8s-topics   print the Strimzi KafkaTopic resources of the topic catalogue

        help     this text
      """;

  private static int bench(List<String> rest) {
    String sub = rest.isEmpty() ? "" : rest.get(0);
    List<String> args = rest.isEmpty() ? rest : rest.subList(1, rest.size());
    return switch (sub) {
      case "selection" -> org.streamdistill.deploy.bench.SelectionBenchCommand.run(args, System.out, System.err);
      case "teachers" -> org.streamdistill.deploy.bench.TeacherOptionsCommand.run(args, System.out, System.err);
      default -> BenchCommand.run(rest, System.out, System.err);
    };
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      System.out.print(USAGE);
      return;
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    int code = switch (args[0]) {
      case "demo" -> DemoCommand.run(rest, System.out, System.err);
      case "bench" -> bench(rest);
      case "soak" -> org.streamdistill.deploy.soak.SoakCommand.run(rest, System.out, System.err);
      case "fit" -> FitCommand.run(rest, System.out, System.err);
      case "replay" -> ReplayMain.run(rest, System.getenv(), System.out, System.err,
          new CatalogueNamespaceProvisioner());
      case "ingest" -> IngestMain.run(rest, System.getenv(), System.out, System.err);
      case "provision" -> ProvisionCommand.run(rest, System.out, System.err);
      case "registry" -> RegistryCommand.run(rest, System.out, System.err);
      case "cluster" -> ClusterCommand.run(rest, System.out, System.err);
      case "k8s-topics" -> org.streamdistill.deploy.cluster.KafkaTopicManifests.run(rest, System.out, System.err);
      case "lag" -> org.streamdistill.evaluator.lag.LagCommand.run(rest, System.out, System.err);
      case "console" -> org.streamdistill.evaluator.console.ConsoleCommand.run(rest, System.out, System.err);
      case "compare" -> org.streamdistill.evaluator.compare.CompareCommand.run(rest, System.out, System.err);
      case "experiment" -> org.streamdistill.deploy.experiment.ExperimentCommand.run(rest, System.out, System.err);
      // These mains exit with 2 on a bad setting and 1 on a failure themselves.
      case "teacher-job" -> {
        TeacherJobMain.main(rest.toArray(new String[0]));
        yield 0;
      }
      case "trainer" -> {
        StudentTrainerMain.main(rest.toArray(new String[0]));
        yield 0;
      }
      case "evaluator" -> {
        EvaluatorMain.main(rest.toArray(new String[0]));
        yield 0;
      }
      case "serve" -> {
        org.streamdistill.student.serving.StudentServerMain.main(rest.toArray(new String[0]));
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
