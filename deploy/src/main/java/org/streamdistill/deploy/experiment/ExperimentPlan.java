package org.streamdistill.deploy.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.streamdistill.evaluator.compare.CompareConfig;
import org.streamdistill.producers.experiment.TopicReplayConfig;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.registry.RegistryClientSettings;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * What an experiment runs, as the arguments of {@code bin/streamdistill} commands: the replay of
 * the range into the namespace, its three stages with their own state under the experiment's
 * directory and the user's {@code --set} settings, and the comparison with production. The
 * same plan is run here or printed ({@code --print-only}) for another machine.
 */
public record ExperimentPlan(List<String> replay, List<String> teacher, List<String> trainer, List<String> evaluator,
                             List<String> compare, Path directory) {

  public static ExperimentPlan of(ExperimentConfig c) {
    Path dir = Path.of(c.workDir()).resolve(c.name());
    List<String> replay = new ArrayList<>(List.of("replay", "topic", "--" + KafkaClientSettings.BOOTSTRAP_SERVERS,
        c.bootstrapServers(), "--" + TopicReplayConfig.EXPERIMENT_NAMESPACE, c.name()));
    if (!c.fromTime().isBlank()) {
      add(replay, TopicReplayConfig.FROM_TIME, c.fromTime());
      if (!c.toTime().isBlank()) {
        add(replay, TopicReplayConfig.TO_TIME, c.toTime());
      }
    } else {
      add(replay, TopicReplayConfig.FROM_OFFSETS, c.fromOffsets());
      if (!c.toOffsets().isBlank()) {
        add(replay, TopicReplayConfig.TO_OFFSETS, c.toOffsets());
      }
    }
    add(replay, TopicReplayConfig.SAMPLE_FRACTION, Double.toString(c.sampleFraction()));
    add(replay, TopicReplayConfig.SEED, Long.toString(c.seed()));

    List<String> teacher = stage("teacher-job", c);
    add(teacher, TeacherJobConfig.BUNDLE, c.teacherBundle());
    add(teacher, TeacherJobConfig.CHECKPOINT_DIR, dir.resolve("teacher-checkpoints").toString());
    List<String> trainer = stage("trainer", c);
    add(trainer, "trainer.checkpoint.dir", dir.resolve("student-checkpoints").toString());
    add(trainer, "trainer.model-name", c.modelLine());
    List<String> evaluator = stage("evaluator", c);
    add(evaluator, "evaluator.state.dir", dir.resolve("evaluator-state").toString());
    for (Map.Entry<String, String> set : c.stageSettings().entrySet()) {
      List<String> target = set.getKey().startsWith("teacher.") ? teacher
          : set.getKey().startsWith("trainer.") ? trainer : evaluator;
      add(target, set.getKey(), set.getValue()); // later flags win: the user's --set over the plan's own
    }
    List<String> compare = new ArrayList<>(List.of("compare", "--" + KafkaClientSettings.BOOTSTRAP_SERVERS,
        c.bootstrapServers(), "--" + RegistryClientSettings.URL, c.registryUrl(), "--" + CompareConfig.NAMESPACES,
        CompareConfig.PRODUCTION + "," + c.name(), "--" + CompareConfig.MODEL_LINE, c.modelLine(),
        "--" + CompareConfig.HTML, dir.resolve("compare-report.html").toString()));
    return new ExperimentPlan(List.copyOf(replay), List.copyOf(teacher), List.copyOf(trainer), List.copyOf(evaluator),
        List.copyOf(compare), dir);
  }

  private static List<String> stage(String command, ExperimentConfig c) {
    return new ArrayList<>(List.of(command, "--" + KafkaClientSettings.BOOTSTRAP_SERVERS, c.bootstrapServers(),
        "--" + RegistryClientSettings.URL, c.registryUrl(), "--topic.namespace", c.name()));
  }

  private static void add(List<String> args, String key, String value) {
    args.add("--" + key);
    args.add(value);
  }

  /** The plan as shell lines, for {@code --print-only}. */
  public String asShell() {
    StringBuilder out = new StringBuilder();
    out.append("# 1. copy the range into the experiment's namespace\n").append(line(replay)).append('\n');
    out.append("# 2. its stages, each in its own process, beside production (stop them with Ctrl-C when done)\n");
    for (List<String> stage : List.of(teacher, trainer, evaluator)) {
      out.append(line(stage)).append(" &\n");
    }
    out.append("# 3. wait until they have caught up\n").append("bin/streamdistill lag --bootstrap-servers ")
        .append(quote(replay.get(3))).append(" --namespace ").append(quote(teacher.get(6))).append(" --once\n");
    out.append("# 4. compare with production on the same turns\n").append(line(compare)).append('\n');
    return out.toString();
  }

  private static String line(List<String> args) {
    StringBuilder line = new StringBuilder("bin/streamdistill");
    args.forEach(a -> line.append(' ').append(quote(a)));
    return line.toString();
  }

  private static String quote(String word) {
    return word.matches("[A-Za-z0-9_./:,=@%+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
  }
}
