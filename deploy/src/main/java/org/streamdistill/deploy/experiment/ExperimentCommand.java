package org.streamdistill.deploy.experiment;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * {@code bin/streamdistill experiment}: an experiment in one command. Replays a range of
 * production's turns into a namespace, runs that namespace's stages with the given settings,
 * waits until they have caught up, compares the result with production on the same turns, and
 * stops them; or, with {@code --print-only}, prints those steps as commands.
 */
public final class ExperimentCommand {

  static final String USAGE = """
      Usage: bin/streamdistill experiment --name NAME (--from-time T --to-time T | --from-offsets O [--to-offsets O])
                 [--sample-fraction F --seed S] [--set stage.key=value ...] [--print-only true] [settings]

      Replays the range of production's dialogue.turns into namespace NAME, runs NAME's teacher job,
      trainer and evaluator as processes of their own (state and logs under experiment.work-dir/NAME;
      --set teacher.*, trainer.* or evaluator.* settings go to that stage), waits until they have
      caught up, runs compare against production on the same turns (table, verdict, HTML report),
      and stops them. Production's groups and offsets are not touched.

      Example: bin/streamdistill experiment --bootstrap-servers 127.0.0.1:9092 --name exp1 \\
                 --from-time 2026-12-03T10:00:00Z --to-time 2026-12-03T11:00:00Z --set trainer.learning-rate=0.05

      """;

  private ExperimentCommand() {}

  public static int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
    return run(args, System.getenv(), out, err);
  }

  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err)
      throws InterruptedException {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(USAGE);
      out.println(ExperimentConfig.LOADER.help());
      return 0;
    }
    ExperimentConfig config;
    try {
      config = ExperimentConfig.parse(args, env);
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("experiment: " + e.getMessage());
      return 2;
    }
    ExperimentPlan plan = ExperimentPlan.of(config);
    try {
      // Each stage's settings checked now, as that stage will read them: a typo in a --set fails
      // here, not minutes later in a process started in the background.
      TeacherJobConfig.LOADER.load(plan.teacher().subList(1, plan.teacher().size()), Map.of());
      TrainerConfig.LOADER.load(plan.trainer().subList(1, plan.trainer().size()), Map.of());
      EvaluatorConfig.LOADER.load(plan.evaluator().subList(1, plan.evaluator().size()), Map.of());
    } catch (ConfigException e) {
      err.println("experiment: --set: " + e.getMessage());
      return 2;
    }
    if (config.printOnly()) {
      out.print(plan.asShell());
      return 0;
    }
    try {
      return new ExperimentRun(config, plan, out, err).run();
    } catch (java.io.IOException e) {
      err.println("experiment: " + e.getMessage());
      return 1;
    }
  }
}
